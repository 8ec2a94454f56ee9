import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

const repo = process.cwd();

/** The checkout as a user would have it (tracked and new files, node_modules), inside a directory only its owner may enter. */
function privateCheckout(): { parent: string; dir: string } {
  const parent = mkdtempSync(join(tmpdir(), 'plaza-private-'));
  chmodSync(parent, 0o700);
  const dir = join(parent, 'plaza');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(repo, file), join(dir, file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // deleted in the work tree
    }
  }
  // Hard links where the file system allows (fast), a copy where it does not.
  try {
    execFileSync('cp', ['-al', join(repo, 'node_modules'), join(dir, 'node_modules')]);
  } catch {
    execFileSync('cp', ['-a', join(repo, 'node_modules'), join(dir, 'node_modules')]);
  }
  return { parent, dir };
}

describe.runIf(process.platform === 'linux')('the embedded default from a checkout in a private (0700) directory', () => {
  const cleanup: string[] = [];
  afterAll(() => {
    for (const path of cleanup) rmSync(path, { recursive: true, force: true });
  });

  it(`npm start serves on its own embedded PostgreSQL${process.getuid?.() === 0 ? ', run as root' : ''}`, async () => {
    const { parent, dir } = privateCheckout();
    cleanup.push(parent);
    // As root, the cluster goes where the postgres user can reach it; a directory of this test's own here.
    const rootDir = mkdtempSync(join(tmpdir(), 'plaza-embedded-root-'));
    cleanup.push(rootDir);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? parent,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      EMBEDDED_POSTGRES_ROOT_DIR: rootDir,
    };
    const child = spawn('npm', ['start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const messages: string[] = [];
    // The server's output ends when the server (not only npm) has exited.
    const outputEnded = once(child.stdout, 'end');
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no 'plaza listening' within 90 s: ${messages.join(', ')} ${stderr}`)), 90_000);
        child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${messages.join(', ')} ${stderr}`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (!line.startsWith('{')) return; // npm's own header
          const entry = JSON.parse(line) as { msg: string; url?: string };
          messages.push(entry.msg);
          if (entry.msg === 'plaza listening') {
            clearTimeout(timer);
            resolve(String(entry.url));
          }
        });
      });
      const response = await fetch(new URL('/graphql', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { signUp(input: { username: "private_ok", password: "long enough" }) { user { username } } }' }),
      });
      const body = (await response.json()) as { data?: { signUp: { user: { username: string } } } };
      expect(body.data?.signUp.user.username).toBe('private_ok');
      if (process.getuid?.() === 0) expect(messages).toContain('embedded PostgreSQL running as the postgres user');
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
      await outputEnded;
    }
    expect(messages).toContain('embedded PostgreSQL stopped');
  }, 150_000);
});
