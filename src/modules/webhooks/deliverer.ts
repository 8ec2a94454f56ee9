import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import type { WebhookPoster } from './post.ts';
import { sign } from './signature.ts';
import { webhookDeliveries, webhookLease, webhookProgress, type WebhookRow, webhooks } from './tables.ts';

export interface DelivererOptions {
  db: Database;
  poster: WebhookPoster;
  logger: Logger;
  maxAttempts: number;
  maxBackoffSeconds: number;
  pollMs: number;
}

/** Deliveries in flight to one webhook at once (each of a different stream). */
const PER_WEBHOOK = 16;
/** How long a pass's lead lasts unless renewed: another instance takes over after it. */
const LEASE_SECONDS = 5;
/** How long the log of attempts is kept, and how often the leader prunes it. */
const DELIVERY_LOG_DAYS = 7;
const PRUNE_EVERY_MS = 60_000;

interface Due {
  topic: string;
  key: string;
  seq: number;
  payload: unknown;
  created_at: string;
}

/**
 * Delivers committed events to the webhooks, from one instance of the
 * cluster at a time (a lease row, renewed every pass). Per webhook and
 * stream (topic, key), one event at a time, in sequence order: the next is
 * not sent before the previous one was answered 2xx. A failure is retried
 * after a growing wait and holds only its own stream; after `maxAttempts`
 * the webhook is paused (resumeWebhook). Progress is in the database, so a
 * restart of Plaza or of the receiver loses nothing: an attempt that was
 * not acknowledged is made again (at least once).
 */
export function startDeliverer({ db, poster, logger, maxAttempts, maxBackoffSeconds, pollMs }: DelivererOptions) {
  const log = logger.child({ module: 'webhooks' });
  const me = randomUUID();
  const inflight = new Set<string>();
  const perWebhook = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const running = new Set<Promise<void>>();

  async function lead(): Promise<boolean> {
    const result = await db.execute<{ id: number }>(sql`
      insert into ${webhookLease} (id, holder, until) values (1, ${me}, now() + make_interval(secs => ${LEASE_SECONDS}))
      on conflict (id) do update set holder = excluded.holder, until = excluded.until
      where ${webhookLease.holder} = ${me} or ${webhookLease.until} < now()
      returning id`);
    return result.rows.length > 0;
  }

  async function due(hook: WebhookRow, limit: number): Promise<Due[]> {
    const result = await db.execute<Due>(sql`
      select s.topic, s.key, e.seq, e.payload, e.created_at
        from event_streams s
        left join ${webhookProgress} p on p.webhook_id = ${hook.id} and p.topic = s.topic and p.key = s.key
        cross join lateral (
          select seq, payload, created_at from events e
          where e.topic = s.topic and e.key = s.key and e.seq > coalesce(p.delivered_seq, 0) and e.created_at >= ${hook.createdAt.toISOString()}
          order by seq limit 1
        ) e
       where s.topic = any(${sql.param(hook.topics)}::text[]) and s.last_seq > coalesce(p.delivered_seq, 0)
         and (p.next_attempt_at is null or p.next_attempt_at <= now())
       limit ${limit}`);
    return result.rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /** The events of one stream after `after`, in order: what follows a delivered one without waiting for a pass. */
  async function following(event: Due, after: number): Promise<Due[]> {
    const result = await db.execute<Due>(sql`
      select topic, key, seq, payload, created_at from events
      where topic = ${event.topic} and key = ${event.key} and seq > ${after}
      order by seq limit 100`);
    return result.rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /** Whether the receiver acknowledged it. */
  async function deliver(hook: WebhookRow, event: Due): Promise<boolean> {
    const [progress] = await db
      .select({ attempts: webhookProgress.attempts })
      .from(webhookProgress)
      .where(sql`${webhookProgress.webhookId} = ${hook.id} and ${webhookProgress.topic} = ${event.topic} and ${webhookProgress.key} = ${event.key}`);
    const attempt = (progress?.attempts ?? 0) + 1;
    const id = `${event.topic}/${event.key}/${event.seq}`;
    const body = JSON.stringify({
      id,
      topic: event.topic,
      key: event.key,
      seq: event.seq,
      cursor: encodeCursor({ topic: event.topic, key: event.key, seq: event.seq }),
      occurredAt: new Date(event.created_at).toISOString(),
      data: event.payload,
    });
    const outcome = await poster.post(hook.url, body, { 'plaza-signature': sign(hook.secret, body), 'plaza-event-id': id, 'plaza-attempt': String(attempt) });
    let failed = false;
    await db.transaction(async (tx) => {
      await tx.insert(webhookDeliveries).values({
        webhookId: hook.id,
        topic: event.topic,
        key: event.key,
        seq: event.seq,
        status: outcome.ok ? 'DELIVERED' : 'FAILED',
        attempt,
        responseStatus: outcome.status,
        error: outcome.error?.slice(0, 500) ?? null,
        durationMs: outcome.durationMs,
      });
      if (outcome.ok) {
        await tx.execute(sql`
          insert into ${webhookProgress} (webhook_id, topic, key, delivered_seq) values (${hook.id}, ${event.topic}, ${event.key}, ${event.seq})
          on conflict (webhook_id, topic, key) do update set delivered_seq = greatest(${webhookProgress.deliveredSeq}, excluded.delivered_seq),
            attempts = 0, next_attempt_at = null, last_error = null`);
        return;
      }
      failed = true;
      const wait = Math.min(maxBackoffSeconds, 0.5 * 2 ** (attempt - 1));
      await tx.execute(sql`
        insert into ${webhookProgress} (webhook_id, topic, key, attempts, next_attempt_at, last_error)
        values (${hook.id}, ${event.topic}, ${event.key}, ${attempt}, now() + make_interval(secs => ${wait}), ${outcome.error})
        on conflict (webhook_id, topic, key) do update set attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
          last_error = excluded.last_error`);
      if (attempt >= maxAttempts) {
        await tx
          .update(webhooks)
          .set({ status: 'PAUSED', pausedReason: `${id}: ${attempt} failed attempts, the last: ${outcome.error ?? 'failed'}`.slice(0, 500) })
          .where(eq(webhooks.id, hook.id));
        log.warn({ webhookId: hook.id, event: id, attempts: attempt }, 'webhook paused after failing deliveries');
      }
    });
    return !failed;
  }

  /** A stream's events from `first` on, one after another, each once the one before is acknowledged; stops at a failure. */
  async function drain(hook: WebhookRow, first: Due): Promise<void> {
    let batch = [first];
    while (batch.length > 0 && !stopped) {
      let last = first.seq;
      for (const event of batch) {
        if (stopped || !(await deliver(hook, event))) return;
        last = event.seq;
      }
      // Still the one delivering (the lease is renewed here as by a pass), or another instance takes the stream over;
      // and the webhook still active (paused or deleted meanwhile: its streams stop here).
      if (!(await lead())) return;
      const [now] = await db.select({ status: webhooks.status }).from(webhooks).where(eq(webhooks.id, hook.id));
      if (now?.status !== 'ACTIVE') return;
      batch = await following(first, last);
    }
  }

  function launch(hook: WebhookRow, event: Due) {
    const slot = `${hook.id}\u0000${event.topic}\u0000${event.key}`;
    if (inflight.has(slot)) return;
    inflight.add(slot);
    perWebhook.set(hook.id, (perWebhook.get(hook.id) ?? 0) + 1);
    const work = drain(hook, event)
      .catch((err: Error) => log.warn({ err: err.message, webhookId: hook.id }, 'webhook delivery failed to record'))
      .finally(() => {
        inflight.delete(slot);
        perWebhook.set(hook.id, (perWebhook.get(hook.id) ?? 1) - 1);
        running.delete(work);
      });
    running.add(work);
  }

  let prunedAt = 0;

  async function pass(): Promise<void> {
    if (!(await lead())) return;
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = Date.now();
      await db.execute(sql`delete from ${webhookDeliveries} where created_at < now() - make_interval(days => ${DELIVERY_LOG_DAYS})`);
    }
    const active = await db.select().from(webhooks).where(eq(webhooks.status, 'ACTIVE'));
    for (const hook of active) {
      const room = PER_WEBHOOK - (perWebhook.get(hook.id) ?? 0);
      if (room <= 0) continue;
      for (const event of await due(hook, room + inflight.size)) launch(hook, event);
    }
  }

  const loop = async () => {
    try {
      await pass();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'webhook pass failed');
    }
    if (!stopped) timer = setTimeout(loop, pollMs);
  };
  void loop();

  return {
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...running]);
      await db.execute(sql`update ${webhookLease} set until = now() where holder = ${me}`).catch(() => {});
    },
  };
}
