import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openChatViewers } from './chat-viewers.ts';

interface LoadData {
  url: string;
  tokens: string[];
  query: { query: string; variables: Record<string, unknown> };
}

/**
 * Chat viewers as load only, in a process of their own at the lowest CPU
 * priority (`nice`): on a machine the load shares with the server, tens of
 * thousands of frames a second are read there without taking the cores
 * from the server or from the event loop that times the highlights, as
 * clients on other machines would not. Resolves once every one has joined.
 */
export async function chatLoadProcess(data: LoadData): Promise<{ close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-chat-load-'));
  const file = join(dir, 'load.json');
  writeFileSync(file, JSON.stringify(data));
  const child = spawn('nice', ['-n', '19', process.execPath, '--experimental-strip-types', fileURLToPath(import.meta.url), file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`chat load exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve();
    });
  });
  child.removeAllListeners('exit');
  return {
    async close() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url, tokens, query } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadData;
  const viewers = await openChatViewers(url, tokens, query, { sampled: 0, read: false });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    viewers.close();
    process.exit(0);
  });
}
