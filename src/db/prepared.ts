import pg from 'pg';
import type { Logger } from '../logger.ts';

export interface PreparedStatementOptions {
  /** Uses of a statement's text before it is named (one-off statements stay unnamed). */
  after: number;
  /** Names given at most per pool: what each connection may end up holding on the server. */
  max: number;
  /** Told once, when the last name is given: statements new after that stay unnamed. */
  onFull?: () => void;
}

const DEFAULTS: PreparedStatementOptions = { after: 3, max: 200 };
/** Texts counted at most while they wait for their `after`th use. */
const MAX_COUNTED = 1_000;

/**
 * A pg `Client` class (for a pool's `Client` option) that sends the
 * parameterised statements used often as named prepared statements: each
 * connection has PostgreSQL parse and plan such a statement once instead of
 * on every execution (for Plaza's statements, most of their time on the
 * server). The same text always gets the same name, so a connection holds
 * each at most once. A statement whose result columns a migration changed
 * fails once on a connection ("cached plan must not change result type");
 * its text then gets a new name, parsed afresh.
 */
export function preparingClient(overrides: Partial<PreparedStatementOptions> = {}): typeof pg.Client {
  const options = { ...DEFAULTS, ...overrides };
  const seen = new Map<string, number | string>();
  let named = 0;

  function nameFor(text: string): string | undefined {
    const entry = seen.get(text);
    if (typeof entry === 'string') return entry;
    if (named >= options.max) return undefined;
    const uses = (entry ?? 0) + 1;
    if (uses < options.after) {
      if (entry !== undefined || seen.size < MAX_COUNTED) seen.set(text, uses);
      return undefined;
    }
    named += 1;
    const name = `plaza_${named}`;
    seen.set(text, name);
    if (named === options.max) options.onFull?.();
    return name;
  }

  /** The statement's plan went stale: the next use names it anew (the old name is never sent again). */
  function forgetIfStale(text: string, err: unknown): void {
    const { code, message } = err as { code?: string; message?: string };
    if (code === '0A000' && message?.includes('cached plan') && typeof seen.get(text) === 'string') seen.set(text, options.after - 1);
  }

  type Callback = (err: Error | null, res?: unknown) => void;
  const plain = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;

  return class PreparingClient extends pg.Client {
    // pg's overloads (text or config; values; callback) as they are, a name added to the statements used often.
    override query(config: unknown, values?: unknown, callback?: unknown): never {
      const query = namedForm(config, values);
      if (!query) return plain.call(this, config, values, callback) as never;
      const cb = (typeof values === 'function' ? values : callback) as Callback | undefined;
      if (cb) {
        return plain.call(this, query, (err: Error | null, res: unknown) => {
          if (err) forgetIfStale(query.text, err);
          cb(err, res);
        }) as never;
      }
      return (plain.call(this, query) as Promise<unknown>).catch((err: unknown) => {
        forgetIfStale(query.text, err);
        throw err;
      }) as never;
    }
  };

  /** The named form of a parameterised statement, or undefined to send it as it is. */
  function namedForm(config: unknown, values: unknown): (pg.QueryConfig & { text: string }) | undefined {
    if (typeof config === 'string') {
      if (!Array.isArray(values) || values.length === 0) return undefined;
      const name = nameFor(config);
      return name ? { name, text: config, values } : undefined;
    }
    if (!config || typeof config !== 'object') return undefined;
    const q = config as pg.QueryConfig & { submit?: unknown };
    if (typeof q.submit === 'function' || q.name || typeof q.text !== 'string') return undefined;
    const params = q.values ?? values;
    if (!Array.isArray(params) || params.length === 0) return undefined;
    const name = nameFor(q.text);
    return name ? { ...q, name, text: q.text, values: params } : undefined;
  }
}

/** `preparingClient` for one of this process's pools (`pool` names it in the log), warning once its names are used up. */
export function loggedPreparingClient(logger: Logger, pool: string): typeof pg.Client {
  return preparingClient({ onFull: () => logger.warn({ pool }, 'prepared statement names used up: newer statements go unnamed') });
}
