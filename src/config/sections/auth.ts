import { z } from 'zod';
import { commaList, int, section } from '../section.ts';

/** Tokens, sessions and who administers. */
export const auth = section(
  {
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional().describe('HS256 secret, 32+ characters; outside production one is generated once into DATA_DIR'),
    JWT_TTL_SECONDS: int(1).default(3600).describe('Access token lifetime (renew with refreshToken)'),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().positive().max(365).default(30).describe('Refresh token (session) lifetime in days, extended on each use'),
    ADMIN_USERNAMES: z.string().default('').describe("Comma-separated usernames of the admins: they may delete any post or story"),
  },
  {
    derive: ({ adminUsernames, ...rest }) => ({ ...rest, adminUsernames: commaList(adminUsernames).map((name) => name.toLowerCase()) }),
  },
);
