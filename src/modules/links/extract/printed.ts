import { type Element, isTag, isText } from 'domhandler';
import { insideOne, named } from './ancestors.ts';
import { type PageDocument, textOf } from './document.ts';

/** Elements that hold a line of text on a page: where a byline or a dateline without any class of its own stands. */
const LINE_TAGS = new Set(['p', 'span', 'div', 'em', 'strong', 'b', 'i', 'small', 'li', 'h4', 'h5', 'h6', 'address', 'td', 'font']);
/** Prose of the text itself (a paragraph, a block of lines): its start marks where bylines and datelines end. */
const LONG_PARAGRAPH = 200;
/** Where prose stands (not a script's or a style's text). */
const PROSE_TAGS = new Set(['p', 'div', 'td', 'article', 'section', 'blockquote', 'li', 'span', 'font']);
/** How many elements are read: a page prints its byline near its start. */
const ELEMENTS_READ = 4_000;

/**
 * The text of the first short line of the page (an element of a few children, at most `max` characters)
 * that `wanted` accepts: a byline or a dateline printed without markup saying what it is.
 */
export function printedLine(doc: PageDocument, wanted: RegExp, max = 120): string | null {
  const end = Math.min(doc.elements.length, ELEMENTS_READ);
  for (let i = 0; i < end; i++) {
    const el = doc.elements[i]!;
    // A page prints its byline and dateline above its text: past the first long paragraph, lines are the text's own
    // or its readers' ("posted by … on …" under a comment).
    if (PROSE_TAGS.has(el.name) && ownTextLength(el) >= LONG_PARAGRAPH) break;
    if (!LINE_TAGS.has(el.name) || el.children.length > 6 || !startsWithText(el)) continue;
    const text = firstLine(el).replace(/\s+/g, ' ').trim();
    if (text.length <= max && wanted.test(text) && !inCommentsOrChrome(el)) return text;
  }
  return null;
}

/** Elements that end a line: what follows them is another line ("By: Jane Doe<br>Executive Editor"). */
const LINE_ENDS = new Set(['br', 'p', 'div', 'li', 'ul', 'ol', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'section', 'article', 'header', 'footer']);

/** An element's text up to its first line break or block. */
function firstLine(el: Element): string {
  let text = '';
  for (const child of el.children) {
    if (isText(child)) text += child.data;
    else if (isTag(child)) {
      if (LINE_ENDS.has(child.name)) break;
      text += textOf(child);
    }
  }
  return text;
}

const CHROME_TAGS = new Set(['nav', 'footer', 'aside', 'menu']);
/** Readers' comments and the site's chrome: their "posted by … on …" lines are not the page's. */
const ELSEWHERE = /comment|respon|reply|replies|discussion|footer|sidebar|related/i;

const inCommentsOrChrome = (el: Element) => insideOne(el, named(CHROME_TAGS, ELSEWHERE));

/** The length of an element's own text (its text children, not its elements'): prose, or a line. */
function ownTextLength(el: Element): number {
  let length = 0;
  for (const child of el.children) if (isText(child)) length += child.data.trim().length;
  return length;
}

/** Whether the element's first child is text (its line is its own, not a container's). */
function startsWithText(el: Element): boolean {
  const first = el.children.find((child) => child.type !== 'comment');
  return first !== undefined && isText(first) && /\S/.test(first.data);
}
