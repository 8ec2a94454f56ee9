import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder, signedIn } from '../../graphql/builder.ts';
import { sameForEveryViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { localId } from '../../graphql/ids.ts';
import { badInput, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import type { Occupancy } from '../../realtime/presence.ts';
import { loadNodes } from '../../graphql/load-nodes.ts';
import { costOf } from '../../graphql/cost.ts';
import { MAX_PRODUCTS_PER_CHANNEL } from './validation.ts';
import { NotificationRef } from '../notifications/graphql.ts';
import { UserRef } from '../users/graphql.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import type { HighlightDelivered, HighlightState } from './events.ts';
import { productFromState, toHighlightState } from './service.ts';
import type { ChannelRow, ProductRow } from './tables.ts';

export const ChannelRef = builder.objectRef<ChannelRow>('Channel');
export const ProductRef = builder.objectRef<ProductRow>('Product');

builder.node(ProductRef, {
  id: { resolve: (product) => product.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.product, ids),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    priceCents: t.exposeInt('priceCents', { description: "Price in the currency's minor unit (cents)." }),
    currency: t.exposeString('currency', { description: 'ISO 4217 code, e.g. EUR.' }),
    imageUrl: t.exposeString('imageUrl', { nullable: true }),
  }),
});

const ChannelHighlightRef = builder.objectRef<HighlightState & { snapshot?: boolean }>('ChannelHighlight').implement({
  description:
    "A channel's highlight state. product is null when nothing is highlighted. version grows by one on every change, per channel.",
  fields: (t) => ({
    channelId: t.id({ resolve: (s) => encodeGlobalID('Channel', s.channelId) }),
    product: t.field({ type: ProductRef, nullable: true, resolve: (s) => productFromState(s) }),
    highlightedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => (s.highlightedAt ? new Date(s.highlightedAt) : null) }),
    version: t.exposeInt('version'),
    cursor: t.string({
      description: 'This version as a cursor: pass it as `after` to productHighlighted to get every change after it.',
      resolve: (s) => encodeCursor({ topic: 'channel:highlight', key: s.channelId, seq: s.version }),
    }),
    isSnapshot: t.boolean({
      description:
        'True for the state a productHighlighted subscription starts with (no cursor, or one older than the events kept: versions in between were skipped); false for each change.',
      resolve: (s) => s.snapshot === true,
    }),
  }),
});

builder.node(ChannelRef, {
  id: { resolve: (channel) => channel.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.channel, ids),
  fields: (t) => ({
    name: t.exposeString('name'),
    seller: t.field({
      type: UserRef,
      resolve: async (c, _args, ctx) => (await ctx.loaders.user.load(c.sellerId)) ?? Promise.reject(notFound('User')),
    }),
    products: t.field({ type: [ProductRef], ...costOf({ size: MAX_PRODUCTS_PER_CHANNEL }), resolve: (c, _args, ctx) => ctx.loaders.productsByChannel.load(c.id) }),
    viewerCount: t.int({
      description:
        'Signed-in users who have the channel open now (a productHighlighted or channelPresence subscription, on any instance), each counted once however many tabs; the seller not counted.',
      resolve: async (c, _args, ctx) => (await ctx.services.channels.occupancy(c)).count,
    }),
    sellerLive: t.boolean({
      description: 'Whether the seller has the channel open now.',
      resolve: async (c, _args, ctx) => (await ctx.services.channels.occupancy(c)).ownerPresent,
    }),
    viewers: t.connection(
      {
        type: UserRef,
        nullable: true,
        description: 'Seller only (null with a FORBIDDEN error for anyone else): who has the channel open now, in id order, paged.',
        ...costOf({ pageMax: 100 }),
        resolve: async (c, args, ctx) => {
          const { first, after } = viewerPage(args);
          const { ids, hasNextPage } = await ctx.services.channels.viewerIds(ctx.viewer!.id, c.id, first, after);
          const users = await Promise.all(ids.map((id) => ctx.loaders.user.load(id)));
          const edges = users.flatMap((user) => (user ? [{ cursor: viewerCursor(user.id), node: user }] : []));
          return {
            edges,
            pageInfo: { hasNextPage, hasPreviousPage: after !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
          };
        },
      },
      { name: 'ChannelViewerConnection' },
      { name: 'ChannelViewerEdge' },
    ),
    highlight: t.field({
      type: ChannelHighlightRef,
      resolve: async (c, _args, ctx) =>
        toHighlightState(c, c.highlightedProductId ? await ctx.loaders.product.load(c.highlightedProductId) : null),
    }),
  }),
});

const CreateChannelInput = builder.inputType('CreateChannelInput', {
  fields: (t) => ({ name: t.string({ required: true }) }),
});

const AddProductInput = builder.inputType('AddProductInput', {
  fields: (t) => ({
    channelId: t.id({ required: true }),
    name: t.string({ required: true, description: 'At most 200 characters.' }),
    description: t.string(),
    priceCents: t.int({ required: true, description: 'Non-negative, in minor units.' }),
    currency: t.string({ required: true, description: 'ISO 4217, e.g. EUR.' }),
    imageUrl: t.string({ description: 'Absolute http(s) URL.' }),
    stock: t.int({ description: 'Units to sell, from 0; left out or null = unlimited.' }),
  }),
});

const HighlightProductInput = builder.inputType('HighlightProductInput', {
  fields: (t) => ({ channelId: t.id({ required: true }), productId: t.id({ required: true }) }),
});

const UnhighlightProductInput = builder.inputType('UnhighlightProductInput', {
  fields: (t) => ({ channelId: t.id({ required: true }) }),
});

builder.queryFields((t) => ({
  channel: t.field({
    type: ChannelRef,
    nullable: true,
    ...signedIn,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.loaders.channel.load(localId(String(args.id), 'Channel')),
  }),
}));

builder.mutationFields((t) => ({
  createChannel: t.field({
    type: ChannelRef,
    description: "The caller becomes the channel's seller.",
    ...signedIn,
    ...rateLimited('createChannel'),
    args: { input: t.arg({ type: CreateChannelInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.channels.create(ctx.viewer!.id, input),
  }),
  addProduct: t.field({
    type: ProductRef,
    description: 'Seller only.',
    ...signedIn,
    ...rateLimited('addProduct'),
    args: { input: t.arg({ type: AddProductInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.channels.addProduct(ctx.viewer!.id, { ...input, channelId: localId(String(input.channelId), 'Channel') }),
  }),
  highlightProduct: t.field({
    type: ChannelHighlightRef,
    description: 'Seller only.',
    ...signedIn,
    args: { input: t.arg({ type: HighlightProductInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.channels.highlight(ctx.viewer!.id, {
        channelId: localId(String(input.channelId), 'Channel'),
        productId: productIdOrEmpty(String(input.productId)),
      }),
  }),
  unhighlightProduct: t.field({
    type: ChannelHighlightRef,
    description: 'Seller only. Nothing highlighted: no change, no event.',
    ...signedIn,
    args: { input: t.arg({ type: UnhighlightProductInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.channels.unhighlight(ctx.viewer!.id, { channelId: localId(String(input.channelId), 'Channel') }),
  }),
}));

/** A malformed product id is a bad product for this channel, not an unknown channel. */
function productIdOrEmpty(globalId: string): string {
  try {
    return localId(globalId, 'Product');
  } catch {
    return '';
  }
}

const ChannelPresenceRef = builder.objectRef<Occupancy>('ChannelPresence').implement({
  description: "Who has a live channel open: a count, never identities.",
  fields: (t) => ({
    channelId: t.id({ resolve: (o) => encodeGlobalID('Channel', o.room) }),
    viewerCount: t.int({ description: 'As Channel.viewerCount.', resolve: (o) => o.count }),
    sellerLive: t.boolean({ description: 'As Channel.sellerLive.', resolve: (o) => o.ownerPresent }),
  }),
});

const VIEWER_PAGE = 50;

/** A page of viewers: `first` up to 100, `after` an opaque cursor from a previous page. */
function viewerPage(args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }) {
  if (args.last != null || args.before != null) throw badInput('pages forward only: use first and after', 'last');
  const first = args.first ?? VIEWER_PAGE;
  if (first < 0 || first > 100) throw badInput('first must be between 0 and 100', 'first');
  if (!args.after) return { first, after: null };
  const decoded = Buffer.from(args.after, 'base64url').toString();
  if (!decoded.startsWith('viewer:') || !isUuid(decoded.slice(7))) throw badInput('after is not a cursor of this list', 'after');
  return { first, after: decoded.slice(7) };
}

const viewerCursor = (userId: string) => Buffer.from(`viewer:${userId}`).toString('base64url');

builder.subscriptionFields((t) => ({
  channelPresence: t.field({
    ...sameForEveryViewer,
    type: ChannelPresenceRef,
    description:
      'First how many have the channel open now and whether its seller does, then each change: at most one per PRESENCE_INTERVAL_MS (default 1 s) per channel, none when nothing changed. The subscriber counts as having the channel open.',
    ...signedIn,
    args: { channelId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => ctx.services.channels.watchPresence(localId(String(args.channelId), 'Channel'), ctx.viewer!.id),
    resolve: (occupancy: Occupancy) => occupancy,
  }),
  productHighlighted: t.field({
    ...sameForEveryViewer,
    type: ChannelHighlightRef,
    description:
      "First the channel's current highlight state (isSnapshot), then every change, in version order. With `after`, every change after that cursor instead; a cursor older than the events kept starts from the current state again.",
    ...signedIn,
    args: { channelId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: (_root, args, ctx) =>
      ctx.services.channels.watchHighlights(localId(String(args.channelId), 'Channel'), ctx.viewer!.id, args.after ?? ctx.lastEventId),
    resolve: (event: HighlightDelivered) => ({ ...event.payload, snapshot: event.snapshot === true }),
  }),
}));

builder.objectField(NotificationRef, 'channel', (t) =>
  t.field({
    type: ChannelRef,
    nullable: true,
    description: 'The channel it is about; no kind of notification names one yet, so null for now.',
    resolve: () => null,
  }),
);
