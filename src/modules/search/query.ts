import { badInput } from '../../lib/errors.ts';

/** Longest query taken, in characters. */
export const MAX_QUERY_LENGTH = 200;
/** Words of a query used at most: a longer one is cut (each word is an index lookup). */
const MAX_WORDS = 8;

/** A search query as the statement takes it. */
export interface SearchTerms {
  /** The query as typed (trimmed): websearch syntax, quotes and `-word`, for `websearch_to_tsquery`. */
  text: string;
  /** All but the last word, when the last is a word being typed: matched whole. */
  head: string;
  /** The last word, matched as a prefix (`word:*`), or null when the query does not end in a plain word. */
  prefix: string | null;
  /** The words, lower-cased, for names: `similarity`, `ILIKE 'word%'`. */
  name: string;
}

const WORD = /^[\p{L}\p{N}]+$/u;

/**
 * Reads a search query: BAD_USER_INPUT when empty or over MAX_QUERY_LENGTH.
 * Words are letters and digits (anything else separates them); the last one
 * is taken as a prefix unless the query ends in a quote, a space or a
 * `-word`: "plaza liv" finds "plaza live".
 */
export function searchTerms(raw: string): SearchTerms {
  const text = raw.normalize('NFKC').trim();
  if (text.length === 0) throw badInput('query must not be empty', 'query');
  if (text.length > MAX_QUERY_LENGTH) throw badInput(`query must be at most ${MAX_QUERY_LENGTH} characters`, 'query');
  const tokens = text.split(/\s+/).slice(0, MAX_WORDS);
  const last = tokens.at(-1)!;
  const typing = WORD.test(last) && !/\s$/.test(raw);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return {
    text: tokens.join(' '),
    head: typing ? tokens.slice(0, -1).join(' ') : tokens.join(' '),
    prefix: typing ? last.toLowerCase() : null,
    name: words.slice(0, MAX_WORDS).join(' '),
  };
}
