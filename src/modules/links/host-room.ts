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
