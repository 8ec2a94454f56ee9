import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { pageSites } from './page-server.ts';

export interface Started {
  child: ChildProcess;
  port: number;
  url: string;
  /** Resident memory of the process, in bytes. */
  rss(): number;
  /** CPU time the process has used (user + system), in milliseconds: all its threads. */
  cpuMs(): number;
  /** The same by thread name (`MainThread`: the event loop; `WorkerThread`: worker threads; `V8Worker`: V8's helpers, GC and compilers). */
  threadCpuMs(): Map<string, number>;
  /** Resident memory after a full garbage collection: what the process holds, not what it has yet to collect. */
  settledRss(): Promise<number>;
  stop(): Promise<void>;
}

/** Every process the bench starts collects its garbage on SIGWINCH (`settledRss`). */
const GC_ON_SIGNAL = ['--expose-gc', '--import', fileURLToPath(new URL('./gc-on-signal.ts', import.meta.url))];

/** Fields 14 and 15 of a /proc stat line (after the command name's closing parenthesis): utime and stime, in ticks of 10 ms. */
function ticksOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** `pid` and every process below it (PLAZA_PROCESSES forks the serving processes), from /proc. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${all[i]}/task`);
    } catch {
      continue; // gone
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${all[i]}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) all.push(Number(child));
      } catch {
        // the thread has just ended
      }
    }
  }
  return all;
}

const readOr = (path: string, fallback: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
};

/** Spawns a server process and resolves when it logs the line `ready` picks out. Memory and CPU cover the processes it forks too. */
export function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: (line: Record<string, unknown>) => number | null,
  extraNodeArgs: string[] = [],
  cwd?: string,
): Promise<Started> {
  const child = spawn(process.execPath, [...GC_ON_SIGNAL, ...extraNodeArgs, '--experimental-strip-types', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text);
      } catch {
        return;
      }
      const port = ready(line);
      if (port === null) return;
      child.removeAllListeners('exit');
      const tree = () => processTree(child.pid!);
      const rss = () => tree().reduce((sum, pid) => sum + Number(/VmRSS:\s+(\d+)/.exec(readOr(`/proc/${pid}/status`, ''))?.[1] ?? 0) * 1024, 0);
      resolve({
        child,
        port,
        url: `http://127.0.0.1:${port}/graphql`,
        rss,
        cpuMs: () => tree().reduce((sum, pid) => sum + (readOr(`/proc/${pid}/stat`, '') ? ticksOf(readOr(`/proc/${pid}/stat`, '')) : 0), 0),
        threadCpuMs: () => {
          const byName = new Map<string, number>();
          for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
            let stat: string;
            try {
              stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8');
            } catch {
              continue; // the thread has just ended
            }
            const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            byName.set(name, (byName.get(name) ?? 0) + ticksOf(stat));
          }
          return byName;
        },
        settledRss: async () => {
          // Every serving process collects (the supervisor of PLAZA_PROCESSES too: it ignores the signal's default).
          for (const pid of tree()) process.kill(pid, 'SIGWINCH');
          await sleep(1_000);
          return rss();
        },
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** The V8 flags `npm start` (and the Dockerfile) give the server: the bench runs it the same way. */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=16'];

/** Starts Plaza in production mode; `cwd` runs another checkout of it (BENCH_BEFORE). */
export function startPlaza(env: Record<string, string>, extraNodeArgs: string[] = [], cwd?: string): Promise<Started> {
  return startProcess(
    ['src/main.ts'],
    { NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    (line) => (line.msg === 'plaza listening' ? Number(new URL(String(line.url)).port) : null),
    [...SERVER_NODE_FLAGS, ...extraNodeArgs],
    cwd,
  );
}

/** Plaza as PLAZA_PROCESSES=n: the supervisor, ready once every process listens; memory and CPU cover them all. */
export function startPlazaProcesses(env: Record<string, string>, processes: number): Promise<Started> {
  return startProcess(
    ['src/main.ts'],
    { NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PLAZA_PROCESSES: String(processes) },
    (line) => (line.msg === 'plaza listening on every process' ? Number(new URL(String(line.url)).port) : null),
    SERVER_NODE_FLAGS,
  );
}

/** A checkout of `ref` beside this one, its dependencies installed: the "before" of a before/after run. */
export function checkoutBefore(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-before-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { stdio: 'ignore' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

export function removeCheckout(dir: string): void {
  execFileSync('git', ['worktree', 'remove', '--force', dir], { stdio: 'ignore' });
}

/** The minimal write server createPost is measured against, on Plaza's database. */
export function startWriteBaseline(databaseUrl: string): Promise<Started> {
  return startProcess(['bench/baseline-writes.ts'], { DATABASE_URL: databaseUrl }, (line) =>
    line.msg === 'write baseline listening' ? Number(line.port) : null,
  );
}

/**
 * The fixture pages in a process of their own (bench/page-server.ts), at the
 * same addresses `pageSites` gives for the page names.
 */
export async function startPageServerProcess(names: string[]) {
  let ports: number[] = [];
  const started = await startProcess(['bench/page-server.ts'], {}, (line) => {
    if (line.msg !== 'pages listening') return null;
    ports = line.ports as number[];
    return ports[0]!;
  });
  return { ...pageSites(ports, names), stop: started.stop };
}

export function startBaseline(): Promise<Started> {
  return startProcess(['bench/baseline-server.ts'], {}, (line) => (line.msg === 'baseline listening' ? Number(line.port) : null));
}

/** The hand-written chat baseline (bench/baseline-chat-server.ts), framing every CHAT_FRAME_MS (100). */
export function startChatBaseline(): Promise<Started> {
  return startProcess(['bench/baseline-chat-server.ts'], {}, (line) => (line.msg === 'chat baseline listening' ? Number(line.port) : null));
}

/** CPU ticks (user + system) of each `postgres` process on this machine, by pid. */
function postgresTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(') ');
    if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
    const fields = stat.slice(close + 2).split(' ');
    ticks.set(pid, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

/**
 * Starts a meter of the CPU time (ms) the local database spends from now on:
 * every `postgres` process, counted per process so that backends closing
 * meanwhile (an idle pool's) do not take their earlier time off the total;
 * what a process that exits meanwhile spent is lost. The database's share
 * of a write, when the bench's database is local (as it is by default).
 */
export function databaseCpuMeter(): () => number {
  const start = postgresTicks();
  return () => {
    let ticks = 0;
    for (const [pid, now] of postgresTicks()) ticks += now - (start.get(pid) ?? 0);
    return ticks * 10;
  };
}
