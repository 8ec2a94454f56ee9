import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder, signedIn } from '../../graphql/builder.ts';
import { costOf } from '../../graphql/cost.ts';
import { localId } from '../../graphql/ids.ts';
import { loadNodes } from '../../graphql/load-nodes.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { badInput, notFound } from '../../lib/errors.ts';
import { decodeCursor, encodeCursor as encodeFeedCursor } from '../../lib/feed-cursor.ts';
import type { EventFrame } from '../../realtime/event-frame.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import type { Delivered } from '../../realtime/streams.ts';
import { ChannelRef } from '../channels/graphql.ts';
import { UserRef } from '../users/graphql.ts';
import { type ChatSnapshot, chatView } from './frames.ts';
import { MAX_CHAT_TEXT } from './text.ts';
import type { ChatMessageRow } from './tables.ts';

const HISTORY_PAGE = { defaultSize: 50, maxSize: 100 };

export const ChatMessageRef = builder.objectRef<ChatMessageRow>('ChatMessage');

builder.node(ChatMessageRef, {
  id: { resolve: (m) => m.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.chatMessage, ids),
  fields: (t) => ({
    author: t.field({
      type: UserRef,
      resolve: async (m, _a, ctx) => (await ctx.loaders.user.load(m.authorId)) ?? Promise.reject(notFound('User')),
    }),
    text: t.exposeString('text', { description: 'Plain text, never markup: show it as text.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

type ChatDelivered = Delivered<EventFrame | ChatSnapshot>;

const ChatEventRef = builder.objectRef<ChatDelivered>('ChatEvent').implement({
  description: "One frame of a channel's chat: everything since the previous frame, in order.",
  fields: (t) => ({
    messages: t.field({ type: [ChatMessageRef], description: 'New messages, oldest first.', resolve: (e) => chatView(e.payload).messages }),
    deletedIds: t.field({
      type: ['ID'],
      description: 'Messages deleted since the previous frame: drop them.',
      resolve: (e) => chatView(e.payload).deletedIds.map((id) => encodeGlobalID('ChatMessage', id)),
    }),
    pinnedMessage: t.field({
      type: ChatMessageRef,
      nullable: true,
      description: 'The pinned message when pinChanged (null: none pinned now); otherwise null, meaning unchanged.',
      resolve: (e) => chatView(e.payload).pinnedMessage,
    }),
    pinChanged: t.boolean({ resolve: (e) => chatView(e.payload).pinChanged }),
    slowModeSeconds: t.int({
      nullable: true,
      description: "The channel's slow mode when it changed within this frame (the first frame: the current one); null when unchanged.",
      resolve: (e) => chatView(e.payload).slowModeSeconds,
    }),
    cursor: t.string({
      description: 'Pass as `after` to channelChat to get everything after this frame.',
      resolve: (e) => encodeCursor({ topic: e.topic, key: e.key, seq: e.seq }),
    }),
  }),
});

builder.objectFields(ChannelRef, (t) => ({
  chat: t.connection(
    {
      type: ChatMessageRef,
      description: 'Messages, oldest first within a page; page backwards with last and before. FORBIDDEN for a user banned from the channel.',
      ...perViewer,
      ...costOf({ pageMax: HISTORY_PAGE.maxSize }),
      resolve: async (channel, args, ctx) => {
        if (args.first != null || args.after != null) throw badInput('pages backwards only: use last and before', 'first');
        const last = args.last ?? HISTORY_PAGE.defaultSize;
        if (last < 0 || last > HISTORY_PAGE.maxSize) throw badInput(`last must be between 0 and ${HISTORY_PAGE.maxSize}`, 'last');
        const before = args.before ? decodeCursor(args.before) : null;
        const rows = await ctx.services.chat.history(ctx.viewer!.id, channel.id, last, before);
        const edges = rows
          .slice(0, last)
          .reverse()
          .map((node) => ({ cursor: encodeFeedCursor({ createdAt: node.createdAt, id: node.id }), node }));
        return {
          edges,
          pageInfo: { hasPreviousPage: rows.length > last, hasNextPage: before !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
        };
      },
    },
    { name: 'ChatMessageConnection' },
    { name: 'ChatMessageEdge' },
  ),
  pinnedMessage: t.field({
    type: ChatMessageRef,
    nullable: true,
    resolve: async (c, _a, ctx) => {
      const pinned = (await ctx.loaders.chatSettings.load(c.id))?.pinnedMessageId;
      return pinned ? ctx.loaders.chatMessage.load(pinned) : null;
    },
  }),
  slowModeSeconds: t.int({
    description: 'A sender waits this long between messages (the seller and moderators do not); 0 = off.',
    resolve: async (c, _a, ctx) => (await ctx.loaders.chatSettings.load(c.id))?.slowModeSeconds ?? 0,
  }),
}));

const SendChatMessageInput = builder.inputType('SendChatMessageInput', {
  fields: (t) => ({
    channelId: t.id({ required: true }),
    text: t.string({ required: true, description: `1 to ${MAX_CHAT_TEXT} characters, no control characters but line feeds.` }),
  }),
});

builder.mutationFields((t) => ({
  sendChatMessage: t.field({
    type: ChatMessageRef,
    description: "RATE_LIMITED (with retryAfterSeconds) when sent faster than the channel's slow mode; FORBIDDEN when banned.",
    ...signedIn,
    ...rateLimited('chatMessage'),
    args: { input: t.arg({ type: SendChatMessageInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.chat.send(ctx.viewer!.id, { channelId: localId(String(input.channelId), 'Channel'), text: input.text }),
  }),
  deleteChatMessage: t.field({
    type: 'ID',
    description: 'Its author, the seller, or a moderator. It is never sent again, not even in a replay. Returns its id.',
    ...signedIn,
    ...rateLimited('chatModeration'),
    args: { messageId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) =>
      encodeGlobalID('ChatMessage', await ctx.services.chat.delete(ctx.viewer!.id, localId(String(args.messageId), 'ChatMessage'))),
  }),
  pinChatMessage: t.field({
    type: ChannelRef,
    description: 'Seller or moderators; one pinned message per channel (this one replaces any other).',
    ...signedIn,
    ...rateLimited('chatModeration'),
    args: { messageId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.chat.pin(ctx.viewer!.id, localId(String(args.messageId), 'ChatMessage')),
  }),
  unpinChatMessage: t.field({
    type: ChannelRef,
    description: 'Seller or moderators.',
    ...signedIn,
    ...rateLimited('chatModeration'),
    args: { channelId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.chat.unpin(ctx.viewer!.id, localId(String(args.channelId), 'Channel')),
  }),
  setChatSlowMode: t.field({
    type: ChannelRef,
    description: 'Seller only; seconds from 0 (off) to 3600.',
    ...signedIn,
    ...rateLimited('chatModeration'),
    args: { channelId: t.arg.id({ required: true }), seconds: t.arg.int({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.chat.setSlowMode(ctx.viewer!.id, localId(String(args.channelId), 'Channel'), args.seconds),
  }),
}));

builder.subscriptionFields((t) => ({
  channelChat: t.field({
    type: ChatEventRef,
    description:
      "The channel's chat in frames: a quiet room's message at once, a busy room's gathered every CHAT_FRAME_MS (100 ms) into one frame. Without `after`, the first frame holds the last 50 messages and the pinned one; with it, everything after that frame. FORBIDDEN when banned, and a ban ends it.",
    ...signedIn,
    args: { channelId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: (_root, args, ctx) => ctx.services.chat.watch(ctx.viewer!.id, localId(String(args.channelId), 'Channel'), args.after ?? ctx.lastEventId),
    resolve: (event: ChatDelivered) => event,
  }),
}));
