import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitWithoutFlush } from '../src/db/async-commit.ts';
import { createDb, type DbHandle } from '../src/db/client.ts';
import { createLogger } from '../src/logger.ts';
import { createTestDatabase } from './helpers/db.ts';

/**
 * The link statements that commit without waiting for the disk (the fetch
 * claim, the final state) must not leave that on the pooled connection: the
 * numbering that follows them, on the same connection, commits synchronously.
 */
describe('commitWithoutFlush', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let handle: DbHandle;
  const setting = async () => (await handle.db.execute<{ s: string }>(sql`select current_setting('synchronous_commit') as s`)).rows[0]!.s;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection, prepared statements on, as Plaza runs: every statement below shares it.
    handle = createDb({ url: database.url, poolSize: 1, prepare: true, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('holds for its own statement only, however often it runs', async () => {
    expect(await setting()).toBe('on');
    for (let i = 0; i < 5; i++) {
      const { rows } = await handle.db.execute<{ during: string }>(sql`select ${commitWithoutFlush} as mode, current_setting('synchronous_commit') as during, ${i}::int as i`);
      expect(rows[0]!.during).toBe('off');
      expect(await setting()).toBe('on');
    }
  });

  it('holds for a statement that writes, and the write is there', async () => {
    await handle.db.execute(sql`create table leases (id int primary key)`);
    await handle.db.execute(sql`with added as (insert into leases values (1) returning id) select id, ${commitWithoutFlush} as mode from added`);
    expect(await setting()).toBe('on');
    expect((await handle.db.execute<{ n: number }>(sql`select count(*)::int as n from leases`)).rows[0]!.n).toBe(1);
  });
});
