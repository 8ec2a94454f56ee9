import { badInput } from '../../lib/errors.ts';
import { requireHttpUrl, requireText } from '../../lib/validate.ts';

export const MAX_CONTENT = 10_000;
export const MAX_LINKS = 10;

export interface NewPost {
  content: string;
  links: string[];
}

/** Checks a post's content and links; duplicate links are kept once, in first-seen order. */
export function validateNewPost(input: { content: string; links?: readonly string[] | null }): NewPost {
  const content = requireText(input.content, 'content', { max: MAX_CONTENT });
  const raw = input.links ?? [];
  if (raw.length > MAX_LINKS) throw badInput(`a post may have at most ${MAX_LINKS} links`, 'links');
  const links = [...new Set(raw.map((url) => requireHttpUrl(url, 'links')))];
  return { content, links };
}

/** An edit: new content, and the links anew when given. */
export function validatePostEdit(input: { content: string; links?: readonly string[] | null }): { content: string; links: string[] | null } {
  const { content, links } = validateNewPost(input);
  return { content, links: input.links === null || input.links === undefined ? null : links };
}
