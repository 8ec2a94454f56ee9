import { describe, expect, it } from 'vitest';
import { BlockedUrlError, checkUrl, isPublicAddress, parseAllowList } from '../src/modules/links/fetch/url-policy.ts';

const none = parseAllowList([]);

describe('which addresses may be fetched', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    '::ffff:127.0.0.1',
    '::ffff:8.8.8.8',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    'ff02::1',
  ])('refuses %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111'])('allows %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });
});

describe('checkUrl', () => {
  it.each([
    ['http://127.0.0.1/', /not public/],
    ['http://0x7f.1/', /not public/],
    ['http://2130706433/', /not public/],
    ['http://0177.0.0.1/', /not public/],
    ['http://[::1]/', /not public/],
    ['http://[::ffff:127.0.0.1]/', /not public/],
    ['http://169.254.169.254/latest/meta-data', /not public/],
    ['http://100.64.0.1/', /not public/],
    ['http://example.com:8080/', /port 8080/],
    ['ftp://example.com/', /scheme/],
    ['file:///etc/passwd', /scheme/],
    ['gopher://example.com/', /scheme/],
    ['https://user:pw@example.com/', /credentials/],
    [`https://example.com/${'a'.repeat(2100)}`, /longer/],
  ])('blocks %s before any byte leaves', (url, reason) => {
    expect(() => checkUrl(url, none)).toThrow(BlockedUrlError);
    expect(() => checkUrl(url, none)).toThrow(reason);
  });

  it('allows public http(s) URLs on 80 and 443', () => {
    expect(checkUrl('https://example.com/a?b=1', none).href).toBe('https://example.com/a?b=1');
    expect(checkUrl('http://example.com:80/', none).port).toBe('');
  });

  it('lifts the block for allow-listed host:port only', () => {
    const allow = parseAllowList(['127.0.0.1:8123', 'intranet.local']);
    expect(checkUrl('http://127.0.0.1:8123/x', allow).href).toBe('http://127.0.0.1:8123/x');
    expect(() => checkUrl('http://127.0.0.1:8124/x', allow)).toThrow(BlockedUrlError);
    expect(checkUrl('http://intranet.local:9000/', allow).hostname).toBe('intranet.local');
  });
});
