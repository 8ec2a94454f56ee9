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
import { createBackoff } from './lib/backoff.ts';
import { createRateLimit } from './lib/rate-limit.ts';
import { createSessionService } from './modules/sessions/service.ts';
import { createStoryService } from './modules/stories/service.ts';

export interface ServiceDeps {
  db: Database;
  pubsub: Realtime;
  tokens: TokenService;
  /** Enqueues link fetch jobs inside the caller's transaction. */
  enqueueLinks: EnqueueLinks;
  stories: Config['stories'];
  channels: Config['channels'];
  refreshTokenTtlDays: number;
  signInLimits: Config['rateLimits']['signIn'];
}

/** Every domain service, wired once per process. */
export function createServices(deps: ServiceDeps) {
  const { db, pubsub, tokens, enqueueLinks, stories, channels, signInLimits } = deps;
  const sessions = createSessionService({ db, realtime: pubsub, ttlDays: deps.refreshTokenTtlDays });
  const backoff = (name: string, freeFailures: number, maxSeconds: number) =>
    createBackoff(pubsub.redis, { name, freeFailures, maxSeconds });
  return {
    sessions,
    users: createUserService({
      db,
      tokens,
      sessions,
      signInBackoff: signInLimits && {
        account: backoff('sign-in-account', signInLimits.freeFailuresPerAccount, signInLimits.maxBackoffSeconds),
        ip: backoff('sign-in-ip', signInLimits.freeFailuresPerIp, signInLimits.maxBackoffSeconds),
      },
    }),
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
