import { describe, expect, it } from 'vitest';
import { extractMetadata } from '../src/modules/links/extract/metadata.ts';

const page = (head: string, body: string) => `<!doctype html><html lang="en"><head>${head}</head><body>${body}</body></html>`;
const read = async (html: string, url = 'https://example.com/2014/story') => (await extractMetadata(html, new URL(url))).metadata;
const prose = (start: string) => `${start} ${'and more words that make this a paragraph of real prose, '.repeat(3)}end.`;

/** Rules from pages that are not articles: home pages, wikis, a blog's boxes, directories (test/fixtures/previews, g-, q-, r-). */
describe('previews of pages of many kinds', () => {
  it('names a home page that declares no site by its title, and gives it none of its stories’ dates', async () => {
    const stories = `<ul><li><time datetime="2014-09-07T17:05:00Z">1h ago</time> <a href="/a">Story</a></li></ul>
      <p class="date">May 3, 2014</p><p>Posted on May 2, 2014</p>`;
    const home = await read(page('<title>Hacker News</title>', stories), 'https://news.example.com/');
    expect(home.siteName).toBe('Hacker News');
    expect(home.publishedAt).toBeNull();
    // The same markup below the home page: a story, dated by its own first <time>.
    const story = await read(page('<title>Hacker News</title>', stories), 'https://news.example.com/item');
    expect(story.publishedAt).toBe('2014-09-07T17:05:00.000Z');
    expect(story.siteName).not.toBe('Hacker News');
    // A home page that declares its date still has it.
    const declared = await read(page('<meta property="article:published_time" content="2014-01-02T03:04:05Z">', stories), 'https://example.com/');
    expect(declared.publishedAt).toBe('2014-01-02T03:04:05.000Z');
  });

  it('takes a site name in apposition as the name alone, and the title segment that names the host', async () => {
    const wiki = await read(page('<title>Go (programming language) - Wikipedia, the free encyclopedia</title>', '<h1>Go</h1>'), 'https://en.wikipedia.org/wiki/Go');
    expect(wiki.siteName).toBe('Wikipedia');
    expect(wiki.title).toBe('Go (programming language)');
    const blog = await read(page('<title>Realtime heatmaps - How To Node - NodeJS</title>', ''), 'https://howtonode.org/heat-tracer');
    expect(blog.siteName).toBe('How To Node');
    expect(blog.title).toBe('Realtime heatmaps');
  });

  it('dates a wiki page by its last edit, not by a citation’s access date or an infobox’s release date', async () => {
    const body = `<table class="infobox"><tr><th>Stable release</th><td><span class="published">2012-06-14</span></td></tr></table>
      <p>${prose('Go is a language')}</p>
      <ol class="references"><li><cite>"Go 1". <span class="reference-accessdate">Retrieved 14 June 2012</span></cite></li></ol>
      <ul id="footer-info"><li id="footer-info-lastmod"> This page was last modified on 23 August 2012 at 20:34.</li></ul>`;
    const wiki = await read(page('<title>Go - Wikipedia</title>', body), 'https://en.wikipedia.org/wiki/Go');
    expect(wiki.publishedAt).toBe('2012-08-23T12:00:00.000Z');
    expect(wiki.modifiedAt).toBe('2012-08-23T12:00:00.000Z');
    // "Last updated:" beside an article dates its change, after its publication.
    const updated = await read(
      page('<meta property="article:published_time" content="2020-05-01T10:00:00Z">', `<p class="updated">Last updated: June 2, 2020</p><p>${prose('Text')}</p>`),
    );
    expect(updated.publishedAt).toBe('2020-05-01T10:00:00.000Z');
    expect(updated.modifiedAt?.slice(0, 10)).toBe('2020-06-02');
  });

  it('reads a blog’s author box and its "Date Released" field', async () => {
    const body = `<p>${prose('This article outlines')}</p>
      <div class="aside"><h4>About the Author</h4><dl><dt>Name:</dt><dd>Geoff Flarity</dd></dl><dl><dt>Github:</dt><dd>gflarity</dd></dl></div>
      <div class="aside"><dl><dt>Date Released:</dt><dd>Tuesday February 21, 2011</dd></dl></div>`;
    const blog = await read(page('<title>Heat maps</title>', body));
    expect(blog.author).toBe('Geoff Flarity');
    expect(blog.publishedAt?.slice(0, 10)).toBe('2011-02-21');
    // A "Name:" field outside an author box names no author.
    expect((await read(page('<title>Form</title>', `<dl><dt>Name:</dt><dd>Jane Doe</dd></dl><p>${prose('Text')}</p>`))).author).toBeNull();
  });

  it('takes the page’s first paragraph over a description that only repeats the site’s tagline, except on the home page', async () => {
    const head = '<meta name="description" content="Learn the zen of coding in NodeJS.">';
    const body = `<header><h1>How To Node</h1><h2 class="tagline">The zen of coding in node.JS</h2></header><p>${prose('This article outlines how')}</p>`;
    expect((await read(page(head, body))).description?.startsWith('This article outlines how')).toBe(true);
    expect((await read(page(head, body), 'https://example.com/')).description).toBe('Learn the zen of coding in NodeJS.');
    // A description of its own stays.
    const own = '<meta name="description" content="How to draw a heat map of syscall latency with DTrace and Socket.IO.">';
    expect((await read(page(own, body))).description).toBe('How to draw a heat map of syscall latency with DTrace and Socket.IO.');
  });

  it('describes a wiki page by its opening sentence, however densely linked, but passes over lists of links', async () => {
    const opening = `<p>Go is a <a href="/c">compiled</a>, <a href="/g">garbage-collected</a>, <a href="/k">concurrent</a> <a href="/p">programming language</a> developed by <a href="/o">Google Inc.</a><sup>[6]</sup></p>`;
    const related = `<p><a href="/a">Ten ways the river changed the town forever</a> <a href="/b">The mayor answers questions about the flood.</a></p>`;
    const wiki = await read(page('<title>Go</title>', `${related}${opening}<p>${prose('The initial design')}</p>`), 'https://en.wikipedia.org/wiki/Go');
    expect(wiki.description).toBe('Go is a compiled, garbage-collected, concurrent programming language developed by Google Inc.');
  });

  it('describes a page by a second meta description when the first repeats the title', async () => {
    const head = `<title>Arabic newspapers Online</title><meta name="description" content="Arabic newspapers Online.">
      <meta name="description" content="A complete listing of Arabic newspapers and magazines on the web, by country.">`;
    expect((await read(page(head, ''))).description).toBe('A complete listing of Arabic newspapers and magazines on the web, by country.');
  });

  it('names no author from a copyright notice, and takes no picture from an ad server', async () => {
    const head = '<meta name="author" content="(c) Arabic Media"><meta name="Author" content="© Example Media">';
    expect((await read(page(head, `<p>${prose('Text')}</p>`))).author).toBeNull();
    const ads = `<article><img src="http://adserver.adtech.example/adserv/3.0/5110/73085/0/225/ADTECH;loc=300" width="300" height="250"></article>`;
    expect((await read(page('<title>Reviews</title>', ads))).image).toBeNull();
  });
});
