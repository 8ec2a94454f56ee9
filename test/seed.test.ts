import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { ok } from './helpers/http.ts';

const run = promisify(execFile);

describe('npm run seed', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.stop());

  it('fills a running server with demo data through its API, and can run again', async () => {
    const seed = () => run(process.execPath, ['--experimental-strip-types', 'scripts/seed.ts'], { env: { ...process.env, PLAZA_URL: app.url } });
    const first = JSON.parse((await seed()).stdout) as {
      users: Record<string, { token: string }>;
      sectionId: string;
      channelId: string;
      storyId: string;
    };
    expect(Object.keys(first.users)).toEqual(['ada', 'grace', 'linus']);
    const ada = first.users.ada!.token;
    const data = await ok<any>(
      app,
      'query($s: ID!, $c: ID!) { section(id: $s) { posts(first: 10) { edges { node { content links { url } } } } } channel(id: $c) { highlight { product { name } } products { name } } }',
      { s: first.sectionId, c: first.channelId },
      ada,
    );
    expect(data.section.posts.edges).toHaveLength(3);
    expect(data.channel.highlight.product.name).toBe('Plaza mug');
    expect(data.channel.products).toHaveLength(3);

    const again = JSON.parse((await seed()).stdout) as { sectionId: string };
    expect(again.sectionId).toBe(first.sectionId);
  }, 60_000);
});
