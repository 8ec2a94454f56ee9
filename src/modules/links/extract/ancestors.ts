import type { Element } from 'domhandler';

/**
 * Whether an element stands inside one that `test` picks out (the site's navigation, a footer, readers'
 * comments…), asking each of its ancestors up to `<body>`. `<body>` and `<html>` are not asked: their classes
 * say how the whole page is shown ("sidebar-visible", "nav-open"), not what a part of it is.
 */
export function insideOne(el: Element, test: (ancestor: Element) => boolean): boolean {
  for (let node = el.parent as Element | null; node && node.type === 'tag'; node = node.parent as Element | null) {
    if (node.name === 'body' || node.name === 'html') return false;
    if (test(node)) return true;
  }
  return false;
}

/** Whether an element's tag is one of `tags` or its class or id matches `names`. */
export const named = (tags: ReadonlySet<string>, names: RegExp) => (node: Element) =>
  tags.has(node.name) || names.test(node.attribs.class ?? '') || names.test(node.attribs.id ?? '');
