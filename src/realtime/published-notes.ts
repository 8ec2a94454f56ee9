/** The channel on which every process says what it published: [topic, key, first seq, last seq] runs. */
export const PUBLISHED_CHANNEL = 'plaza:published';

export type PublishedRun = [topic: string, key: string, from: number, to: number];

/** How often a process says what it published; well inside the relay's grace period. */
const NOTE_MS = 100;

/**
 * What this process published, gathered into runs of consecutive sequence
 * numbers per stream and sent as one message every 100 ms while there is
 * something to say: the relay (broker.observe) passes over what it sees
 * here instead of publishing it again. A note lost costs at most a second
 * publication of those events, which subscribers drop.
 */
export function createPublishedNotes(send: (runs: PublishedRun[]) => Promise<unknown>) {
  let runs = new Map<string, PublishedRun[]>();
  const timer = setInterval(() => {
    if (runs.size === 0) return;
    const all = [...runs.values()].flat();
    runs = new Map();
    send(all).catch(() => {
      // Redis is away: the relay publishes these again once it is back.
    });
  }, NOTE_MS);
  timer.unref();
  return {
    published(topic: string, key: string, seq: number) {
      const id = `${topic}\u0000${key}`;
      const list = runs.get(id);
      const last = list?.at(-1);
      if (last && seq === last[3] + 1) last[3] = seq;
      else if (list) list.push([topic, key, seq, seq]);
      else runs.set(id, [[topic, key, seq, seq]]);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
