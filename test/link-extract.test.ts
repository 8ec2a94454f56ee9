import { describe, expect, it } from 'vitest';
import { cleanAuthor } from '../src/modules/links/extract/author.ts';
import { textDate, toDate } from '../src/modules/links/extract/dates.ts';
import { iconSize, manifestIcon } from '../src/modules/links/extract/icons.ts';
import { primarySubtag } from '../src/modules/links/extract/lang.ts';
import { withoutSiteName } from '../src/modules/links/extract/metadata.ts';
import { cutAtWord } from '../src/modules/links/extract/text.ts';
import { decodeHtml, headIsEnough } from '../src/modules/links/extract/decode.ts';
import { loadProviderRegistry, oembedRequestUrl } from '../src/modules/links/preview/oembed-providers.ts';

/** The general rules behind the rich fields, one by one (the pipeline tests cover them end to end). */
describe('preview field rules', () => {
  it('cleans bylines into names and refuses what is not one', () => {
    expect(cleanAuthor('By Jane Doe')).toBe('Jane Doe');
    expect(cleanAuthor('written by: Jane Doe |')).toBe('Jane Doe');
    expect(cleanAuthor('— Fabio Marcomin -')).toBe('Fabio Marcomin');
    expect(cleanAuthor('https://www.facebook.com/bbcnews')).toBeNull();
    expect(cleanAuthor('@handle')).toBeNull();
    expect(cleanAuthor('The Daily Paper', ['the daily paper'])).toBeNull();
    expect(cleanAuthor('DailyPaper', [null, 'Daily Paper'])).toBeNull();
    // A byline's date, time, handle or role is not part of the name.
    expect(cleanAuthor('Jane Doe Staff Writer Updated 3 hours ago on May 1 2020')).toBe('Jane Doe');
    expect(cleanAuthor('by Jane Doe | Apr 19, 2013')).toBe('Jane Doe');
    expect(cleanAuthor('By Jane Doe - 2013-07-18T03:00:01Z')).toBe('Jane Doe');
    expect(cleanAuthor('By Jane Doe Tuesday, Aug. 17, 2010')).toBe('Jane Doe');
    expect(cleanAuthor('By Jane Doe @janedoe on June 26, 2014 at 9:00a')).toBe('Jane Doe');
    expect(cleanAuthor('Par Jeanne Dupont')).toBe('Jeanne Dupont');
    expect(cleanAuthor('Jane Doe, Staff Writer')).toBe('Jane Doe');
    expect(cleanAuthor('About Jane Doe Jane Doe is an award-winning technology writer who has covered')).toBeNull();
  });

  it('reads real dates only', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(toDate('2024-03-01T08:00:00+01:00', now)?.toISOString()).toBe('2024-03-01T07:00:00.000Z');
    expect(toDate('2020-12-30 02:13:22', now)?.toISOString()).toBe('2020-12-30T02:13:22.000Z');
    expect(toDate('2025-08-07 09:37:22 -0400', now)?.toISOString()).toBe('2025-08-07T13:37:22.000Z');
    expect(toDate('1464112800', now)?.toISOString()).toBe('2016-05-24T18:00:00.000Z');
    expect(toDate('2016-05-24', now)?.toISOString().slice(0, 10)).toBe('2016-05-24');
    expect(toDate('2026-01-03T00:00:00Z', now)).toBeNull(); // two days ahead
    expect(toDate('1970-01-01', now)).toBeNull();
    expect(toDate('yesterday', now)).toBeNull();
    expect(textDate('by Kyt Dotson | May 16, 2016 | 3 comments')).toBe('2016-05-16');
    expect(textDate('Wednesday, 11th October 2017')).toBe('2017-10-11');
    // Numbers in the order of the page's language (a day past 12 settles it), ISO days, two-digit years.
    expect(textDate('6/7/2013 10:00 A.M. ET')).toBe('2013-06-07');
    expect(textDate('6/7/2013', 'fr')).toBe('2013-07-06');
    expect(textDate('18/11/2011 4:06')).toBe('2011-11-18');
    expect(textDate('8/17/13 11:04am')).toBe('2013-08-17');
    expect(textDate('2013-10-24 03:00:00')).toBe('2013-10-24');
    // Carelessly written ISO: a one-digit day, "GMT+05:30".
    expect(toDate('2013-06-7T03:37:27GMT+05:30')?.toISOString()).toBe('2013-06-06T22:07:27.000Z');
  });

  it('keeps the primary language subtag', () => {
    expect(primarySubtag('en-US')).toBe('en');
    expect(primarySubtag('pt_BR')).toBe('pt');
    expect(primarySubtag('eng')).toBe('en');
    expect(primarySubtag('fre')).toBe('fr');
    expect(primarySubtag('fil')).toBe('fil');
    expect(primarySubtag('FR')).toBe('fr');
    expect(primarySubtag('English')).toBeNull();
  });

  it('drops a title’s trailing segment only when it is the site’s name', () => {
    expect(withoutSiteName('Headline - BBC News', ['BBC News'])).toBe('Headline');
    expect(withoutSiteName('Headline | The Verge', ['theverge'])).toBe('Headline');
    expect(withoutSiteName('Bob Dylan - Wikipedia', [null, 'wikipedia'])).toBe('Bob Dylan');
    expect(withoutSiteName('Pros - Cons', ['Example'])).toBe('Pros - Cons');
    expect(withoutSiteName('BBC News - Dinosaur teeth reveal feeding habits', ['BBC News'])).toBe('Dinosaur teeth reveal feeding habits');
    expect(withoutSiteName('Example » Docs » Getting started', ['example'])).toBe('Docs » Getting started');
    expect(withoutSiteName('Headline', ['Headline'])).toBe('Headline');
  });

  it('cuts long text at a word boundary with an ellipsis', () => {
    expect(cutAtWord('one two three four five six', 20)).toBe('one two three four…');
    expect(cutAtWord('a'.repeat(30), 10)).toBe(`${'a'.repeat(9)}…`);
    // Never inside a grapheme: an emoji of several code points, a letter and its combining accent.
    const family = '👨‍👩‍👧';
    expect(cutAtWord(`${'字'.repeat(8)}${family}${'字'.repeat(8)}`, 12)).toBe(`${'字'.repeat(8)}…`);
    expect(cutAtWord(`${'a'.repeat(8)}e\u0301${'a'.repeat(8)}`, 10)).toBe(`${'a'.repeat(8)}…`);
  });

  it('picks the largest icon', () => {
    expect(iconSize('16x16 32x32')).toBe(32);
    expect(iconSize('any')).toBeGreaterThan(512);
    expect(iconSize(undefined)).toBe(0);
    const base = new URL('https://site.example/app/manifest.json');
    expect(
      manifestIcon({ icons: [{ src: 'a.png', sizes: '192x192' }, { src: '/b.png', sizes: '512x512' }, { src: 'm.png', sizes: '1024x1024', purpose: 'maskable' }] }, base),
    ).toBe('https://site.example/b.png');
    expect(manifestIcon({ icons: 'nope' }, base)).toBeNull();
    expect(manifestIcon({ icons: [{ src: 'javascript:alert(1)' }] }, base)).toBeNull();
  });

  it('matches URLs to providers of the shipped oEmbed registry', () => {
    const registry = loadProviderRegistry();
    const youtube = registry.match('https://www.youtube.com/watch?v=dQw4w9WgXcQ');
    expect(youtube).toMatchObject({ name: 'YouTube', endpoint: 'https://www.youtube.com/oembed', iframe: true });
    expect(oembedRequestUrl(youtube!, 'https://www.youtube.com/watch?v=x')).toBe(
      'https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3Dx&format=json',
    );
    expect(registry.match('https://vimeo.com/123456')).toMatchObject({ name: 'Vimeo', endpoint: 'https://vimeo.com/api/oembed.json', iframe: true });
    expect(registry.match('https://open.spotify.com/track/abc')?.name).toBe('Spotify');
    expect(registry.match('https://x.com/someone/status/1')).toMatchObject({ name: 'X', iframe: false });
    expect(registry.match('https://www.tiktok.com/@a/video/1')).toMatchObject({ name: 'TikTok', iframe: false });
    expect(registry.match('https://example.com/watch?v=1')).toBeNull();
  });
});

describe('reading a page only as far as its preview needs', () => {
  const full = Buffer.from(
    '<html><head><meta property="og:title" content="T"><meta property="og:image" content="/i.png">' +
      '<meta property="og:description" content="D"><meta property="og:site_name" content="S">' +
      '<meta name="author" content="A"><meta property="article:published_time" content="2026-01-01">' +
      '</head ><body>' + 'x'.repeat(5_000) + '</body></html>',
    'latin1',
  );
  const chunksOf = (body: Buffer, size: number) => Array.from({ length: Math.ceil(body.length / size) }, (_, i) => body.subarray(i * size, (i + 1) * size));
  const firstEnough = (body: Buffer, size: number) => {
    const check = headIsEnough();
    return chunksOf(body, size).findIndex((chunk) => check(chunk));
  };

  it('stops at the chunk where a full head ends, even when `</head >` straddles two chunks', () => {
    const end = full.indexOf('</head');
    for (const size of [1, 3, 7, 64, 1_000]) {
      expect(firstEnough(full, size)).toBe(Math.floor((end + '</head >'.length - 1) / size));
    }
  });

  it('reads on to the end when the head ends without everything a preview needs, and says no after', () => {
    const thin = Buffer.from(full.toString('latin1').replace('<meta name="author" content="A">', ''), 'latin1');
    const check = headIsEnough();
    expect(chunksOf(thin, 100).map((chunk) => check(chunk))).not.toContain(true);
    // An author tag holding a profile URL names no one: the byline in the body is still wanted.
    const profile = Buffer.from(full.toString('latin1').replace('content="A"', 'content="https://social.example/jane"'), 'latin1');
    const again = headIsEnough();
    expect(chunksOf(profile, 100).map((chunk) => again(chunk))).not.toContain(true);
  });

  it('reads on past a head whose tags are empty, and counts a tag whatever stands between its name and value', () => {
    for (const tag of ['og:site_name', 'og:title']) {
      const empty = Buffer.from(full.toString('latin1').replace(new RegExp(`<meta property="${tag}"[^>]*>`), `<meta property="${tag}" content="">`), 'latin1');
      expect(empty.toString('latin1')).toContain(`<meta property="${tag}" content="">`);
      const check = headIsEnough();
      expect(chunksOf(empty, 100).map((chunk) => check(chunk))).not.toContain(true);
    }
    const spaced = Buffer.from(full.toString('latin1').replace('<meta property="og:title" content="T">', '<meta data-rh="true" property="og:title" data-x="1" content="T">'), 'latin1');
    expect(firstEnough(spaced, 1_000)).toBeGreaterThanOrEqual(0);
  });

  it('reads a page declared Latin-1 but written in UTF-8 as UTF-8, and a real Latin-1 page as Latin-1', () => {
    const declared = '<meta charset="iso-8859-1"><p>';
    expect(decodeHtml(Buffer.from(`${declared}pasó</p>`, 'utf8'), 'text/html')).toContain('pasó');
    expect(decodeHtml(Buffer.from(`${declared}pasó</p>`, 'latin1'), 'text/html')).toContain('pasó');
  });
});
