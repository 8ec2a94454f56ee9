/**
 * Subscribers as load in processes of their own (BENCH_ONLY=scale): one
 * process may hold fewer sockets than a machine's worth of subscribers (its
 * descriptor limit), so the scale scenario splits them over several of
 * these. Each opens its share over the servers' URLs in turn, then answers
 * `{ wait: version }` with `{ seen: version }` once every socket it holds has
 * that version. Usage (forked with IPC): subscriber-load.ts <json file>
 */
import { readFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openSubscribers, type SubscriberPool } from './subscribers.ts';

interface LoadSpec {
  urls: string[];
  count: number;
  query: string;
  variables: Record<string, unknown>;
  token: string;
}

type FromParent = { wait: number } | { close: true };

export interface SubscriberLoad {
  waitForAll(version: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Forks `processes` load processes sharing `spec.count` subscribers; resolves once every one is subscribed. */
export async function startSubscriberLoad(spec: LoadSpec, processes: number, specFile: (index: number, spec: LoadSpec) => string): Promise<SubscriberLoad> {
  const entry = fileURLToPath(import.meta.url);
  const children = Array.from({ length: processes }, (_, i) => {
    const share = Math.floor(spec.count / processes) + (i < spec.count % processes ? 1 : 0);
    // Each starts on another URL, so a split over two servers stays even.
    const urls = [...spec.urls.slice(i % spec.urls.length), ...spec.urls.slice(0, i % spec.urls.length)];
    return fork(entry, [specFile(i, { ...spec, urls, count: share })], { execArgv: ['--experimental-strip-types'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  });
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.once('exit', (code) => reject(new Error(`a subscriber load process exited with ${code}`)));
          child.once('message', (message) => ((message as { ready?: boolean }).ready ? resolve() : reject(new Error(JSON.stringify(message)))));
        }),
    ),
  );
  for (const child of children) child.removeAllListeners('exit');
  return {
    waitForAll: (version, timeoutMs = 60_000) =>
      Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error(`version ${version} not everywhere after ${timeoutMs} ms`)), timeoutMs);
              const onMessage = (message: unknown) => {
                if ((message as { seen?: number }).seen !== version) return;
                clearTimeout(timer);
                child.off('message', onMessage);
                resolve();
              };
              child.on('message', onMessage);
              child.send({ wait: version } satisfies FromParent);
            }),
        ),
      ).then(() => undefined),
    close: () =>
      Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.send({ close: true } satisfies FromParent);
            }),
        ),
      ).then(() => undefined),
  };
}

// As a load process: open the share, then answer the parent.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
  const pools: SubscriberPool[] = [];
  for (const [i, url] of spec.urls.entries()) {
    const count = Math.floor(spec.count / spec.urls.length) + (i < spec.count % spec.urls.length ? 1 : 0);
    if (count > 0) pools.push(await openSubscribers(url, count, { query: spec.query, variables: spec.variables }, spec.token));
  }
  process.send({ ready: true });
  process.on('message', (message: FromParent) => {
    if ('wait' in message) {
      void Promise.all(pools.map((pool) => pool.waitForAll(message.wait, 120_000))).then(
        () => process.send!({ seen: message.wait }),
        (err: Error) => process.send!({ error: err.message }),
      );
    } else {
      void Promise.all(pools.map((pool) => pool.close())).then(() => process.exit(0));
    }
  });
}
