import { describe, expect, it } from 'vitest';
import { jsonLdBlocks, previewSource } from '../src/modules/links/extract/decode.ts';
import { nestingLimit } from '../src/modules/links/extract/nesting.ts';

describe('the scans over a page body', () => {
  it('finds every closed JSON-LD block after the head, skipping other scripts and unclosed openers', () => {
    const text =
      '<head></head><body><script>var a = "<script>";</script>' +
      '<SCRIPT TYPE="application/ld+json">{"a":1}</SCRIPT >' +
      '<script type=application/ld+json>{"b":2}</script><script type=application/ld+json>{"c":';
    const blocks = jsonLdBlocks(text, text.indexOf('</head>')).map(([from, to]) => text.slice(from, to));
    expect(blocks).toEqual(['<SCRIPT TYPE="application/ld+json">{"a":1}</SCRIPT >', '<script type=application/ld+json>{"b":2}</script>']);
  });

  it('cuts a page where its elements nest past the limit, counting only what nests', () => {
    const flat = `<html><body>${'<p>text</p><br><img src=x><input/>'.repeat(2_000)}<!-- <div><div> --><script>"<div>".repeat(9)</script></body></html>`;
    expect(nestingLimit(flat, 50)).toBe(flat.length);
    const deep = `<html><body>${'<div>'.repeat(100)}`;
    expect(nestingLimit(deep, 50)).toBe('<html><body>'.length + 48 * '<div>'.length);
    expect(nestingLimit('<DIV><Div><div>', 2)).toBe(10);
  });

  it('hands the parser a deeply nested page only up to the limit', () => {
    const page = Buffer.from(`<html><head><title>t</title></head><body>${'<div>'.repeat(100_000)}`, 'latin1');
    const source = previewSource(page);
    expect(source.length).toBeLessThan(10_000);
    expect(source.toString('latin1').startsWith('<html><head><title>t</title></head><body><div>')).toBe(true);
  });
});
