import { byId, groupedBy } from '../../graphql/batch-loaders.ts';
import { defineModule, topics } from '../module.ts';
import type { SectionAccess } from '../sections/access.ts';
import { createLinkJobBatcher } from './queue/enqueue.ts';
import type { LinkTopics } from './events.ts';
import { createLinkHandOff } from './queue/first-attempts.ts';
import './graphql.ts';
import { createLinkQueues, enqueueLinkJobs, LINK_DEAD_LETTER_QUEUE, LINK_QUEUE, linkJobSettings } from './queue/job.ts';
import { startLinkPipeline } from './pipeline.ts';
import { createLinkService, type LinkService } from './service.ts';

/**
 * Link previews: the links of posts, their fetch and extraction in the
 * background, and their announcement. `linkJobs` is where a committed post's
 * links go (a first attempt here when this process runs the pipeline, else
 * the queue).
 */
export const linksModule = defineModule({
  name: 'links',
  topics: topics<LinkTopics>(),
  services: ({ db, outbox, streams, boss, logger, metrics }, earlier: { sectionAccess: SectionAccess }) => ({
    links: createLinkService({
      db,
      readableBy: earlier.sectionAccess.readableBy,
      outbox,
      streams,
      enqueue: (tx, created, refresh) => enqueueLinkJobs(boss, tx, created, refresh),
      onFinished: (status) => metrics.linkJobs.inc({ status }),
    }),
    linkJobs: createLinkHandOff(
      createLinkJobBatcher((links) => enqueueLinkJobs(boss, null, links), logger.child({ module: 'link-jobs' })),
      logger,
      (outcome) => metrics.linkFirstAttempts.inc({ outcome }),
    ),
  }),
  loaders: {
    link: (s: { links: LinkService }, viewerId: string | null) => byId((ids) => s.links.byIds(ids, viewerId)),
    linksByPost: (s: { links: LinkService }) => groupedBy(s.links.byPostIds, (l) => l.postId),
  },
  queues: (boss, config) => createLinkQueues(boss, linkJobSettings(config.links)),
  queueNames: [LINK_QUEUE, LINK_DEAD_LETTER_QUEUE],
  workers: startLinkPipeline,
  // The jobs of posts answered just now go in before the queue closes.
  flush: (services) => services.linkJobs.flush(),
});
