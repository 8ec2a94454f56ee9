/** Elements that never hold others: an opening tag of one does not nest what follows. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** Elements whose content is text up to their closing tag, whatever `<` it holds. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'noscript', 'iframe', 'noembed', 'noframes']);

const isNameStart = (code: number) => (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
/** The closing tag of each raw-text element, found case-insensitively from a position. */
const CLOSERS = new Map([...RAW_TEXT].map((name) => [name, new RegExp(`</${name}`, 'gi')]));
const isNameChar = (code: number) => isNameStart(code) || (code >= 48 && code <= 57) || code === 45 || code === 58;

/**
 * Where markup first nests elements more than `maxDepth` deep (an offset in
 * `text`), or the text's length. One pass over the tags, counting opening
 * tags as one level down and closing tags as one up; an estimate (the
 * parser closes some elements implicitly, so real nesting is shallower),
 * never less than the real depth. The HTML parser's cost grows with the
 * square of the nesting: a page of 50,000 unclosed `<div>`s takes a second
 * to parse, where an ordinary page takes milliseconds.
 */
export function nestingLimit(text: string, maxDepth: number): number {
  // Fewer tags than the limit cannot nest past it.
  if (text.length < maxDepth * 3) return text.length;
  let depth = 0;
  let at = text.indexOf('<');
  while (at >= 0 && at < text.length) {
    const next = text.charCodeAt(at + 1);
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      const end = text.startsWith('<!--', at) ? text.indexOf('-->', at + 4) : text.indexOf('>', at + 2);
      if (end < 0) break;
      at = text.indexOf('<', end + 1);
      continue;
    }
    const closing = next === 47; /* / */
    let nameEnd = at + (closing ? 2 : 1);
    if (!isNameStart(text.charCodeAt(nameEnd))) {
      at = text.indexOf('<', at + 1);
      continue;
    }
    while (isNameChar(text.charCodeAt(nameEnd))) nameEnd++;
    const tagEnd = text.indexOf('>', nameEnd);
    if (tagEnd < 0) break;
    const name = text.slice(at + (closing ? 2 : 1), nameEnd).toLowerCase();
    let resume = tagEnd + 1;
    if (closing) depth = Math.max(0, depth - 1);
    else if (!VOID.has(name) && text.charCodeAt(tagEnd - 1) !== 47) {
      const closer = CLOSERS.get(name);
      if (closer) {
        closer.lastIndex = resume;
        const close = closer.exec(text);
        if (!close) break;
        resume = close.index;
      } else if (++depth > maxDepth) return at;
    }
    at = text.indexOf('<', resume);
  }
  return text.length;
}
