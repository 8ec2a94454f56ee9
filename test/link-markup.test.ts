import { describe, expect, it } from 'vitest';
import { extractMetadata } from '../src/modules/links/extract/metadata.ts';

const url = new URL('https://example.com/news/story');
const read = async (body: string, head = '') => (await extractMetadata(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`, url)).metadata;
const long = (words: string) => `${words} ${'and then some more words to pass the length a paragraph needs '.repeat(2)}`.trim();

/** What a preview reads from the page's markup when its tags say nothing: the fallbacks' selectors, their order and their limits. */
describe('previews from a page markup', () => {
  it('titles a page by its first h1 and describes it by its first real paragraph, reference marks dropped', async () => {
    const preview = await read(`<nav><p>Menu</p></nav><h1>The <em>real</em> headline</h1><h1>Second</h1>
      <article><p>Too short.</p><p>${long('The first paragraph[1] that says something[citation needed]')}</p></article>`);
    expect(preview.title).toBe('The real headline');
    expect(preview.description?.startsWith('The first paragraph that says something and then')).toBe(true);
  });

  it('passes over navigation, captions, cookie notices and link lists for the first paragraph of prose', async () => {
    const preview = await read(`<div class="cookie-banner"><p>${long('We use cookies to improve your experience')}</p></div>
      <nav><p>${long('Home News Sport Weather')}</p></nav>
      <figure><figcaption><p>${long('A photo of the river at dawn')}</p></figcaption></figure>
      <p><a href="/a">${long('Related story one')}</a> <a href="/b">${long('Related story two')}</a></p>
      <p>${long('The river rose overnight')}</p>`);
    expect(preview.description?.startsWith('The river rose overnight')).toBe(true);
  });

  it('does not title an article by the site name alone, but a home page may be', async () => {
    const head = '<meta property="og:title" content="Example News"><meta property="og:site_name" content="Example News">';
    expect((await read('<h1>Flood waters rise</h1>', `${head}<title>Flood waters rise | Example News</title>`)).title).toBe('Flood waters rise');
    const home = await extractMetadata(`<html><head>${head}</head><body><h1>Today</h1></body></html>`, new URL('https://example.com/'));
    expect(home.metadata.title).toBe('Example News');
  });

  it('spells an image URL one way without changing what it asks for: needless escapes decoded, escaped delimiters kept', async () => {
    const head = (image: string) => `<meta property="og:image" content="${image}">`;
    expect((await read('', head('https://cdn.example.com/img/caf%C3%A9%20%28big%29%7E1.jpg'))).image).toBe('https://cdn.example.com/img/caf%C3%A9%20(big)~1.jpg');
    // An image service that carries a URL in a path segment: its escaped ':', '/', '?', '=' and '&' are its own.
    const carried = 'https://images.example.com/raw/https%3A%2F%2Fsource.example.org%2Fa.jpg%3Fw%3D700%26q%3D80?fit=cover';
    expect((await read('', head(carried))).image).toBe(carried);
  });

  it('names a site that declares no name by its logo, else by its host name', async () => {
    expect((await read('<header><img src="/l.svg" alt="Daily Bugle logo"></header>', '<meta property="og:site_name">')).siteName).toBe('Daily Bugle');
    const bare = await extractMetadata('<html><body><p>Hi</p></body></html>', new URL('https://edition.news.co.uk/a'));
    expect(bare.metadata.siteName).toBe('edition.news.co.uk');
    const pages = await extractMetadata('<html><body><p>Hi</p></body></html>', new URL('https://jane.github.io/post'));
    expect(pages.metadata.siteName).toBe('jane.github.io');
    const www = await extractMetadata('<html><body><p>Hi</p></body></html>', new URL('https://www.example.com/post'));
    expect(www.metadata.siteName).toBe('example.com');
  });

  it('names the site from the end of its title that names the host, first or last', async () => {
    const first = await extractMetadata('<html><head><title>Daily Bugle - Spider sightings rise again</title></head><body></body></html>', new URL('https://www.dailybugle.com/a'));
    expect(first.metadata.siteName).toBe('Daily Bugle');
    const last = await extractMetadata('<html><head><title>Spider sightings rise | Bugle</title></head><body></body></html>', new URL('https://news.example.org/a'));
    expect(last.metadata.siteName).toBe('Bugle');
  });

  it('names the site by its brand: no legal form, not the tagline', async () => {
    expect((await read('', '<meta property="og:site_name" content="Example Media, Inc.">')).siteName).toBe('Example Media');
    expect((await read('', '<meta property="og:site_name" content="Example - News for Everyone, Every Day">')).siteName).toBe('Example');
    expect((await read('', '<meta property="og:site_name" content="Radiolab Podcasts | WNYC Studios">')).siteName).toBe('Radiolab Podcasts | WNYC Studios');
  });

  it('takes a video poster before the content images, and no inline or tiny image', async () => {
    expect((await read('<img src="/photo.jpg"><video poster="/poster.jpg"></video>')).image).toBe('https://example.com/poster.jpg');
    const preview = await read('<img src="data:image/png;base64,AAAA"><img src="/pixel.gif" width="1"><img src="/photo.jpg" width="640">');
    expect(preview.image).toBe('https://example.com/photo.jpg');
    // A logo declared for every page yields to the page's own picture: another declared one, or a sized lead image.
    const logoDeclared = '<meta property="og:image" content="/assets/site-logo.png">';
    expect((await read('<p>x</p>', `${logoDeclared}<meta name="twitter:image" content="/story.jpg">`)).image).toBe('https://example.com/story.jpg');
    expect((await read('<article><img src="/spacer-15.png"><img src="/lead.jpg" width="800"></article>', logoDeclared)).image).toBe('https://example.com/lead.jpg');
    expect((await read('<article><img src="/white-15.png"></article>', logoDeclared)).image).toBe('https://example.com/assets/site-logo.png');
    // Neither the site's logo nor an ad server's answer is the page's picture, wherever it is declared.
    const chrome = await read('<img src="/images/header/logo.png"><img src="/photo.jpg">', '<meta property="og:image" content="https://ad.doubleclick.net/ad/site;sz=1x1">');
    expect(chrome.image).toBe('https://example.com/photo.jpg');
  });

  it('names the author from the most trusted byline markup, wherever it stands in the page', async () => {
    const page = `<div class="byline">By The Desk</div><span itemprop="author"><span itemprop="name">Jane Doe</span></span>`;
    expect((await read(page)).author).toBe('Jane Doe');
    // A byline's role and update time are not the name; a block that holds more than a name is passed over.
    const titled = `<div itemprop="author">Jane Doe Staff Writer Updated three hours ago on the first of May</div><a rel="author" href="/jd">John Roe</a>`;
    expect((await read(titled)).author).toBe('Jane Doe');
    const wordy = `<div itemprop="author">About the author: Jane has written for many magazines over the years</div><a rel="author" href="/jd">John Roe</a>`;
    expect((await read(wordy)).author).toBe('John Roe');
    // A link to the author's page names them; so does a JSON-LD author given by reference to a Person node.
    expect((await read('<p>Story</p><a href="/author/jane-doe">Jane Doe</a>')).author).toBe('Jane Doe');
    const graph = `<script type="application/ld+json">{"@graph":[{"@type":"Article","headline":"H","author":{"@id":"#jd"}},{"@type":"Person","@id":"#jd","name":"Jane Doe"}]}</script>`;
    expect((await read('', graph)).author).toBe('Jane Doe');
    // A product's maker when no person is named; microdata names the language.
    const car = `<script type="application/ld+json">{"@type":"Car","name":"Model S","brand":{"@type":"Brand","name":"Tesla"}}</script><meta content="en_US" itemprop="inLanguage">`;
    const product = await read('<p>For sale</p>', car);
    expect(product.author).toBe('Tesla');
    expect(product.lang).toBe('en');
    // The site's own name is not a person: the byline is; a profile URL in article:author leaves the body to be read.
    const site = `<div class="byline">By Sydney Lupkin (@slupkin) June 5, 2013</div>`;
    expect((await read(site, '<meta name="author" content="Example News"><meta property="og:site_name" content="Example News">')).author).toBe('Sydney Lupkin');
  });

  it('reads a byline and a dateline printed on a line of their own, without markup saying what they are', async () => {
    const preview = await read('<h1>Caraway ecstatic</h1><p class="droid">by Steven Marrocco on May 15, 2013 at 3:45 pm ET</p><p>Posted on March 3, 2021</p>');
    expect(preview.author).toBe('Steven Marrocco');
    expect(preview.publishedAt?.slice(0, 10)).toBe('2021-03-03');
    // The line ends at a break: the role below the name is not part of it.
    expect((await read('<span class="sbhd">By: <a href="/id/1">Patti Domm</a><br>CNBC Executive News Editor</span>')).author).toBe('Patti Domm');
    // Not a byline: "By the numbers", a lower-case phrase; not a dateline: a sentence that starts with "Date".
    const none = await read('<p>By the numbers: five things</p><p>Date night ideas for May 5, 2020</p>');
    expect([none.author, none.publishedAt]).toEqual([null, null]);
    // A time, a date or a credit line is no name.
    expect((await read('<span class="byline">9:39AM BST 05 Oct 2011</span>')).author).toBeNull();
    expect((await read('<span class="byline">CBS/AP/</span>')).author).toBeNull();
    // Below the text, "posted by … on …" lines are readers' comments, not the page's byline or date.
    const comments = await read(`<h1>Oldest human</h1><div>${'Neanderthals had no influence on the line of modern humans. '.repeat(5)}</div>
      <div class="opinion-follow-up"><i>posted by <b>Jane Reader</b> on 7 Jun 2013 at 1:21 am</i></div><p>By Jane Reader</p>`);
    expect([comments.author, comments.publishedAt]).toEqual([null, null]);
    // A byline that dates itself dates the page.
    expect((await read('<h1>T</h1><p>by Steven Marrocco on May 15, 2013 at 3:45 pm ET</p>')).publishedAt?.slice(0, 10)).toBe('2013-05-15');
    // A note after the name is not the name's.
    expect((await read('<span class="byline">By Jane Doe (Reuters)</span>')).author).toBe('Jane Doe');
  });

  it('reads a byline whatever the case of its class name ("articleByline", "byLine"), its links and role left out', async () => {
    expect((await read('<h1>Kings lose</h1><div id="articleByline" class="articleByline">By Elliott Teaford, Staff Writer</div>')).author).toBe('Elliott Teaford');
    expect((await read('<span class="byLine">By Jonathan Mayo | <a href="/p">Archive</a></span>')).author).toBe('Jonathan Mayo');
  });

  it('dates a page by its time elements, else by a date printed in its date markup', async () => {
    const timed = await read('<time datetime="2021-04-05T10:00:00Z">Monday</time><span itemprop="dateModified" datetime="2021-06-01T00:00:00Z"></span>');
    expect(timed.publishedAt).toBe('2021-04-05T10:00:00.000Z');
    expect(timed.modifiedAt).toBe('2021-06-01T00:00:00.000Z');
    const printed = await read(`<div class="post-date">${'x'.repeat(250)} May 1, 2019</div><div class="Post-Date">Posted on May 16, 2016</div>`);
    expect(printed.publishedAt).toBe('2016-05-16T12:00:00.000Z');
    // A printed time with its zone names the instant; a time without one, the day alone.
    expect((await read('<div class="articleDate">Posted: 06/06/2013 09:48:55 PM PDT</div>')).publishedAt).toBe('2013-06-07T04:48:55.000Z');
    expect((await read('<div id="dateline">| Thu Jun. 6, 2013 1:04 PM EDT</div>')).publishedAt).toBe('2013-06-06T17:04:00.000Z');
    expect((await read('<div class="date">June 6, 2013 1:04 PM</div>')).publishedAt).toBe('2013-06-06T12:00:00.000Z');
    // Markup that names its date by its id ("dateline", "lblDate") rather than its class.
    expect((await read('<h1>Kashmir</h1><span id="ctl00_lblDate">Fri,19 Jul 2013</span>')).publishedAt).toBe('2013-07-19T12:00:00.000Z');
    // A day-only tag (written in UTC) yields to the page's own timestamp within a day of it.
    const precise = await read('<time datetime="2014-06-29 20:08:00-0400">June 29</time>', '<meta name="sailthru.date" content="2014-06-30">');
    expect(precise.publishedAt).toBe('2014-06-30T00:08:00.000Z');
  });

  it('names the site from its microdata publisher', async () => {
    const preview = await read('<div itemprop="publisher"><meta itemprop="name" content="Daily Bugle"></div><span itemprop="name">Not the site</span>');
    expect(preview.siteName).toBe('Daily Bugle');
  });

  it('reads JSON-LD whatever the case of its type, and skips a link element without an href', async () => {
    const head = `<link rel="canonical"><link rel="canonical" href="/news/story-canonical">
      <script type="Application/LD+JSON">{"@type":"NewsArticle","headline":"From JSON-LD","author":{"name":"Ada Lovelace"}}</script>`;
    const preview = await read('', head);
    expect(preview.title).toBe('From JSON-LD');
    expect(preview.author).toBe('Ada Lovelace');
    expect(preview.url).toBe('https://example.com/news/story-canonical');
  });
});
