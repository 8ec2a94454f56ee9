import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder, signedIn } from '../../graphql/builder.ts';
import { costOf } from '../../graphql/cost.ts';
import { localId } from '../../graphql/ids.ts';
import { forwardPage, toConnection } from '../../graphql/pagination.ts';
import { perViewer, sameForEveryViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { notFound } from '../../lib/errors.ts';
import type { Delivered } from '../../realtime/streams.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import { UserRef } from '../users/graphql.ts';
import type { ProductUpdateEvent } from './events.ts';
import { ChannelRef, ProductRef } from './graphql.ts';
import { productFromJson } from './product-state.ts';
import type { ClaimRow } from './tables.ts';

const CLAIMS_PAGE = { defaultSize: 20, maxSize: 100 };

builder.objectFields(ProductRef, (t) => ({
  stock: t.exposeInt('stock', { nullable: true, description: 'Units left to claim; null = unlimited.' }),
  available: t.boolean({
    description: 'Not removed, and stock left (or unlimited).',
    resolve: (p) => p.removedAt === null && p.stock !== 0,
  }),
}));

const ClaimRef = builder.objectRef<ClaimRow>('Claim').implement({
  description: "Units of a product taken from its stock by a buyer. Seen by the buyer (claimProduct's answer) and the channel's seller.",
  fields: (t) => ({
    id: t.id({ resolve: (c) => encodeGlobalID('Claim', c.id) }),
    product: t.field({
      type: ProductRef,
      resolve: async (c, _a, ctx) => (await ctx.loaders.product.load(c.productId)) ?? Promise.reject(notFound('Product')),
    }),
    buyer: t.field({
      type: UserRef,
      resolve: async (c, _a, ctx) => (await ctx.loaders.user.load(c.userId)) ?? Promise.reject(notFound('User')),
    }),
    quantity: t.exposeInt('quantity'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.objectField(ChannelRef, 'claims', (t) =>
  t.connection(
    {
      type: ClaimRef,
      nullable: true,
      description: "The channel's claims, newest first. Its seller only; FORBIDDEN for anyone else.",
      ...perViewer,
      ...costOf({ pageMax: CLAIMS_PAGE.maxSize }),
      resolve: async (channel, args, ctx) => {
        const { first, after } = forwardPage(args, CLAIMS_PAGE);
        const rows = await ctx.services.products.claimsOf(ctx.viewer!.id, channel.id, first, after);
        return toConnection(rows.slice(0, first), { hasNextPage: rows.length > first, after }, (c) => ({ createdAt: c.createdAt, id: c.id }));
      },
    },
    { name: 'ClaimConnection' },
    { name: 'ClaimEdge' },
  ),
);

const ProductUpdateRef = builder.objectRef<Delivered<ProductUpdateEvent>>('ProductUpdate').implement({
  description: "One change of a channel's product: its price, stock, name or description, a claim, or its removal.",
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'The product after the change.', resolve: (e) => productFromJson(e.payload.product) }),
    removed: t.boolean({ description: 'The seller removed it: it is no longer offered.', resolve: (e) => e.payload.removed }),
    cursor: t.string({
      description: 'Pass as `after` to productUpdated to get every change after this one.',
      resolve: (e) => encodeCursor({ topic: e.topic, key: e.key, seq: e.seq }),
    }),
  }),
});

const UpdateProductInput = builder.inputType('UpdateProductInput', {
  description: 'Only the fields given change; `stock: null` makes it unlimited.',
  fields: (t) => ({
    productId: t.id({ required: true }),
    name: t.string({ description: 'At most 200 characters.' }),
    description: t.string(),
    priceCents: t.int({ description: 'Non-negative, in minor units.' }),
    currency: t.string({ description: 'ISO 4217, e.g. EUR.' }),
    stock: t.int({ description: 'Units left to claim, from 0; null = unlimited.' }),
  }),
});

const ClaimProductInput = builder.inputType('ClaimProductInput', {
  fields: (t) => ({
    productId: t.id({ required: true }),
    quantity: t.int({ defaultValue: 1, description: 'At least 1; a buyer holds at most MAX_CLAIM_QUANTITY (default 5) of one product.' }),
  }),
});

builder.mutationFields((t) => ({
  updateProduct: t.field({
    type: ProductRef,
    description: "Seller only. Everyone watching the channel's productUpdated gets the change (and productHighlighted, when it is the highlighted one).",
    ...signedIn,
    ...rateLimited('updateProduct'),
    args: { input: t.arg({ type: UpdateProductInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const { productId, ...changes } = input;
      return ctx.services.products.update(ctx.viewer!.id, localId(String(productId), 'Product'), changes);
    },
  }),
  removeProduct: t.field({
    type: 'ID',
    description: 'Seller only. No longer offered or claimable; unhighlighted if it was highlighted. Returns its id.',
    ...signedIn,
    ...rateLimited('updateProduct'),
    args: { productId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) =>
      encodeGlobalID('Product', await ctx.services.products.remove(ctx.viewer!.id, localId(String(args.productId), 'Product'))),
  }),
  claimProduct: t.field({
    type: ClaimRef,
    description:
      'Takes units from the stock: SOLD_OUT (with `available`) when fewer are left, CLAIM_LIMIT_REACHED past what one buyer may hold, FORBIDDEN when banned from the channel. Never oversells.',
    ...signedIn,
    ...rateLimited('claimProduct'),
    args: { input: t.arg({ type: ClaimProductInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.products.claim(ctx.viewer!.id, { productId: localId(String(input.productId), 'Product'), quantity: input.quantity ?? 1 }),
  }),
}));

builder.subscriptionFields((t) => ({
  productUpdated: t.field({
    ...sameForEveryViewer,
    type: ProductUpdateRef,
    description:
      "Every change of the channel's products, in commit order: price, stock, name, claims, removal. With `after`, every change after that cursor first.",
    ...signedIn,
    args: { channelId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: (_root, args, ctx) => ctx.services.products.watch(localId(String(args.channelId), 'Channel'), args.after ?? ctx.lastEventId),
    resolve: (event: Delivered<ProductUpdateEvent>) => event,
  }),
}));
