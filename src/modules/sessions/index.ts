import { defineModule, topics } from '../module.ts';
import type { SessionTopics } from './events.ts';
import { createSessionService } from './service.ts';

/** Signed-in devices: refresh tokens, revocation. */
export const sessionsModule = defineModule({
  name: 'sessions',
  topics: topics<SessionTopics>(),
  services: ({ db, outbox, streams, config }) => ({
    sessions: createSessionService({ db, outbox, streams, ttlDays: config.refreshTokenTtlDays }),
  }),
});
