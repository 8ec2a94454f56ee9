import { describe, expect, it } from 'vitest';
import { extractMetadata } from '../src/modules/links/extract/metadata.ts';

const url = new URL('https://docs.example.org/manual/page.html');
const page = async (body: string, head = '', htmlAttributes = '') =>
  (await extractMetadata(`<!doctype html><html ${htmlAttributes}><head>${head}</head><body>${body}</body></html>`, url)).metadata;
const long = (words: string) => `${words} ${'and then some more words to pass the length a paragraph needs '.repeat(2)}`.trim();

/** Previews of pages that declare little: manuals, references and specifications, as their generators write them. */
describe('previews of documentation pages', () => {
  it('reads paragraphs whatever the classes of <html> and <body> say about the whole page', async () => {
    const preview = await page(`<main><h1>Ownership</h1><p>${long('Ownership is a set of rules')}</p></main>`, '', 'class="light sidebar-visible"');
    expect(preview.description?.startsWith('Ownership is a set of rules')).toBe(true);
    const body = await extractMetadata(`<html><body class="nav-open"><p>${long('The body says how it is shown')}</p></body></html>`, url);
    expect(body.metadata.description?.startsWith('The body says how it is shown')).toBe(true);
  });

  it('passes over a legal notice for the abstract', async () => {
    const preview = await page(`<div class="legalnotice"><p>${long('You may copy this document under the terms of the licence')}</p></div>
      <div class="abstract"><p>${long('A tutorial on building a simple application')}</p></div>`);
    expect(preview.description?.startsWith('A tutorial on building a simple application')).toBe(true);
  });

  it('takes a short whole sentence when the page has no longer paragraph, and a longer one when it has', async () => {
    const short = 'A trivial example that creates a new puts by binding fputs with stdout.';
    expect((await page(`<p>Next: Thread Safety</p><p>${short}</p><pre>int main() {}</pre>`)).description).toBe(short);
    expect((await page(`<p>${short}</p><p>${long('The longer paragraph')}</p>`)).description?.startsWith('The longer paragraph')).toBe(true);
    // Not a sentence: too few words, or no full stop.
    expect((await page('<p>Posted in Announcements, Releases and Other News</p>')).description).toBeNull();
  });

  it('does not take a declared description that only repeats the title', async () => {
    const title = 'Closure Example (libffi: the portable foreign function interface library)';
    const head = `<title>${title}</title><meta name="description" content="${title}">`;
    expect((await page(`<p>${long('Here is how a closure is made')}</p>`, head)).description?.startsWith('Here is how a closure is made')).toBe(true);
  });

  it('keeps words in angle brackets that are not markup', async () => {
    const preview = await page('<p>If &lt;branch&gt; is specified, git rebase will perform an automatic git switch &lt;branch&gt; before anything else.</p>');
    expect(preview.description).toBe('If <branch> is specified, git rebase will perform an automatic git switch <branch> before anything else.');
    expect((await page('', '<meta name="description" content="A <b>bold</b> claim<br/>made &lt;here&gt;, and more words">')).description).toBe(
      'A bold claim made <here>, and more words',
    );
  });

  it('reads the author and the date from the page’s own fields (definition lists, tables)', async () => {
    const fields = await page(`<h1>What’s New</h1><dl class="field-list"><dt>Release<span>:</span></dt><dd><p>3.11.2</p></dd>
      <dt>Date<span>:</span></dt><dd><p>October 07, 2026</p></dd><dt>Editor<span>:</span></dt><dd><p>Pablo Galindo Salgado</p></dd></dl>`);
    expect(fields.author).toBe('Pablo Galindo Salgado');
    expect(fields.publishedAt?.slice(0, 10)).toBe('2026-10-07');
    const table = await page('<table><tr><th>Author</th><td>Jane Doe</td></tr><tr><th>Published</th><td>3 March 2021</td></tr></table>');
    expect([table.author, table.publishedAt?.slice(0, 10)]).toEqual(['Jane Doe', '2021-03-03']);
    // A label without its value beside it says nothing.
    expect((await page('<dl><dt>Author</dt><dt>Date</dt></dl>')).author).toBeNull();
  });

  it('names the person among a document’s authors, not the organisation beside them', async () => {
    const preview = await page(`<div class="authorgroup"><h3 class="corpauthor"><a href="https://www.example.org">X Desktop Group</a></h3>
      <h3 class="author"><a name="a6">Thomas Leonard</a></h3></div>`);
    expect(preview.author).toBe('Thomas Leonard');
  });

  it('takes no picture from the site’s chrome: its logo, navigation, emoji, icons or a manual’s callout marks', async () => {
    const chrome = await page(`<div id="page-header"><img alt="" src="/images/feather.png"></div>
      <nav><img src="/img/home.png"></nav><div class="footer"><img src="/img/partner.png"></div>
      <p>Hello <img class="emoji" src="https://s.w.org/images/core/emoji/13.1.0/svg/1f1ec-1f1e7.svg"> there</p>
      <img src="/static/py.svg" alt="Python logo"><img src="/images/callouts/1.png" alt="1"><img src="/icons/next.png">`);
    expect(chrome.image).toBeNull();
    // A container whose class only has "nav" as part of a name says nothing about the pictures in it.
    const story = await page('<div class="blq-int-nav"><div class="story-body"><img width="304" height="171" src="/images/2012/12/06/leung.jpg"></div></div>');
    expect(story.image).toBe('https://docs.example.org/images/2012/12/06/leung.jpg');
  });
});
