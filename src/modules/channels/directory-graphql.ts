import { builder, signedIn } from '../../graphql/builder.ts';
import { costOf } from '../../graphql/cost.ts';
import { perViewer, sameForEveryViewer } from '../../graphql/plugins/shared-results.ts';
import { badInput, notFound } from '../../lib/errors.ts';
import type { Delivered } from '../../realtime/streams.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import { decodeDirectoryCursor, type DirectoryEntry } from './directory.ts';
import type { DirectoryEvent } from './events.ts';
import { ChannelRef } from './graphql.ts';

const DEFAULT_PAGE = 20;
const MAX_PAGE = 50;

type PageInfo = { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };

const ChannelEdgeRef = builder.objectRef<DirectoryEntry>('ChannelEdge').implement({
  fields: (t) => ({
    node: t.field({ type: ChannelRef, resolve: (e) => e.channel }),
    cursor: t.exposeString('cursor'),
    live: t.exposeBoolean('live', { description: 'Its seller has it open now (Channel.sellerLive, as the directory last heard).' }),
  }),
});

const ChannelConnectionRef = builder.objectRef<{ edges: DirectoryEntry[]; pageInfo: PageInfo; directoryCursor: string }>('ChannelConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [ChannelEdgeRef], resolve: (c) => c.edges }),
    pageInfo: t.field({ type: builder.pageInfoRef(), resolve: (c) => c.pageInfo }),
    directoryCursor: t.exposeString('directoryCursor', {
      description: 'Where the directory stood before this page was read: pass it as `after` to liveChannels to miss no change since.',
    }),
  }),
});

const ChannelDirectoryUpdateRef = builder.objectRef<Delivered<DirectoryEvent>>('ChannelDirectoryUpdate').implement({
  description: 'A channel going live, its viewer count moving while it is live (at most one update per channel per presence interval), or it ending.',
  fields: (t) => ({
    channel: t.field({
      type: ChannelRef,
      resolve: async (e, _args, ctx) => (await ctx.loaders.channel.load(e.payload.channelId)) ?? Promise.reject(notFound('Channel')),
    }),
    live: t.boolean({ resolve: (e) => e.payload.live }),
    viewerCount: t.int({ resolve: (e) => e.payload.viewerCount }),
    cursor: t.string({
      description: 'Pass as `after` to liveChannels to get every change after this one.',
      resolve: (e) => encodeCursor({ topic: e.topic, key: e.key, seq: e.seq }),
    }),
  }),
});

builder.queryFields((t) => ({
  channels: t.field({
    type: ChannelConnectionRef,
    description: `The channel directory: live channels first, most viewers first, then the others newest first. \`live: true\` lists only live ones, \`live: false\` only the others. \`first\` defaults to ${DEFAULT_PAGE}, at most ${MAX_PAGE}. None of a seller the viewer blocks.`,
    ...signedIn,
    ...perViewer,
    ...costOf({ pageMax: MAX_PAGE }),
    args: { first: t.arg.int(), after: t.arg.string(), live: t.arg.boolean() },
    resolve: async (_root, args, ctx) => {
      const first = args.first ?? DEFAULT_PAGE;
      if (first < 0 || first > MAX_PAGE) throw badInput(`first must be between 0 and ${MAX_PAGE}`, 'first');
      const after = args.after ? decodeDirectoryCursor(args.after) : null;
      const directory = ctx.services.channelDirectory;
      // The stream's place first: a change that lands while the page is read comes again through liveChannels.
      const directoryCursor = await directory.head();
      const { entries, hasNextPage } = await directory.page(ctx.viewer!.id, args.live ?? null, first, after);
      return {
        edges: entries,
        directoryCursor,
        pageInfo: { hasNextPage, hasPreviousPage: after !== null, startCursor: entries[0]?.cursor ?? null, endCursor: entries.at(-1)?.cursor ?? null },
      };
    },
  }),
}));

builder.subscriptionFields((t) => ({
  liveChannels: t.field({
    ...sameForEveryViewer,
    type: ChannelDirectoryUpdateRef,
    description: "The directory's changes: a channel going live, its viewers moving, its end (none of a seller the viewer blocks). With `after` (a cursor of an update, or a ChannelConnection's directoryCursor), every change after it first.",
    ...signedIn,
    args: { after: t.arg.string() },
    subscribe: (_root, args, ctx) => ctx.services.channelDirectory.watch(ctx.viewer!.id, args.after ?? ctx.lastEventId),
    resolve: (event: Delivered<DirectoryEvent>) => event,
  }),
}));
