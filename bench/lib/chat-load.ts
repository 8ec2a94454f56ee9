import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { openChatViewers } from './chat-viewers.ts';

interface LoadData {
  url: string;
  tokens: string[];
  query: { query: string; variables: Record<string, unknown> };
}

/**
 * Chat viewers as load only, in a thread of their own: tens of thousands of
 * frames a second are read there, not on the event loop that times the
 * highlights. Resolves once every one has joined; `close()` ends them.
 */
export async function chatLoadInThread(data: LoadData): Promise<{ close(): Promise<void> }> {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: data, execArgv: ['--experimental-strip-types'] });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return {
    async close() {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

if (!isMainThread && parentPort) {
  const { url, tokens, query } = workerData as LoadData;
  const viewers = await openChatViewers(url, tokens, query, { sampled: 0, read: false });
  parentPort.postMessage('ready');
  parentPort.once('message', () => {
    viewers.close();
    process.exit(0);
  });
}
