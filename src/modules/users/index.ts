import { byId } from '../../graphql/batch-loaders.ts';
import { createBackoff } from '../../lib/backoff.ts';
import { follow } from '../../realtime/follow.ts';
import { defineModule, topics } from '../module.ts';
import { createAdmins } from './admins.ts';
import { createBlockLists } from './block-lists.ts';
import { createBlocks } from './blocks.ts';
import type { UserTopics } from './events.ts';
import type { SessionService } from '../sessions/service.ts';
import './graphql.ts';
import { createUserService, type UserService } from './service.ts';

/** Accounts: sign-up, sign-in (with back-off), tokens; who blocks whom. */
export const usersModule = defineModule({
  name: 'users',
  topics: topics<UserTopics>(),
  services: ({ db, redis, tokens, config, outbox, logger }, earlier: { sessions: SessionService }) => {
    const limits = config.rateLimits.signIn;
    const backoff = (name: string, freeFailures: number) => createBackoff(redis, { name, freeFailures, maxSeconds: limits!.maxBackoffSeconds });
    const blocks = createBlocks({ db, outbox });
    return {
      admins: createAdmins(db, config.adminUsernames),
      blocks,
      blockLists: createBlockLists(blocks.blockedBy, logger),
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
  // Whoever blocked or unblocked someone anywhere: the list this instance holds for them is read again.
  serving: ({ streams, services, logger }) =>
    follow('blocks', (after) => streams.watch('user:blocks-changed', 'all', after), (p: { blockerId: string }) => services.blockLists.changed(p.blockerId), logger),
  loaders: { user: (s: { users: UserService }) => byId(s.users.byIds) },
});
