import { decodeGlobalID } from '@pothos/plugin-relay';
import { notFound } from '../lib/errors.ts';

/**
 * The database id inside a global ID of the given type. A malformed id or one
 * of another type names nothing this field could find: NOT_FOUND.
 */
export function localId(globalId: string, typename: string): string {
  try {
    const decoded = decodeGlobalID(globalId);
    if (decoded.typename === typename) return decoded.id;
  } catch {
    // fall through
  }
  throw notFound(typename);
}
