import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Context } from '../../graphql/context.ts';
import { builder, signedIn } from '../../graphql/builder.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { localId } from '../../graphql/ids.ts';
import { forwardPage, toConnection } from '../../graphql/pagination.ts';
import { notFound } from '../../lib/errors.ts';
import { loadNodes } from '../../graphql/load-nodes.ts';
import { costOf } from '../../graphql/cost.ts';
import { NotificationRef } from '../notifications/graphql.ts';
import { FEED_LIMIT } from './service.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import type { Delivered } from '../../realtime/streams.ts';
import type { StoryActivityEvent } from './events.ts';
import { UserRef } from '../users/graphql.ts';
import type { StoryReactionRow, StoryRow, StoryViewRow } from './tables.ts';

export const StoryRef = builder.objectRef<StoryRow>('Story');

const PAGE = { defaultSize: 20, maxSize: 100 };

const StoryViewRef = builder.objectRef<StoryViewRow>('StoryView').implement({
  fields: (t) => ({
    viewer: t.field({ type: UserRef, resolve: async (v, _a, ctx) => (await ctx.loaders.user.load(v.viewerId)) ?? Promise.reject(notFound('User')) }),
    viewedAt: t.expose('viewedAt', { type: 'DateTime' }),
  }),
});

const StoryReactionRef = builder.objectRef<StoryReactionRow>('StoryReaction').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: async (r, _a, ctx) => (await ctx.loaders.user.load(r.userId)) ?? Promise.reject(notFound('User')) }),
    emoji: t.exposeString('emoji'),
    reactedAt: t.expose('reactedAt', { type: 'DateTime' }),
  }),
});

builder.node(StoryRef, {
  id: { resolve: (story) => story.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.story, ids),
  fields: (t) => ({
    author: t.field({
      type: UserRef,
      resolve: async (story, _args, ctx) => (await ctx.loaders.user.load(story.authorId)) ?? Promise.reject(notFound('User')),
    }),
    mediaUrl: t.exposeString('mediaUrl'),
    caption: t.exposeString('caption', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    views: t.connection(
      {
        type: StoryViewRef,
        nullable: true,
        description: "Who viewed the story, newest first. The author only; FORBIDDEN for anyone else.",
        ...perViewer,
        ...costOf({ pageMax: PAGE.maxSize }),
        resolve: async (story, args, ctx) => {
          const { first, after } = forwardPage(args, PAGE);
          const { rows, hasNextPage } = await ctx.services.stories.views(ctx.viewer!.id, story.id, first, after);
          return toConnection(rows, { hasNextPage, after }, (v) => ({ createdAt: v.viewedAt, id: v.viewerId }));
        },
      },
      { name: 'StoryViewConnection' },
      { name: 'StoryViewEdge' },
    ),
    reactions: t.connection(
      {
        type: StoryReactionRef,
        nullable: true,
        description: "Every reaction, newest first. The author only; FORBIDDEN for anyone else.",
        ...perViewer,
        ...costOf({ pageMax: PAGE.maxSize }),
        resolve: async (story, args, ctx) => {
          const { first, after } = forwardPage(args, PAGE);
          const { rows, hasNextPage } = await ctx.services.stories.reactions(ctx.viewer!.id, story.id, first, after);
          return toConnection(rows, { hasNextPage, after }, (r) => ({ createdAt: r.reactedAt, id: r.id }));
        },
      },
      { name: 'StoryReactionConnection' },
      { name: 'StoryReactionEdge' },
    ),
  }),
});

type Activity = Delivered<StoryActivityEvent>;

const actor = async (e: Activity, ctx: Context) =>
  (await ctx.loaders.user.load(e.payload.actorId)) ?? Promise.reject(notFound('User'));

const StoryViewedRef = builder.objectRef<Activity>('StoryViewed').implement({
  fields: (t) => ({
    storyId: t.id({ resolve: (e) => encodeGlobalID('Story', e.payload.storyId) }),
    viewer: t.field({ type: UserRef, resolve: (e, _a, ctx) => actor(e, ctx) }),
    viewedAt: t.field({ type: 'DateTime', resolve: (e) => new Date(e.payload.at) }),
    cursor: t.string({ description: 'Pass it as `after` to resume after this event.', resolve: (e) => encodeCursor(e) }),
  }),
});

const StoryReactedRef = builder.objectRef<Activity>('StoryReacted').implement({
  fields: (t) => ({
    storyId: t.id({ resolve: (e) => encodeGlobalID('Story', e.payload.storyId) }),
    user: t.field({ type: UserRef, resolve: (e, _a, ctx) => actor(e, ctx) }),
    emoji: t.string({ resolve: (e) => e.payload.emoji ?? '' }),
    reactedAt: t.field({ type: 'DateTime', resolve: (e) => new Date(e.payload.at) }),
    cursor: t.string({ description: 'Pass it as `after` to resume after this event.', resolve: (e) => encodeCursor(e) }),
  }),
});

const StoryActivityRef = builder.unionType('StoryActivity', {
  types: [StoryViewedRef, StoryReactedRef],
  resolveType: (event) => (event.payload.kind === 'viewed' ? StoryViewedRef : StoryReactedRef),
});

const CreateStoryInput = builder.inputType('CreateStoryInput', {
  fields: (t) => ({
    mediaUrl: t.string({ required: true, description: 'Absolute http(s) URL, at most 2,048 characters.' }),
    caption: t.string({ description: 'At most 500 characters.' }),
  }),
});

const StoryReactionInput = builder.inputType('StoryReactionInput', {
  fields: (t) => ({
    storyId: t.id({ required: true }),
    emoji: t.string({ required: true, description: 'A single emoji.' }),
  }),
});

builder.queryFields((t) => ({
  storiesFeed: t.field({
    type: [StoryRef],
    description: `Stories that have not expired, newest first, at most ${FEED_LIMIT}.`,
    ...signedIn,
    ...costOf({ size: FEED_LIMIT }),
    resolve: (_root, _args, ctx) => ctx.services.stories.feed(ctx.viewer!.id),
  }),
}));

builder.mutationFields((t) => ({
  createStory: t.field({
    type: StoryRef,
    ...signedIn,
    ...rateLimited('createStory'),
    args: { input: t.arg({ type: CreateStoryInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.stories.create(ctx.viewer!.id, input),
  }),
  viewStory: t.field({
    type: StoryRef,
    description: "Records the viewer's view once; only the first view by a viewer notifies the author.",
    ...signedIn,
    ...rateLimited('viewStory'),
    args: { storyId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.stories.view(ctx.viewer!.id, localId(String(args.storyId), 'Story')),
  }),
  deleteStory: t.field({
    type: 'ID',
    description: 'Its author, or an admin. Its views and reactions go with it. Returns its id.',
    ...signedIn,
    ...rateLimited('editPost'),
    args: { storyId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => encodeGlobalID('Story', await ctx.services.stories.delete(ctx.viewer!.id, localId(String(args.storyId), 'Story'))),
  }),
  reactToStory: t.field({
    type: StoryRef,
    description: 'Records a reaction; the author is told of each one. Rate limited per user (RATE_LIMITED).',
    ...signedIn,
    args: { input: t.arg({ type: StoryReactionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.stories.react(ctx.viewer!.id, { storyId: localId(String(input.storyId), 'Story'), emoji: input.emoji }),
  }),
}));

builder.subscriptionFields((t) => ({
  storyActivity: t.field({
    type: StoryActivityRef,
    description:
      "Views and reactions on the caller's own stories, by other users only. With `after`, first everything after that cursor.",
    ...signedIn,
    args: { after: t.arg.string() },
    subscribe: (_root, args, ctx) => ctx.services.stories.watchActivity(ctx.viewer!.id, args.after ?? ctx.lastEventId),
    resolve: (event, _args, ctx) => {
      ctx.freshLoaders();
      return event;
    },
  }),
}));

builder.objectField(NotificationRef, 'story', (t) =>
  t.field({
    type: StoryRef,
    nullable: true,
    description: 'The story it is about (STORY_VIEWED, STORY_REACTED); null for others, or once the story is gone.',
    resolve: (n, _a, ctx) => (n.kind === 'STORY_VIEWED' || n.kind === 'STORY_REACTED' ? ctx.loaders.story.load(n.subjectId) : null),
  }),
);
