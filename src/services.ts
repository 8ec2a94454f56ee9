import type { TokenService } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { createChannelService } from './modules/channels/service.ts';
import { createLinkService, type EnqueueLinks } from './modules/links/service.ts';
import { createPostService } from './modules/posts/service.ts';
import { createReactionService } from './modules/reactions/service.ts';
import { createSectionService } from './modules/sections/service.ts';
import { createUserService } from './modules/users/service.ts';
import type { Realtime } from './realtime/pubsub.ts';
import { createRateLimit } from './lib/rate-limit.ts';
import { createStoryService } from './modules/stories/service.ts';

export interface ServiceDeps {
  db: Database;
  pubsub: Realtime;
  tokens: TokenService;
  /** Enqueues link fetch jobs inside the caller's transaction. */
  enqueueLinks: EnqueueLinks;
  stories: Config['stories'];
  channels: Config['channels'];
}

/** Every domain service, wired once per process. */
export function createServices({ db, pubsub, tokens, enqueueLinks, stories, channels }: ServiceDeps) {
  return {
    users: createUserService(db, tokens),
    sections: createSectionService(db),
    posts: createPostService({ db, pubsub, onLinksCreated: (tx, created) => enqueueLinks(tx, created, false) }),
    reactions: createReactionService(db, pubsub),
    links: createLinkService(db, pubsub, enqueueLinks),
    stories: createStoryService({
      db,
      realtime: pubsub,
      ttlHours: stories.ttlHours,
      reactionLimit: createRateLimit(pubsub.redis, {
        name: 'story-reactions',
        points: stories.reactionsPerMinute,
        durationSeconds: 60,
      }),
    }),
    channels: createChannelService({
      db,
      realtime: pubsub,
      highlightLimit: createRateLimit(pubsub.redis, {
        name: 'channel-highlights',
        points: channels.highlightLimit,
        durationSeconds: channels.highlightWindowSeconds,
      }),
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
