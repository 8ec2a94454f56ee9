import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import { readOrCreateSecret } from '../lib/secret-file.ts';

/** The configured JWT secret; outside production one is generated once into DATA_DIR. */
export async function resolveJwtSecret(config: Config): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  if (config.isProduction) throw new Error('JWT_SECRET is required when NODE_ENV=production');
  return readOrCreateSecret(join(config.dataDir, 'jwt-secret'), () => randomBytes(48).toString('base64url'));
}
