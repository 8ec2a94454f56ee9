import type { Logger } from '../logger.ts';
import type { Delivered } from './replay-pages.ts';

/** Where a follower reads from: a stream, resumed after the last event it handled (null: from now on). */
export type FollowSource<P> = (after: number | null) => Promise<AsyncIterableIterator<Delivered<P>>>;

/**
 * Follows a cluster-wide stream for the life of the process (sign-outs,
 * loss of access, erasures): each event handed to `handle`, in order. Does
 * not hold up the start: while the stream cannot be opened (Redis or the
 * database away) it keeps trying, and picks up after the last event it
 * handled, so nothing recorded meanwhile is missed.
 */
export function follow<P>(name: string, source: FollowSource<P>, handle: (payload: P) => void, logger: Logger) {
  const log = logger.child({ module: name });
  let stopped = false;
  let events: AsyncIterableIterator<Delivered<P>> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let last: number | null = null;

  const run = async () => {
    try {
      events = await source(last);
      if (stopped) return void (await events.return?.());
      for await (const event of events) {
        last = event.seq;
        try {
          handle(event.payload);
        } catch (err) {
          log.error({ err }, 'handling an event failed');
        }
      }
      if (stopped) return;
      throw new Error('the stream ended');
    } catch (err) {
      if (stopped) return;
      log.warn({ err: (err as Error).message }, 'not following yet; retrying');
      retry = setTimeout(() => void run(), 2_000);
      retry.unref();
    }
  };
  void run();

  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await events?.return?.();
    },
  };
}
