import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationMarkdown } from '../src/config/docs.ts';
import { ConfigError, loadConfig } from '../src/config/index.ts';

describe('config', () => {
  it('runs on a laptop with no settings at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      databaseUrl: undefined,
      redisUrl: undefined,
      runWorkers: true,
      corsOrigins: '*',
      isProduction: false,
    });
  });

  it('reports every production problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', PORT: 'eighty' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['PORT', 'JWT_SECRET', 'DATABASE_URL', 'REDIS_URL']) expect(problems).toContain(key);
  });

  it('refuses a short JWT secret and a URL of the wrong kind', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short', DATABASE_URL: 'mysql://x' })).toThrow(
      /JWT_SECRET[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*JWT_SECRET/,
    );
  });

  it('runs one process by default; several (0: one per core) only with Redis to share state through', () => {
    expect(loadConfig({}).processes).toBe(1);
    expect(loadConfig({ PLAZA_PROCESSES: '0', REDIS_URL: 'redis://localhost:6379' }).processes).toBeGreaterThanOrEqual(1);
    expect(loadConfig({ PLAZA_PROCESSES: '2', REDIS_URL: 'redis://localhost:6379' }).processes).toBe(2);
    expect(() => loadConfig({ PLAZA_PROCESSES: '2' })).toThrow(/PLAZA_PROCESSES above 1 \(2\) needs REDIS_URL/);
    expect(() => loadConfig({ PLAZA_PROCESSES: '-1' })).toThrow(ConfigError);
  });

  it('parses lists and switches', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example', RUN_WORKERS: 'false' });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.runWorkers).toBe(false);
  });

  it('warns of a variable under one of its prefixes that no setting has, and of nothing else', () => {
    const config = loadConfig({ LINK_WORKER: '4', RATE_LIMIT_CREATE_POSTS: '1/1', MAX_CONNECTION: '5', PLAZA_URL: 'http://x', HOME: '/root', LINK_WORKERS: '4' });
    expect(config.warnings).toEqual([
      'LINK_WORKER is not a setting of Plaza\'s (misspelt?); it is ignored',
      'RATE_LIMIT_CREATE_POSTS is not a setting of Plaza\'s (misspelt?); it is ignored',
      'MAX_CONNECTION is not a setting of Plaza\'s (misspelt?); it is ignored',
    ]);
    expect(config.links.workers).toBe(4);
  });

  it('keeps docs/configuration.md what the settings declare (run `npm run docs:config` when this fails)', () => {
    expect(readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8')).toBe(configurationMarkdown());
  });
});
