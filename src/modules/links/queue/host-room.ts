import { hostOf } from '../normalize.ts';
import type { JobStart, LinkForJob } from '../service.ts';

/**
 * Jobs of this process waiting for room on a host (its fetches at the
 * per-host limit), woken when a fetch of the host here lets go of its claim.
 * A fetch on another instance wakes nobody here: waiters also look again when
 * their time is up.
 */
export interface HostRoom {
  /** Resolves when a fetch of `host` here has let go, after `ms`, or on `signal`, whichever comes first. */
  wait(host: string, ms: number, signal?: AbortSignal): Promise<void>;
  /** A fetch of `host` here let go of its claim. */
  freed(host: string): void;
}

export function createHostRoom(): HostRoom {
  const waiting = new Map<string, Set<() => void>>();
  return {
    wait(host, ms, signal) {
      return new Promise<void>((resolve) => {
        let waiters = waiting.get(host);
        if (!waiters) waiting.set(host, (waiters = new Set()));
        const wake = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', wake);
          waiters.delete(wake);
          if (waiters.size === 0 && waiting.get(host) === waiters) waiting.delete(host);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    },
    freed(host) {
      for (const wake of [...(waiting.get(host) ?? [])]) wake();
    },
  };
}

/**
 * A job whose host is at its limit looks again when a fetch of the host in
 * this process lets go, or after `first` ms, doubling to `max` (a fetch
 * elsewhere lets go unheard), for `total` ms at most (inside the margin
 * `jobExpirySeconds` leaves past a whole attempt); then the queue takes it back.
 */
const HOST_WAIT_MS = { first: 100, max: 1_000, total: 5_000 };

/** A start that found its host at the limit. */
export const hostBusy = (start: JobStart): start is { link: LinkForJob; cached: null; claim: { state: 'host-busy' } } =>
  start.link !== null && !start.cached && start.claim.state === 'host-busy';

/** Claims again while the host is full, until it has room or the wait is over (the last start still host-busy) or aborted. */
export async function waitForRoom(room: HostRoom, start: JobStart, claim: () => Promise<JobStart>, signal?: AbortSignal): Promise<JobStart> {
  for (let waitMs = HOST_WAIT_MS.first, waited = 0; hostBusy(start); waitMs = Math.min(waitMs * 2, HOST_WAIT_MS.max)) {
    if (waited >= HOST_WAIT_MS.total || signal?.aborted) break;
    const before = Date.now();
    await room.wait(hostOf(start.link.url), waitMs, signal);
    waited += Date.now() - before;
    start = await claim();
  }
  return start;
}
