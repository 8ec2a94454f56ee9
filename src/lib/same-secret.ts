import { timingSafeEqual } from 'node:crypto';

/** Compares a secret (or its hash) without leaking through timing where they differ. */
export function sameSecret(a: string, b: string | null | undefined): boolean {
  if (b == null) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
