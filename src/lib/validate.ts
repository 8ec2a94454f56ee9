import { badInput } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export const MAX_URL_LENGTH = 2048;

/**
 * Returns the URL if it is an absolute http(s) URL of at most 2,048 characters
 * without credentials; throws BAD_USER_INPUT otherwise.
 */
export function requireHttpUrl(raw: string, field: string): string {
  const value = raw.trim();
  if (value.length === 0) throw badInput(`${field} must not be empty`, field);
  if (value.length > MAX_URL_LENGTH) throw badInput(`${field} must be at most ${MAX_URL_LENGTH} characters`, field);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput(`${field} must be an absolute http(s) URL`, field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badInput(`${field} must be an absolute http(s) URL`, field);
  }
  if (url.username || url.password) throw badInput(`${field} must not contain credentials`, field);
  return value;
}

// One RGI emoji sequence (flags, keycaps, ZWJ families and skin tones included), nothing else.
const SINGLE_EMOJI = /^\p{RGI_Emoji}$/v;

export function requireEmoji(raw: string, field = 'emoji'): string {
  if (!SINGLE_EMOJI.test(raw)) throw badInput(`${field} must be a single emoji`, field);
  return raw;
}

/** Trims, then checks the length in user-perceived characters (code points). */
export function requireText(raw: string, field: string, { min = 1, max }: { min?: number; max: number }): string {
  const value = raw.trim();
  const length = [...value].length;
  if (length < min)
    throw badInput(min === 1 ? `${field} must not be empty` : `${field} must be at least ${min} characters`, field);
  if (length > max) throw badInput(`${field} must be at most ${max} characters`, field);
  return value;
}
