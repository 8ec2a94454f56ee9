import type { Redis } from 'ioredis';
import type { TokenService } from './auth/tokens.ts';
import type { Config } from './config/index.ts';
import type { Database } from './db/client.ts';
import { createBackoff } from './lib/backoff.ts';
import { createRateLimit } from './lib/rate-limiter.ts';
import { createChannelService } from './modules/channels/service.ts';
import { createLinkService, type EnqueueLinks } from './modules/links/service.ts';
import type { LinkJobBatcher } from './modules/links/enqueue.ts';
import type { PresenceRooms } from './realtime/presence.ts';
import { createPostService } from './modules/posts/service.ts';
import { createReactionService } from './modules/reactions/service.ts';
import { createSectionService } from './modules/sections/service.ts';
import { createSessionService } from './modules/sessions/service.ts';
import { createStoryService } from './modules/stories/service.ts';
import { createUserService } from './modules/users/service.ts';
import type { Outbox } from './realtime/outbox.ts';
import type { Streams } from './realtime/streams.ts';
import type { Topics } from './topics.ts';

export interface ServiceDeps {
  db: Database;
  /** Where services record their events, in their own transactions. */
  outbox: Outbox<Topics>;
  /** What their `watch…` methods stream from. */
  streams: Streams<Topics>;
  /** Shared counters for rate limits and back-off; null in-process. */
  redis: Redis | null;
  tokens: TokenService;
  /** Enqueues link fetch jobs inside the caller's transaction (refreshLinkMetadata). */
  enqueueLinks: EnqueueLinks;
  /** Enqueues the jobs of a committed post's links, off the request (links/enqueue.ts). */
  linkJobs: LinkJobBatcher;
  stories: Config['stories'];
  channels: Config['channels'];
  refreshTokenTtlDays: number;
  presence: PresenceRooms;
  signInLimits: Config['rateLimits']['signIn'];
  /** Told each link job's outcome (metrics). */
  onLinkFinished?: (status: 'READY' | 'FAILED' | 'BLOCKED') => void;
}

/** Every domain service, wired once per process. */
export function createServices(deps: ServiceDeps) {
  const { db, outbox, streams, redis, tokens, enqueueLinks, stories, channels, signInLimits } = deps;
  const events = { outbox, streams };
  const sessions = createSessionService({ db, ...events, ttlDays: deps.refreshTokenTtlDays });
  const backoff = (name: string, freeFailures: number, maxSeconds: number) =>
    createBackoff(redis, { name, freeFailures, maxSeconds });
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
    posts: createPostService({ db, ...events, onLinksCreated: (created) => deps.linkJobs.add(created) }),
    reactions: createReactionService({ db, ...events }),
    links: createLinkService({ db, ...events, enqueue: enqueueLinks, onFinished: deps.onLinkFinished }),
    stories: createStoryService({
      db,
      ...events,
      ttlHours: stories.ttlHours,
      reactionLimit: createRateLimit(redis, { name: 'story-reactions', points: stories.reactionsPerMinute, durationSeconds: 60 }),
    }),
    channels: createChannelService({
      db,
      ...events,
      presence: deps.presence,
      highlightLimit: createRateLimit(redis, {
        name: 'channel-highlights',
        points: channels.highlightLimit,
        durationSeconds: channels.highlightWindowSeconds,
      }),
    }),
  };
}

export type Services = ReturnType<typeof createServices>;

declare module './graphql/context.ts' {
  /** Resolvers reach every service (`ctx.services`). */
  interface ContextServices extends Services {}
}
