import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { adminQuery, withDatabase } from '../global-setup.ts';

/**
 * A database of the test's own, copied from the migrated template. Tests that
 * run workers use one, so no other file's workers take their jobs.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('adminDatabaseUrl');
  const name = `${inject('templateDatabase').replace(/_tpl$/, '')}_${randomBytes(4).toString('hex')}`;
  await adminQuery(admin, `create database ${name} template ${inject('templateDatabase')}`);
  return {
    url: withDatabase(admin, name),
    drop: () => adminQuery(admin, `drop database if exists ${name} with (force)`),
  };
}
