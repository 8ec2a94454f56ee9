import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { badInput, forbidden, notFound } from '../../lib/errors.ts';
import type { FeedCursor } from '../../lib/feed-cursor.ts';
import { isUuid, requireText } from '../../lib/validate.ts';
import { checkUrl, type AllowList } from '../links/fetch/url-policy.ts';
import type { Admins } from '../users/admins.ts';
import { newSecret } from './signature.ts';
import { webhookDeliveries, type WebhookDeliveryRow, webhookProgress, type WebhookRow, webhooks } from './tables.ts';

/** The streams a webhook may follow: the public ones (not the instances' own: revocations, erasures, bans). */
export const WEBHOOK_TOPICS = [
  'post:created',
  'post:reactionsChanged',
  'link:updated',
  'story:activity',
  'channel:highlight',
  'channel:product',
  'channel:chat',
  'notification:changed',
] as const;

export const MAX_WEBHOOKS = 50;

/** Webhooks are the admins' (ADMIN_USERNAMES): registering, listing, deleting, resuming, reading deliveries. */
export function createWebhookService({ db, admins, allow }: { db: Database; admins: Admins; allow: AllowList }) {
  async function asAdmin(viewerId: string): Promise<void> {
    if (!(await admins.isAdmin(viewerId))) throw forbidden('Only admins manage webhooks');
  }

  async function owned(viewerId: string, webhookId: string): Promise<WebhookRow> {
    await asAdmin(viewerId);
    if (!isUuid(webhookId)) throw notFound('Webhook');
    const [row] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId));
    if (!row) throw notFound('Webhook');
    return row;
  }

  return {
    /** Returns the webhook with its secret: the only time it is shown. */
    async create(viewerId: string, input: { url: string; topics: readonly string[]; description?: string | null }): Promise<WebhookRow> {
      await asAdmin(viewerId);
      const url = input.url.trim();
      try {
        const parsed = checkUrl(url, allow);
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
      } catch (err) {
        throw badInput(`url is not one Plaza may call: ${(err as Error).message}`, 'url');
      }
      const topics = [...new Set(input.topics)];
      if (topics.length === 0) throw badInput('topics must name at least one topic', 'topics');
      const unknown = topics.find((t) => !(WEBHOOK_TOPICS as readonly string[]).includes(t));
      if (unknown) throw badInput(`unknown topic ${JSON.stringify(unknown).slice(0, 60)}; topics are ${WEBHOOK_TOPICS.join(', ')}`, 'topics');
      const description = input.description?.trim() ? requireText(input.description, 'description', { max: 500 }) : null;
      const [{ n } = { n: 0 }] = await db.select({ n: sql<number>`count(*)::int` }).from(webhooks);
      if (n >= MAX_WEBHOOKS) throw badInput(`at most ${MAX_WEBHOOKS} webhooks`, 'url');
      const [row] = await db.insert(webhooks).values({ url, topics, description, secret: newSecret(), createdBy: viewerId }).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    async list(viewerId: string): Promise<WebhookRow[]> {
      await asAdmin(viewerId);
      return db.select().from(webhooks).orderBy(desc(webhooks.createdAt));
    },

    async delete(viewerId: string, webhookId: string): Promise<string> {
      const row = await owned(viewerId, webhookId);
      await db.delete(webhooks).where(eq(webhooks.id, row.id));
      return row.id;
    },

    /** Active again; every stream's failing attempt starts over from where it stopped, nothing skipped. */
    async resume(viewerId: string, webhookId: string): Promise<WebhookRow> {
      const row = await owned(viewerId, webhookId);
      return db.transaction(async (tx) => {
        await tx.update(webhookProgress).set({ attempts: 0, nextAttemptAt: null }).where(eq(webhookProgress.webhookId, row.id));
        const [active] = await tx.update(webhooks).set({ status: 'ACTIVE', pausedReason: null }).where(eq(webhooks.id, row.id)).returning();
        return active!;
      });
    },

    /** Its attempts, newest first: `first + 1` rows. */
    async deliveries(viewerId: string, webhookId: string, first: number, after: FeedCursor | null): Promise<WebhookDeliveryRow[]> {
      const row = await owned(viewerId, webhookId);
      return db
        .select()
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.webhookId, row.id),
            after
              ? or(lt(webhookDeliveries.createdAt, after.createdAt), and(eq(webhookDeliveries.createdAt, after.createdAt), lt(webhookDeliveries.id, after.id)))
              : undefined,
          ),
        )
        .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
        .limit(first + 1);
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
