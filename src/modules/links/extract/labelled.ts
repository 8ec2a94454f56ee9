import type { Element } from 'domhandler';
import { type PageDocument, selectAll, textOf } from './document.ts';

/** How many labels are read: a page's own fields come before the first hundred. */
const LABELS_READ = 100;

/**
 * The value a page gives a label in a definition list or a table: `<dt>Author:</dt><dd>Jane Doe</dd>`,
 * `<th>Published</th><td>May 1, 2020</td>` (documentation generators' field lists, infoboxes, records); `within`:
 * only inside that element.
 */
export function labelledValue(doc: PageDocument, label: RegExp, within?: Element): string | null {
  let read = 0;
  for (const el of selectAll(doc, 'dt, th', within)) {
    if (++read > LABELS_READ) break;
    if (!label.test(textOf(el).trim().replace(/\s*:$/, ''))) continue;
    const value = nextElement(el, el.name === 'dt' ? 'dd' : 'td');
    if (value) return textOf(value);
  }
  return null;
}

function nextElement(el: Element, name: string): Element | null {
  for (let node = el.next; node; node = node.next) {
    if (node.type !== 'tag') continue;
    return (node as Element).name === name ? (node as Element) : null;
  }
  return null;
}
