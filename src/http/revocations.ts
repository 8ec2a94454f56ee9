import type { Logger } from '../logger.ts';
import type { Realtime } from '../realtime/pubsub.ts';
import type { ConnectionRegistry } from './connections.ts';

/**
 * Closes this instance's connections of sessions revoked anywhere in the
 * cluster (signOut, signOutEverywhere, a replayed refresh token). Listening
 * does not hold up the start: while Redis is away it keeps trying, and the
 * registry's periodic session check covers what is missed meanwhile.
 */
export function followRevocations(realtime: Realtime, registry: ConnectionRegistry, logger: Logger) {
  const log = logger.child({ module: 'revocations' });
  let stopped = false;
  let events: AsyncIterableIterator<{ userId: string; sessionId: string | null }> | undefined;
  let retry: NodeJS.Timeout | undefined;

  const follow = async () => {
    try {
      await realtime.whenReady();
      if (stopped) return;
      events = await realtime.listen('session:revoked', 'all');
      if (stopped) return void (await events.return?.());
      for await (const { userId, sessionId } of events) registry.revoked(userId, sessionId);
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
