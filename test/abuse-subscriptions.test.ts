import { describe, expect, it } from 'vitest';
import { redisAvailable } from './helpers/app.ts';
import { productionInstance } from './helpers/attack.ts';
import { createSection, signUp, type TestUser } from './helpers/http.ts';
import { RawGraphqlWs } from './helpers/raw-ws.ts';

const SPELLINGS = {
  plain: 'subscription($id: ID!) { postReactionsChanged(sectionId: $id) { id } }',
  aliased: 'subscription($id: ID!) { r: postReactionsChanged(sectionId: $id) { id } }',
  'in a fragment': 'subscription($id: ID!) { ...R } fragment R on Subscription { postReactionsChanged(sectionId: $id) { id } }',
  'in an inline fragment': 'subscription($id: ID!) { ... on Subscription { x: postReactionsChanged(sectionId: $id) { id } } }',
};

describe.skipIf(!redisAvailable())('the cap on viewer-dependent subscriptions, however they are written (production mode)', () => {
  let user: TestUser;
  let sections: Array<{ id: string }>;
  const instance = productionInstance({}, async (app) => {
    user = await signUp(app, 'spelling');
    sections = await Promise.all(Array.from({ length: 15 }, () => createSection(app, user)));
  });

  it.each(Object.entries(SPELLINGS))('refuses the 11th to 15th distinct one on a socket when written %s', async (_spelling, query) => {
    const { ws } = await RawGraphqlWs.open(instance.app, user.token);
    for (const [i, section] of sections.entries()) ws.subscribe(`s${i}`, query, { id: section.id });
    const refused = () => ws.count('error', (m) => m.payload?.[0]?.extensions?.code === 'TOO_MANY_SUBSCRIPTIONS');
    await ws.until(() => refused() === 5);
    expect(ws.count('error')).toBe(5);
    await instance.bystander.check();
    ws.close();
  });
});
