import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { inject } from 'vitest';
import { relaxedRateLimits, TEST_JWT_SECRET } from './app.ts';

export interface PlazaProcess {
  url: string;
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
}

/**
 * Starts `src/main.ts` as its own process, as `npm start` does, and resolves with its URL once it listens
 * (with PLAZA_PROCESSES, once every process does).
 */
export function startPlazaProcess(env: Record<string, string> = {}): Promise<PlazaProcess> {
  const ready = env.PLAZA_PROCESSES && env.PLAZA_PROCESSES !== '1' ? 'plaza listening on every process' : 'plaza listening';
  const child = spawn(process.execPath, ['--experimental-strip-types', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: inject('databaseUrl'),
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'plaza-process-')),
      ...relaxedRateLimits,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Array<Record<string, unknown>> = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === ready) {
        child.removeAllListeners('exit');
        resolve({ url: String(entry.url), child, logs });
      }
    });
  });
}

/** Starts `src/worker.ts` as its own process, as `npm run worker` does; its JSON log lines are kept. */
export function spawnWorker(env: Record<string, string>): { child: ChildProcess; logs: string[] } {
  const child = spawn(process.execPath, ['--experimental-strip-types', 'src/worker.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'plaza-worker-')),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => logs.push(line));
  return { child, logs };
}
