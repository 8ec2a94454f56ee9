/**
 * A string as one flat copy. A string built by concatenation stays a tree of
 * pieces in V8, and once read whole it also keeps a flattened copy beside
 * them; one kept for a subscription's life is better copied flat once.
 */
export function flat(text: string): string {
  return Buffer.from(text).toString();
}
