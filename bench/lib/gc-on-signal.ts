import { getHeapSpaceStatistics } from 'node:v8';

// Preloaded into every process the bench starts (with --expose-gc): SIGWINCH runs a full garbage
// collection, so resident memory is read after what a burst of work left behind is gone; SIGUSR2 prints
// where the process's memory is (V8's heap spaces, external memory) as one JSON line on stderr.
process.on('SIGWINCH', () => (globalThis as { gc?: () => void }).gc?.());
process.on('SIGUSR2', () => {
  const mb = (n: number) => Math.round(n / 2 ** 20);
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { size: mb(s.space_size), used: mb(s.space_used_size) }]));
  const usage = process.memoryUsage();
  process.stderr.write(`${JSON.stringify({ pid: process.pid, rss: mb(usage.rss), heapTotal: mb(usage.heapTotal), external: mb(usage.external), arrayBuffers: mb(usage.arrayBuffers), spaces })}\n`);
});
