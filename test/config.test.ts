import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

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

  it('parses lists and switches', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example', RUN_WORKERS: 'false' });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.runWorkers).toBe(false);
  });
});
