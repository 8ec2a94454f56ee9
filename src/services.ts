import type { TokenService } from './auth/tokens.ts';
import type { Database } from './db/client.ts';
import { createPostService, type LinksCreatedHook } from './modules/posts/service.ts';
import { createReactionService } from './modules/reactions/service.ts';
import { createSectionService } from './modules/sections/service.ts';
import { createUserService } from './modules/users/service.ts';
import type { Realtime } from './realtime/pubsub.ts';

export interface ServiceDeps {
  db: Database;
  pubsub: Realtime;
  tokens: TokenService;
  onLinksCreated?: LinksCreatedHook;
}

/** Every domain service, wired once per process. */
export function createServices({ db, pubsub, tokens, onLinksCreated }: ServiceDeps) {
  return {
    users: createUserService(db, tokens),
    sections: createSectionService(db),
    posts: createPostService({ db, pubsub, ...(onLinksCreated ? { onLinksCreated } : {}) }),
    reactions: createReactionService(db, pubsub),
  };
}

export type Services = ReturnType<typeof createServices>;
