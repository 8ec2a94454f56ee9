import type { Logger } from '../../logger.ts';
import { follow, type FollowSource } from '../../realtime/follow.ts';
import type { ConnectionRegistry } from './registry.ts';

/** Where revocations come from: the sessions service's stream (a dependency, not an import of the module). */
export interface RevocationSource {
  watchRevocations: FollowSource<{ userId: string; sessionId: string | null }>;
}

/**
 * Closes this instance's connections of sessions revoked anywhere in the
 * cluster (signOut, signOutEverywhere, a replayed refresh token). Revocations
 * are recorded events: one missed while Redis was away is caught up when it
 * returns, and the registry's periodic session check covers the meantime.
 */
export function followRevocations(source: RevocationSource, registry: ConnectionRegistry, logger: Logger) {
  return follow('revocations', (after) => source.watchRevocations(after), (p) => registry.revoked(p.userId, p.sessionId), logger);
}
