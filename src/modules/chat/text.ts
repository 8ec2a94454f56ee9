import { badInput } from '../../lib/errors.ts';

export const MAX_CHAT_TEXT = 500;

// C0 and C1 control characters but the line feed, and the invisible bidirectional overrides.
const CONTROL = /(?!\n)\p{Cc}|[\u202A-\u202E\u2066-\u2069]/u;

/**
 * A chat message's text: 1 to 500 characters (code points) once trimmed, no
 * control characters but line feeds. Stored and sent as written: it is
 * text, never markup, for every client to escape as text.
 */
export function requireChatText(raw: string): string {
  const text = raw.trim();
  if (CONTROL.test(text)) throw badInput('text must not contain control characters', 'text');
  const length = [...text].length;
  if (length === 0) throw badInput('text must not be empty', 'text');
  if (length > MAX_CHAT_TEXT) throw badInput(`text must be at most ${MAX_CHAT_TEXT} characters`, 'text');
  return text;
}
