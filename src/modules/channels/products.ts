import { and, desc, eq, gte, isNull, lt, or, sql, sum } from 'drizzle-orm';
import { isoText } from '../../db/iso-text.ts';
import type { Database, Executor } from '../../db/client.ts';
import { AppError, badInput, forbidden, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Streams } from '../../realtime/streams.ts';
import type { ChannelAccess } from './access.ts';
import type { ChannelTopics } from './events.ts';
import { toProductState } from './product-state.ts';
import { type ClaimRow, channels, productClaims, type ProductRow, products } from './tables.ts';
import { type ProductChanges, validateProductChanges } from './validation.ts';

export interface ProductServiceDeps {
  db: Database;
  outbox: Outbox<ChannelTopics>;
  streams: Streams<ChannelTopics>;
  access: ChannelAccess;
  /** Units of one product one user may hold in claims (MAX_CLAIM_QUANTITY). */
  maxClaimQuantity: number;
}


export const soldOut = (left: number | null) =>
  new AppError('SOLD_OUT', left === 0 ? 'Sold out' : `Only ${left} left`, { available: left ?? 0 });

/**
 * A channel's products as they change: the seller edits and removes them,
 * buyers claim units of their stock. Every change is one event on the
 * channel's `channel:product` stream, recorded in the change's transaction
 * (commit order); a change of the highlighted product is also a new version
 * of the channel's highlight, so `productHighlighted` shows it as it is.
 *
 * Claims never oversell: the stock is decremented by one conditional UPDATE
 * (`stock >= quantity`) under the product row's lock, and the user's hold is
 * summed while that lock is held, so claims of one product are served one
 * after another, and a refused one changes nothing.
 */
export function createProductService({ db, outbox, streams, access, maxClaimQuantity }: ProductServiceDeps) {
  /** The product and its channel's standing for the viewer; NOT_FOUND for no such product. */
  async function productFor(viewerId: string, productId: string) {
    if (!isUuid(productId)) throw notFound('Product');
    const [product] = await db.select().from(products).where(eq(products.id, productId));
    if (!product) throw notFound('Product');
    return { product, standing: await access.standing(product.channelId, viewerId) };
  }

  /**
   * In the change's transaction: the product's event, and when it is the one highlighted, a new version of the
   * channel's highlight with it (the version raised under the channel row's lock, as a highlight does). Returns
   * whether the highlight changed (its stream is numbered after the commit).
   */
  async function announce(tx: Executor, product: ProductRow, removed: boolean): Promise<boolean> {
    await outbox.record(tx, 'channel:product', product.channelId, { product: toProductState(product), removed });
    const state = { channelId: product.channelId, version: 0, highlightedAt: null, product: removed ? null : toProductState(product) };
    const result = await tx.execute<{ version: number }>(sql`
      with updated as (
        update ${channels} set
          version = ${channels.version} + 1
          ${removed ? sql`, highlighted_product_id = null, highlighted_at = null` : sql``}
        where ${channels.id} = ${product.channelId} and ${channels.highlightedProductId} = ${product.id}
        returning ${channels.version} as version, ${channels.highlightedAt} as highlighted_at
      ), event as (
        ${outbox.eventsInsert(
          'channel:highlight',
          sql`select ${product.channelId}::text as key,
            jsonb_set(jsonb_set(${JSON.stringify(state)}::jsonb, '{version}', to_jsonb(updated.version)),
              '{highlightedAt}', coalesce(to_jsonb(${isoText(sql`updated.highlighted_at`)}), 'null'::jsonb)) as payload
            from updated`,
        )}
      )
      select version from updated`);
    return result.rows.length > 0;
  }

  /** Runs a change and its announcement in one transaction; numbers the highlight after the commit when it moved. */
  async function changing<R>(channelId: string, work: (tx: Executor) => Promise<{ result: R; highlighted: boolean }>): Promise<R> {
    const { result, highlighted } = await outbox.transaction(work);
    if (highlighted) await outbox.number('channel:highlight', channelId);
    return result;
  }

  return {
    /** Seller only: any of name, description, price, currency and stock; only what is given changes. */
    async update(viewerId: string, productId: string, input: ProductChanges): Promise<ProductRow> {
      const changes = validateProductChanges(input);
      const { product, standing } = await productFor(viewerId, productId);
      if (standing.role !== 'SELLER') throw forbidden("Only the channel's seller may do this");
      if (product.removedAt) throw notFound('Product');
      if (Object.keys(changes).length === 0) return product;
      return changing(product.channelId, async (tx) => {
        const [updated] = await tx
          .update(products)
          .set(changes)
          .where(and(eq(products.id, product.id), isNull(products.removedAt)))
          .returning();
        if (!updated) throw notFound('Product');
        return { result: updated, highlighted: await announce(tx, updated, false) };
      });
    },

    /** Seller only. The product stays for the claims that name it, no longer offered; unhighlighted if it was. */
    async remove(viewerId: string, productId: string): Promise<string> {
      const { product, standing } = await productFor(viewerId, productId);
      if (standing.role !== 'SELLER') throw forbidden("Only the channel's seller may do this");
      if (product.removedAt) return product.id;
      return changing(product.channelId, async (tx) => {
        const [removed] = await tx
          .update(products)
          .set({ removedAt: sql`now()` })
          .where(and(eq(products.id, product.id), isNull(products.removedAt)))
          .returning();
        if (!removed) return { result: product.id, highlighted: false };
        return { result: product.id, highlighted: await announce(tx, removed, true) };
      });
    },

    /** `quantity` units for the viewer: SOLD_OUT when fewer are left, CLAIM_LIMIT_REACHED past MAX_CLAIM_QUANTITY held. */
    async claim(viewerId: string, input: { productId: string; quantity: number }): Promise<ClaimRow> {
      const quantity = input.quantity;
      if (!Number.isSafeInteger(quantity) || quantity < 1) throw badInput('quantity must be a whole number of at least 1', 'quantity');
      if (quantity > maxClaimQuantity) throw new AppError('CLAIM_LIMIT_REACHED', `At most ${maxClaimQuantity} units of one product per buyer`, { max: maxClaimQuantity });
      const { product, standing } = await productFor(viewerId, input.productId);
      if (standing.banned) throw forbidden('You are banned from this channel');
      if (product.removedAt) throw notFound('Product');
      // Sold out a moment ago: answered without queueing for the row's lock (stock only grows by the seller's hand).
      if (product.stock !== null && product.stock < quantity) throw soldOut(product.stock);
      return changing(product.channelId, async (tx) => {
        // Takes the units under the row's lock, or takes nothing.
        const [taken] = await tx
          .update(products)
          .set({ stock: sql`${products.stock} - ${quantity}` })
          .where(and(eq(products.id, product.id), isNull(products.removedAt), or(isNull(products.stock), gte(products.stock, quantity))))
          .returning();
        if (!taken) {
          const [now] = await tx.select({ stock: products.stock, removedAt: products.removedAt }).from(products).where(eq(products.id, product.id));
          if (!now || now.removedAt) throw notFound('Product');
          throw soldOut(now.stock);
        }
        // Claims of this product wait on its row: what this user holds is read after every earlier claim committed.
        const [held] = await tx
          .select({ units: sum(productClaims.quantity).mapWith(Number) })
          .from(productClaims)
          .where(and(eq(productClaims.productId, product.id), eq(productClaims.userId, viewerId)));
        if ((held?.units ?? 0) + quantity > maxClaimQuantity) {
          throw new AppError('CLAIM_LIMIT_REACHED', `At most ${maxClaimQuantity} units of one product per buyer`, {
            max: maxClaimQuantity,
            held: held?.units ?? 0,
          });
        }
        const [claim] = await tx.insert(productClaims).values({ productId: product.id, channelId: product.channelId, userId: viewerId, quantity }).returning();
        if (!claim) throw new Error('insert returned no row');
        // Unlimited stock: nothing anyone sees changed.
        const highlighted = taken.stock === null ? false : await announce(tx, taken, false);
        return { result: claim, highlighted };
      });
    },

    /** Seller only: the channel's claims, newest first, `first` after the claim `after` (an id). */
    async claimsOf(viewerId: string, channelId: string, first: number, after: { createdAt: Date; id: string } | null): Promise<ClaimRow[]> {
      await access.assertSeller(channelId, viewerId);
      return db
        .select()
        .from(productClaims)
        .where(
          and(
            eq(productClaims.channelId, channelId),
            after
              ? or(lt(productClaims.createdAt, after.createdAt), and(eq(productClaims.createdAt, after.createdAt), lt(productClaims.id, after.id)))
              : undefined,
          ),
        )
        .orderBy(desc(productClaims.createdAt), desc(productClaims.id))
        .limit(first + 1);
    },

    async claimsByIds(ids: readonly string[]): Promise<ClaimRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(productClaims).where(sql`${productClaims.id} in ${valid}`);
    },

    /** Every change of the channel's products after `after` (a cursor), or from now on. */
    async watch(channelId: string, after: string | null | undefined) {
      if (!isUuid(channelId)) throw notFound('Channel');
      const position = resumeAfter(after, 'channel:product', channelId);
      // The channel must exist: a stream of nothing is a typo the client should hear about.
      const [channel] = await db.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId));
      if (!channel) throw notFound('Channel');
      return streams.watch('channel:product', channelId, position);
    },
  };
}

export type ProductService = ReturnType<typeof createProductService>;
