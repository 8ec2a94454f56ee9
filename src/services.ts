import type { TokenService } from './auth/tokens.ts';
import type { Database } from './db/client.ts';
import { createLinkService, type EnqueueLinks } from './modules/links/service.ts';
import { createPostService } from './modules/posts/service.ts';
import { createReactionService } from './modules/reactions/service.ts';
import { createSectionService } from './modules/sections/service.ts';
import { createUserService } from './modules/users/service.ts';
import type { Realtime } from './realtime/pubsub.ts';

export interface ServiceDeps {
  db: Database;
  pubsub: Realtime;
  tokens: TokenService;
  /** Enqueues link fetch jobs inside the caller's transaction. */
  enqueueLinks: EnqueueLinks;
}

/** Every domain service, wired once per process. */
export function createServices({ db, pubsub, tokens, enqueueLinks }: ServiceDeps) {
  return {
    users: createUserService(db, tokens),
    sections: createSectionService(db),
    posts: createPostService({ db, pubsub, onLinksCreated: (tx, created) => enqueueLinks(tx, created, false) }),
    reactions: createReactionService(db, pubsub),
    links: createLinkService(db, pubsub, enqueueLinks),
  };
}

export type Services = ReturnType<typeof createServices>;
