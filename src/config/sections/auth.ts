import { z } from 'zod';
import { int, section } from '../section.ts';

/** Tokens and sessions. */
export const auth = section({
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional().describe('HS256 secret, 32+ characters; outside production one is generated once into DATA_DIR'),
  JWT_TTL_SECONDS: int(1).default(3600).describe('Access token lifetime (renew with refreshToken)'),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().positive().max(365).default(30).describe('Refresh token (session) lifetime in days, extended on each use'),
});
