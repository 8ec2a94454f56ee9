import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { AppError, badInput, forbidden, notFound } from '../../lib/errors.ts';
import type { RateLimit } from '../../lib/rate-limiter.ts';
import { isUuid, requireText } from '../../lib/validate.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Occupancy, PresenceRooms } from '../../realtime/presence.ts';
import type { Streams } from '../../realtime/streams.ts';
import type { ChannelTopics, HighlightDelivered, HighlightState } from './events.ts';
import { productFromJson, toProductState } from './product-state.ts';
import { withFirst } from '../../realtime/with-first.ts';
import { type ChannelRow, channels, type ProductRow, products } from './tables.ts';
import { MAX_PRODUCTS_PER_CHANNEL, validateNewProduct } from './validation.ts';

export interface ChannelServiceDeps {
  db: Database;
  outbox: Outbox<ChannelTopics>;
  streams: Streams<ChannelTopics>;
  highlightLimit: RateLimit;
  /** Who has each channel open (realtime/presence.ts); rooms are channel ids, owned by their sellers. */
  presence: PresenceRooms;
}

export function toHighlightState(channel: ChannelRow, product: ProductRow | null): HighlightState {
  return {
    channelId: channel.id,
    version: channel.version,
    highlightedAt: channel.highlightedAt?.toISOString() ?? null,
    product: product ? toProductState(product) : null,
  };
}

export function productFromState(state: HighlightState): ProductRow | null {
  return state.product ? productFromJson(state.product) : null;
}

export function createChannelService({ db, outbox, streams, highlightLimit, presence }: ChannelServiceDeps) {
  async function channelOf(channelId: string): Promise<ChannelRow> {
    if (!isUuid(channelId)) throw notFound('Channel');
    const [channel] = await db.select().from(channels).where(eq(channels.id, channelId));
    if (!channel) throw notFound('Channel');
    return channel;
  }

  /** The channel, if the viewer is its seller. */
  function ownedBy(channel: ChannelRow, viewerId: string): ChannelRow {
    if (channel.sellerId !== viewerId) throw forbidden("Only the channel's seller may do this");
    return channel;
  }

  async function sellersChannel(viewerId: string, channelId: string): Promise<ChannelRow> {
    return ownedBy(await channelOf(channelId), viewerId);
  }

  async function productById(productId: string | null): Promise<ProductRow | null> {
    if (!productId) return null;
    const [product] = await db.select().from(products).where(eq(products.id, productId));
    return product ?? null;
  }

  async function currentState(channelId: string): Promise<HighlightState> {
    const channel = await channelOf(channelId);
    return toHighlightState(channel, await productById(channel.highlightedProductId));
  }

  /**
   * A change of the highlight and its `channel:highlight` event as one
   * statement that commits on its own (one round trip); the version is the
   * row's, raised in that statement (under the row's lock, so versions follow
   * commit order and the event's sequence number is the version), and written
   * into the event there. Then the event is numbered and published, before the
   * answer. Null when no row
   * changed (no channel, or `whileHighlighted` and nothing is).
   */
  async function change(
    channelId: string,
    product: ProductRow | null,
    { whileHighlighted = false }: { whileHighlighted?: boolean } = {},
  ): Promise<HighlightState | null> {
    const highlightedAt = product ? new Date() : null;
    // The event as it will read, but for its version (set from the row in the statement).
    const state = toHighlightState({ id: channelId, version: 0, highlightedAt } as ChannelRow, product);
    const result = await db.execute<{ version: number }>(sql`
      with updated as (
        update ${channels} set
          highlighted_product_id = ${product?.id ?? null},
          highlighted_at = ${highlightedAt?.toISOString() ?? null},
          version = ${channels.version} + 1
        where ${channels.id} = ${channelId} ${whileHighlighted ? sql`and ${channels.highlightedProductId} is not null` : sql``}
        returning ${channels.version} as version
      ), event as (
        ${outbox.eventsInsert(
          'channel:highlight',
          sql`select ${channelId}::text as key, jsonb_set(${JSON.stringify(state)}::jsonb, '{version}', to_jsonb(updated.version)) as payload from updated`,
        )}
      )
      select version from updated`);
    const row = result.rows[0];
    if (!row) return null;
    await outbox.number('channel:highlight', channelId);
    return { ...state, version: Number(row.version) };
  }

  return {
    async create(viewerId: string, input: { name: string }): Promise<ChannelRow> {
      const name = requireText(input.name, 'name', { max: 100 });
      const [channel] = await db.insert(channels).values({ name, sellerId: viewerId }).returning();
      if (!channel) throw new Error('insert returned no row');
      return channel;
    },

    async addProduct(viewerId: string, input: Parameters<typeof validateNewProduct>[0] & { channelId: string }): Promise<ProductRow> {
      const values = validateNewProduct(input);
      const channel = await sellersChannel(viewerId, input.channelId);
      // A bound against a runaway seller, not an exact count: two additions racing for the last place may both land.
      const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(products).where(and(eq(products.channelId, channel.id), isNull(products.removedAt)));
      if (n >= MAX_PRODUCTS_PER_CHANNEL) throw badInput(`a channel may hold at most ${MAX_PRODUCTS_PER_CHANNEL} products`, 'channelId');
      const [product] = await db.insert(products).values({ ...values, channelId: channel.id }).returning();
      if (!product) throw new Error('insert returned no row');
      return product;
    },

    /** The channel's current state, as a joiner first sees it. */
    state: currentState,

    /**
     * Seller only. Sets the highlight and bumps the version with its event in
     * one statement (`change`), then announces the new state.
     */
    async highlight(viewerId: string, input: { channelId: string; productId: string }): Promise<HighlightState> {
      // The channel and the product in one read: the seller's, and one of the channel's own.
      if (!isUuid(input.channelId)) throw notFound('Channel');
      const productId = isUuid(input.productId) ? input.productId : null;
      const [found] = await db
        .select({ channel: channels, product: products })
        .from(channels)
        .leftJoin(products, and(eq(products.channelId, channels.id), isNull(products.removedAt), productId ? eq(products.id, productId) : sql`false`))
        .where(eq(channels.id, input.channelId));
      if (!found) throw notFound('Channel');
      const channel = ownedBy(found.channel, viewerId);
      if (!found.product) throw badInput('productId is not a product of this channel', 'productId');
      await highlightLimit.consume(channel.id);
      const state = await change(channel.id, found.product);
      if (!state) throw notFound('Channel');
      return state;
    },

    /** Seller only. Clearing an empty highlight changes nothing: no version, no event. */
    async unhighlight(viewerId: string, input: { channelId: string }): Promise<HighlightState> {
      const channel = await sellersChannel(viewerId, input.channelId);
      if (!channel.highlightedProductId) return toHighlightState(channel, null);
      await highlightLimit.consume(channel.id);
      const state = await change(channel.id, null, { whileHighlighted: true });
      // Someone cleared it in between: nothing left to change.
      return state ?? currentState(channel.id);
    },

    /**
     * What `productHighlighted` streams: without a cursor, the current state
     * (a snapshot) and every change after it; with one, every change after the
     * cursor; with one past retention, the current state (a snapshot) first.
     * The viewer counts as having the channel open while it runs.
     */
    async watchHighlights(channelId: string, viewerId: string, after?: string | null) {
      const channel = await channelOf(channelId);
      const state = toHighlightState(channel, await productById(channel.highlightedProductId));
      const position = resumeAfter(after, 'channel:highlight', channelId);
      const leave = presence.enter(channel.id, channel.sellerId, viewerId);
      try {
        if (position !== null) {
          try {
            return await streams.watch('channel:highlight', channelId, position, { onEnd: leave });
          } catch (err) {
            if (!(err instanceof AppError && err.code === 'CURSOR_EXPIRED')) throw err;
          }
        }
        const changes: AsyncIterableIterator<HighlightDelivered> = await streams.watch('channel:highlight', channelId, state.version, { onEnd: leave });
        return withFirst<HighlightDelivered>({ topic: 'channel:highlight', key: channelId, seq: state.version, payload: state, snapshot: true }, changes);
      } catch (err) {
        leave();
        throw err;
      }
    },

    /** How many have the channel open (its seller not counted), and whether its seller does. */
    occupancy: (channel: ChannelRow): Promise<Occupancy> => presence.occupancy(channel.id, channel.sellerId),

    /** The occupancy now, then each change (at most one per interval); the viewer counts as having the channel open. */
    async watchPresence(channelId: string, viewerId: string): Promise<AsyncIterableIterator<Occupancy>> {
      // A channel this instance already watches needs no read: thousands joining at once ask nothing of the database.
      const sellerId = presence.ownerOf(channelId) ?? (await channelOf(channelId)).sellerId;
      const leave = presence.enter(channelId, sellerId, viewerId);
      try {
        return await presence.watch(channelId, sellerId, leave);
      } catch (err) {
        leave();
        throw err;
      }
    },

    /** Seller only: the ids of those who have the channel open (the seller not among them), in id order, after `after`. */
    async viewerIds(viewerId: string, channelId: string, first: number, after: string | null): Promise<{ ids: string[]; hasNextPage: boolean }> {
      const channel = await sellersChannel(viewerId, channelId);
      const ids = (await presence.members(channel.id, first + 2, after)).filter((id) => id !== channel.sellerId);
      return { ids: ids.slice(0, first), hasNextPage: ids.length > first };
    },

    async byIds(ids: readonly string[]): Promise<ChannelRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(channels).where(inArray(channels.id, valid));
    },

    async productsByIds(ids: readonly string[]): Promise<ProductRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(products).where(inArray(products.id, valid));
    },

    async productsByChannelIds(channelIds: readonly string[]): Promise<ProductRow[]> {
      if (channelIds.length === 0) return [];
      return db
        .select()
        .from(products)
        .where(and(inArray(products.channelId, [...channelIds]), isNull(products.removedAt)))
        .orderBy(asc(products.createdAt), asc(products.id));
    },
  };
}

export type ChannelService = ReturnType<typeof createChannelService>;
