import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium (what .ci/run installs), or CHROMIUM_PATH. */
function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  for (const path of candidates) if (existsSync(path)) return path;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export const browserAvailable = (): boolean => chromiumPath() !== null;

/** Whether browser tests may skip: only outside CI, and loudly. */
export function skipWithoutBrowser(what: string): boolean {
  if (browserAvailable()) return false;
  if (process.env.CI === 'true') throw new Error(`${what} needs Chromium and CI must have it (apt-get install -y chromium)`);
  process.stderr.write(`\n!!! SKIPPING ${what}: no Chromium here (apt-get install -y chromium, or set CHROMIUM_PATH)\n\n`);
  return true;
}

/** Headless Chromium driven by playwright-core; no sandbox, as tests may run as root. */
export function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium');
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
