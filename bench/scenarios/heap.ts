import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signUp } from '../lib/graphql.ts';
import { heapDelta } from '../lib/heap-diff.ts';
import { startPlaza } from '../lib/processes.ts';
import { openSubscribers } from '../lib/subscribers.ts';
import { benchChannel, SUB } from './fanout.ts';

/**
 * What one idle subscribed connection holds on Plaza's heap: heap snapshots
 * (SIGUSR2) before and after `count` more subscribers of one channel, and the
 * difference per connection by kind (`BENCH_ONLY=heap`).
 */
export async function runHeapBreakdown(env: Record<string, string>, count = 2_000) {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-heap-'));
  const plaza = await startPlaza(env, ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`]);
  /** Asks for a snapshot and waits until its file has stopped growing (a snapshot is written synchronously, then closed). */
  const snapshot = async () => {
    const before = new Set(readdirSync(dir));
    plaza.child.kill('SIGUSR2');
    let file = '';
    let size = -1;
    for (;;) {
      await sleep(500);
      file ||= readdirSync(dir).find((f) => !before.has(f)) ?? '';
      if (!file) continue;
      const now = statSync(join(dir, file)).size;
      if (now > 0 && now === size) return join(dir, file);
      size = now;
    }
  };
  try {
    const viewer = await signUp(plaza.url, 'viewer');
    const { channel } = await benchChannel(plaza.url);
    const operation = { query: SUB, variables: { id: channel } };
    // Warm: the first subscribers build what every later one shares (hub, shared execution, caches).
    const warm = await openSubscribers(plaza.url, 50, operation, viewer.token);
    const before = await snapshot();
    const pool = await openSubscribers(plaza.url, count, operation, viewer.token);
    const after = await snapshot();
    await pool.close();
    await warm.close();
    return { connections: count, ...heapDelta(before, after, count) };
  } finally {
    await plaza.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
