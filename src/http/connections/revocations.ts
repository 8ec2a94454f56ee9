import type { Logger } from '../../logger.ts';
import type { Delivered } from '../../realtime/streams.ts';
import type { ConnectionRegistry } from './registry.ts';

/** Where revocations come from: the sessions service's stream (a dependency, not an import of the module). */
export interface RevocationSource {
  watchRevocations(): Promise<AsyncIterableIterator<Delivered<{ userId: string; sessionId: string | null }>>>;
}

/**
 * Closes this instance's connections of sessions revoked anywhere in the
 * cluster (signOut, signOutEverywhere, a replayed refresh token). Revocations
 * are recorded events: one missed while Redis was away is caught up when it
 * returns. Following does not hold up the start: while Redis cannot be
 * reached it keeps trying, and the registry's periodic session check covers
 * the meantime.
 */
export function followRevocations(source: RevocationSource, registry: ConnectionRegistry, logger: Logger) {
  const log = logger.child({ module: 'revocations' });
  let stopped = false;
  let events: AsyncIterableIterator<Delivered<{ userId: string; sessionId: string | null }>> | undefined;
  let retry: NodeJS.Timeout | undefined;

  const follow = async () => {
    try {
      events = await source.watchRevocations();
      if (stopped) return void (await events.return?.());
      for await (const { payload } of events) registry.revoked(payload.userId, payload.sessionId);
    } catch (err) {
      if (stopped) return;
      log.warn({ err: (err as Error).message }, 'not following sign-outs yet; retrying');
      retry = setTimeout(() => void follow(), 2_000);
      retry.unref();
    }
  };
  void follow();

  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await events?.return?.();
    },
  };
}
