import { describe, expect, it } from 'vitest';
import { redisAvailable } from './helpers/app.ts';
import { productionInstance } from './helpers/attack.ts';
import { localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';

const CREATE_STORY = 'mutation($i: CreateStoryInput!) { createStory(input: $i) { id } }';

describe.skipIf(!redisAvailable())('what is gone stays gone, and readiness costs nothing (production mode)', () => {
  let user: TestUser;
  const instance = productionInstance({}, async (app) => {
    user = await signUp(app, 'storyteller');
  });

  it('does not show an expired story through node or nodes before the cleanup has run', async () => {
    const { id } = (await ok(instance.app, CREATE_STORY, { i: { mediaUrl: 'https://cdn.example.com/s.jpg', caption: 'soon gone' } }, user.token)).createStory;
    const node = 'query($id: ID!) { node(id: $id) { id } }';
    const nodes = 'query($id: ID!) { nodes(ids: [$id]) { id } }';
    expect(await ok(instance.app, node, { id }, user.token)).toEqual({ node: { id } });
    expect(await ok(instance.app, nodes, { id }, user.token)).toEqual({ nodes: [{ id }] });
    // Its time runs out; the cleanup (every 10 minutes) has not come yet.
    await instance.app.runtime.database.pool.query("update stories set expires_at = now() - interval '1 second' where id = $1", [localIdOf(id)]);
    expect(await ok(instance.app, node, { id }, user.token)).toEqual({ node: null });
    expect(await ok(instance.app, nodes, { id }, user.token)).toEqual({ nodes: [null] });
  });

  it('answers 200 readiness requests with at most a check a second', async () => {
    const readiness = instance.app.url.replace('/graphql', '/readiness');
    await fetch(readiness);
    const before = instance.app.runtime.database.statementCount();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(readiness).then((r) => r.status)));
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(answers.every((status) => status === 200)).toBe(true);
    expect(instance.app.runtime.database.statementCount() - before).toBeLessThanOrEqual(seconds + 1);
    await instance.bystander.check();
  });
});
