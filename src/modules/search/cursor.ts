import { badInput } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';

export const SEARCH_KINDS = ['POST', 'USER', 'PRODUCT', 'SECTION', 'CHANNEL'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** A place in a ranked result list: its score (as the statement rounds it), kind and id. */
export interface SearchCursor {
  score: string;
  kind: SearchKind;
  id: string;
}

const SCORE = /^\d{1,3}(\.\d{1,6})?$/;

export const encodeSearchCursor = (c: SearchCursor) => Buffer.from(`s1|${c.score}|${c.kind}|${c.id}`).toString('base64url');

/** An `after` cursor given back by a client; BAD_USER_INPUT when it is not one of ours. */
export function decodeSearchCursor(raw: string): SearchCursor {
  const [version, score, kind, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (version !== 's1' || !score || !SCORE.test(score) || !SEARCH_KINDS.includes(kind as SearchKind) || !id || !isUuid(id)) {
    throw badInput('after is not a cursor of this search', 'after');
  }
  return { score, kind: kind as SearchKind, id };
}
