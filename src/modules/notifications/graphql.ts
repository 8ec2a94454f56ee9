import { builder, signedIn } from '../../graphql/builder.ts';
import { costOf } from '../../graphql/cost.ts';
import { localId } from '../../graphql/ids.ts';
import { loadNodes } from '../../graphql/load-nodes.ts';
import { forwardPage, toConnection } from '../../graphql/pagination.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { badInput } from '../../lib/errors.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import type { Delivered } from '../../realtime/streams.ts';
import { UserRef } from '../users/graphql.ts';
import type { NotificationState } from './events.ts';
import { fromState, MAX_ACTORS } from './service.ts';
import type { NotificationRow } from './tables.ts';

const PAGE = { defaultSize: 20, maxSize: 100 };

/** A notification, and where the viewer's notification stream stood when it was read (its `cursor`). */
export type NotificationItem = NotificationRow & { streamSeq?: number };

export const NotificationRef = builder.objectRef<NotificationItem>('Notification');

const NotificationKindEnum = builder.enumType('NotificationKind', {
  values: ['STORY_VIEWED', 'STORY_REACTED', 'POST_REACTED', 'MENTIONED'] as const,
});

builder.node(NotificationRef, {
  id: { resolve: (n) => n.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.notification, ids),
  fields: (t) => ({
    kind: t.field({ type: NotificationKindEnum, resolve: (n) => n.kind }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last grew: the inbox is ordered by it.' }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true, description: 'Null while unread; null again when it grows after being read.' }),
    count: t.exposeInt('count', { description: 'How many actions it stands for (views, reactions, mentions).' }),
    emoji: t.string({ nullable: true, resolve: (n) => n.emoji || null }),
    actors: t.field({
      type: [UserRef],
      description: `Who did it, most recent first (at most ${MAX_ACTORS} are kept).`,
      args: { first: t.arg.int() },
      resolve: async (n, args, ctx) => {
        const first = args.first ?? MAX_ACTORS;
        if (first < 0 || first > MAX_ACTORS) throw badInput(`first must be between 0 and ${MAX_ACTORS}`, 'first');
        const users = await Promise.all(n.actorIds.slice(0, first).map((id) => ctx.loaders.user.load(id)));
        return users.filter((u) => u !== null);
      },
    }),
    cursor: t.string({
      description: 'Pass as `after` to notificationAdded to get every change after this one (or, read by a query, after the inbox as read).',
      resolve: async (n, _a, ctx) =>
        encodeCursor({ topic: 'notification:changed', key: n.userId, seq: n.streamSeq ?? (await ctx.services.notifications.streamHead(ctx.viewer!.id)) }),
    }),
  }),
});

builder.objectField(UserRef, 'unreadNotificationCount', (t) =>
  t.int({
    nullable: true,
    description: "The viewer's own unread notifications, counted exactly; null for anyone else.",
    ...perViewer,
    resolve: (user, _a, ctx) => (ctx.viewer && user.id === ctx.viewer.id ? ctx.services.notifications.unreadCount(user.id) : null),
  }),
);

const MarkNotificationsReadInput = builder.inputType('MarkNotificationsReadInput', {
  description: 'Either ids (at most 100) or all: true.',
  fields: (t) => ({ ids: t.idList(), all: t.boolean() }),
});

builder.queryFields((t) => ({
  notifications: t.connection(
    {
      type: NotificationRef,
      description: "The viewer's inbox, most recently changed first (a notification that grows moves to the top).",
      ...signedIn,
      ...perViewer,
      ...costOf({ pageMax: PAGE.maxSize }),
      args: { unreadOnly: t.arg.boolean() },
      resolve: async (_root, args, ctx) => {
        const { first, after } = forwardPage(args, PAGE);
        const viewerId = ctx.viewer!.id;
        // Where the stream stands first: whatever changes after the page is read comes after this cursor.
        const streamSeq = await ctx.services.notifications.streamHead(viewerId);
        const rows = await ctx.services.notifications.page(viewerId, first, after, args.unreadOnly === true);
        const items = rows.slice(0, first).map((row) => ({ ...row, streamSeq }));
        return toConnection(items, { hasNextPage: rows.length > first, after }, (n) => ({ createdAt: n.updatedAt, id: n.id }));
      },
    },
    { name: 'NotificationConnection' },
    { name: 'NotificationEdge' },
  ),
}));

builder.mutationFields((t) => ({
  markNotificationsRead: t.int({
    description: 'Marks the given notifications (or all) read; returns the unread count after.',
    ...signedIn,
    ...rateLimited('markNotificationsRead'),
    args: { input: t.arg({ type: MarkNotificationsReadInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.notifications.markRead(ctx.viewer!.id, {
        ids: input.ids?.map((id) => localId(String(id), 'Notification')) ?? null,
        all: input.all ?? null,
      }),
  }),
}));

builder.subscriptionFields((t) => ({
  notificationAdded: t.field({
    type: NotificationRef,
    description: "The viewer's notifications as they are made or grow, in order. With `after` (a notification's cursor), every change after it first.",
    ...signedIn,
    args: { after: t.arg.string() },
    subscribe: (_root, args, ctx) => ctx.services.notifications.watch(ctx.viewer!.id, args.after ?? ctx.lastEventId),
    resolve: (event: Delivered<NotificationState>): NotificationItem => ({ ...fromState(event.payload), streamSeq: event.seq }),
  }),
}));
