import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparingClient } from '../src/db/prepared.ts';
import { createTestDatabase } from './helpers/db.ts';

/** The statements this pool's one connection holds prepared on the server. */
async function preparedOn(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ statement: string }>('select statement from pg_prepared_statements order by prepare_time');
  return rows.map((row) => row.statement);
}

describe('named prepared statements (DATABASE_PREPARED_STATEMENTS)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let full = 0;
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 1, Client: preparingClient({ after: 3, max: 2, onFull: () => (full += 1) }) });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('prepares a statement on its third use, once per connection, and answers the same', async () => {
    const text = 'select $1::int + 1 as n';
    const answers: number[] = [];
    for (let i = 0; i < 2; i++) answers.push((await pool.query<{ n: number }>(text, [i])).rows[0]!.n);
    expect(await preparedOn(pool)).not.toContain(text);
    for (let i = 2; i < 6; i++) answers.push((await pool.query<{ n: number }>({ text, values: [i] })).rows[0]!.n);
    expect(answers).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await preparedOn(pool)).filter((s) => s === text)).toHaveLength(1);
  });

  it('leaves statements without parameters, and those past the cap, unnamed', async () => {
    for (let i = 0; i < 4; i++) await pool.query('select 41 + 1 as n');
    for (const text of ['select $1::int * 2 as n', 'select $1::int * 3 as n']) {
      for (let i = 0; i < 4; i++) expect((await pool.query<{ n: number }>(text, [i])).rows[0]!.n).toBeGreaterThanOrEqual(0);
    }
    const prepared = await preparedOn(pool);
    expect(prepared).not.toContain('select 41 + 1 as n');
    // The cap is 2: the first text above took one name, the second text the other; the third stays unnamed.
    expect(prepared).toEqual(['select $1::int + 1 as n', 'select $1::int * 2 as n']);
    expect(full).toBe(1);
  });

  it('names a statement anew after a migration changed its result columns', async () => {
    const own = new pg.Pool({ connectionString: database.url, max: 1, Client: preparingClient({ after: 1, max: 10 }) });
    try {
      await own.query('create table prepared_probe (id int primary key)');
      await own.query('insert into prepared_probe values (1)');
      const text = 'select * from prepared_probe where id = $1';
      expect((await own.query(text, [1])).rows).toEqual([{ id: 1 }]);
      await own.query('alter table prepared_probe add column label text');
      // The plan the connection holds no longer fits: PostgreSQL refuses it once...
      await expect(own.query(text, [1])).rejects.toMatchObject({ code: '0A000' });
      // ...and the statement goes on under a new name, with the new column.
      expect((await own.query(text, [1])).rows).toEqual([{ id: 1, label: null }]);
      expect((await own.query(text, [1])).rows).toEqual([{ id: 1, label: null }]);
    } finally {
      await own.end();
    }
  });

  it('passes a statement that fails on its own back as it is, and the connection goes on', async () => {
    const own = new pg.Pool({ connectionString: database.url, max: 1, Client: preparingClient({ after: 1, max: 10 }) });
    try {
      const text = 'select 1 / $1::int as n';
      expect((await own.query<{ n: number }>(text, [1])).rows[0]!.n).toBe(1);
      await expect(own.query(text, [0])).rejects.toMatchObject({ code: '22012' });
      expect((await own.query<{ n: number }>(text, [1])).rows[0]!.n).toBe(1);
      expect(await preparedOn(own)).toEqual([text]);
    } finally {
      await own.end();
    }
  });
});
