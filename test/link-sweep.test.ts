import { describe, expect, it } from 'vitest';
import { insertLinkWithoutJob } from './helpers/db.ts';
import { linkBed } from './helpers/link-bed.ts';
import { createSection, localIdOf, signUp } from './helpers/http.ts';
import { watchLinks } from './helpers/subscriptions.ts';
import { html } from './helpers/web.ts';

/**
 * A post's link jobs are inserted just after the post commits. A process that
 * dies in between leaves its links PENDING with no job: the sweeper gives them
 * one. The crash is stood in for by writing the post and its link straight
 * into the database, with no job.
 */
describe('links a crash left without a job', () => {
  const bed = linkBed({
    env: { LINK_SWEEP_SECONDS: '1' },
    prepare: (web) => void web.routes.set('/orphan', html('<html><head><meta property="og:title" content="Found again"></head></html>')),
  });

  it('get their job from the sweep and end READY, announced', async () => {
    const user = await signUp(bed.app);
    const section = await createSection(bed.app, user);
    const { client, updates } = await watchLinks(
      bed.app,
      user.token,
      section.id,
      'subscription($id: ID!) { linkMetadataUpdated(sectionId: $id) { link { url status metadata { title } } } }',
    );
    const url = bed.web.url('/orphan');
    await insertLinkWithoutJob(bed.app.runtime.database.pool, { sectionId: localIdOf(section.id), authorId: localIdOf(user.id), url, ageSeconds: 5 });
    const [event] = await updates.waitFor(1, 20_000);
    expect(event.linkMetadataUpdated.link).toEqual({ url, status: 'READY', metadata: { title: 'Found again' } });
    expect(bed.web.hits.get('/orphan')).toBe(1);
    updates.dispose();
    await client.dispose();
  }, 30_000);
});
