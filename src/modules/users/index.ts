import { byId } from '../../graphql/batch-loaders.ts';
import { createBackoff } from '../../lib/backoff.ts';
import { defineModule } from '../module.ts';
import type { SessionService } from '../sessions/service.ts';
import './graphql.ts';
import { createUserService, type UserService } from './service.ts';

/** Accounts: sign-up, sign-in (with back-off), tokens. */
export const usersModule = defineModule({
  name: 'users',
  services: ({ db, redis, tokens, config }, earlier: { sessions: SessionService }) => {
    const limits = config.rateLimits.signIn;
    const backoff = (name: string, freeFailures: number) => createBackoff(redis, { name, freeFailures, maxSeconds: limits!.maxBackoffSeconds });
    return {
      users: createUserService({
        db,
        tokens,
        sessions: earlier.sessions,
        signInBackoff: limits && {
          account: backoff('sign-in-account', limits.freeFailuresPerAccount),
          ip: backoff('sign-in-ip', limits.freeFailuresPerIp),
        },
      }),
    };
  },
  loaders: { user: (s: { users: UserService }) => byId(s.users.byIds) },
});
