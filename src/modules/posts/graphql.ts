import { builder, signedIn } from '../../graphql/builder.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { localId } from '../../graphql/ids.ts';
import { forwardPage, toConnection } from '../../graphql/pagination.ts';
import { notFound } from '../../lib/errors.ts';
import { loadNodes } from '../../graphql/load-nodes.ts';
import { costOf } from '../../graphql/cost.ts';
import { LinkRef } from '../links/graphql.ts';
import { SectionRef, sectionOf } from '../sections/graphql.ts';
import { NotificationRef } from '../notifications/graphql.ts';
import { UserRef } from '../users/graphql.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { fromPostEvent, type PostDeletedEvent, type PostEvent } from './events.ts';
import { MAX_CONTENT, MAX_LINKS } from './validation.ts';
import type { PostRow } from './tables.ts';

/** A post; when a subscription delivers it, with the cursor of the event that did. */
export type PostObject = PostRow & { cursor?: string };

export const PostRef = builder.objectRef<PostObject>('Post');

const DEFAULT_PAGE = 20;
const MAX_PAGE = 50;

builder.node(PostRef, {
  id: { resolve: (post) => post.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.post, ids),
  fields: (t) => ({
    section: t.field({
      type: SectionRef,
      resolve: async (post, _args, ctx) =>
        (await ctx.loaders.section.load(post.sectionId)) ?? Promise.reject(notFound('Section')),
    }),
    author: t.field({
      type: UserRef,
      resolve: async (post, _args, ctx) =>
        (await ctx.loaders.user.load(post.authorId)) ?? Promise.reject(notFound('User')),
    }),
    // Up to 10 kB of text: it counts in an operation's cost as about a field per kilobyte.
    content: t.exposeString('content', costOf({ weight: Math.ceil(MAX_CONTENT / 1_000) })),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    editedAt: t.expose('editedAt', { type: 'DateTime', nullable: true, description: 'When its author last edited it; null when never.' }),
    links: t.field({ type: [LinkRef], ...costOf({ size: MAX_LINKS }), resolve: (post, _args, ctx) => ctx.loaders.linksByPost.load(post.id) }),
    cursor: t.string({
      description:
        "Where the subscription event that delivered this post sits in its stream: pass it as `after` to resume. For a post read by a query, its place in the section's postCreated stream.",
      resolve: async (post, _args, ctx) =>
        post.cursor ??
        encodeCursor({ topic: 'post:created', key: post.sectionId, seq: (await ctx.loaders.postPlace.load(post)) ?? 0 }),
    }),
  }),
});

builder.objectField(SectionRef, 'posts', (t) =>
  t.connection(
    {
      type: PostRef,
      description: `Newest first; \`first\` defaults to ${DEFAULT_PAGE} and may be at most ${MAX_PAGE}. Only forward paging (first/after). None by users the viewer blocks.`,
      ...perViewer,
      ...costOf({ pageMax: MAX_PAGE }),
      resolve: async (section, args, ctx) => {
      const { first, after } = forwardPage(args, { defaultSize: DEFAULT_PAGE, maxSize: MAX_PAGE });
      const { rows, hasNextPage } = await ctx.services.posts.page(section.id, first, after, ctx.viewer?.id ?? null);
      return toConnection(rows, { hasNextPage, after }, (post) => post);
    },
    },
    { name: 'PostConnection' },
    { name: 'PostEdge' },
  ),
);

const CreatePostInput = builder.inputType('CreatePostInput', {
  fields: (t) => ({
    sectionId: t.id({ required: true }),
    content: t.string({ required: true, description: 'At most 10,000 characters.' }),
    links: t.stringList({ description: 'At most 10 absolute http(s) URLs of at most 2,048 characters.' }),
  }),
});

const UpdatePostInput = builder.inputType('UpdatePostInput', {
  fields: (t) => ({
    postId: t.id({ required: true }),
    content: t.string({ required: true, description: 'At most 10,000 characters.' }),
    links: t.stringList({
      description: 'Its links anew, when given (as in createPost): those it keeps keep their preview, those it adds are fetched.',
    }),
  }),
});

/** A deleted post's tombstone, in its place in the section's stream. */
const PostDeletedRef = builder.objectRef<PostDeletedEvent & { cursor: string }>('PostDeleted').implement({
  description: "A post was deleted: its id, never its content. `cursor` resumes the section's post subscriptions.",
  fields: (t) => ({
    id: t.id({ description: "The deleted post's id.", resolve: (e) => encodeGlobalID('Post', e.id) }),
    sectionId: t.id({ resolve: (e) => encodeGlobalID('Section', e.sectionId) }),
    cursor: t.exposeString('cursor'),
  }),
});

builder.queryFields((t) => ({
  post: t.field({
    type: PostRef,
    nullable: true,
    ...signedIn,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.loaders.post.load(localId(String(args.id), 'Post')),
  }),
}));

builder.mutationFields((t) => ({
  createPost: t.field({
    type: PostRef,
    description:
      'Stores the post and its links (status PENDING) and enqueues one metadata job per link, in one transaction.',
    ...signedIn,
    ...rateLimited('createPost'),
    args: { input: t.arg({ type: CreatePostInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.posts.create(ctx.viewer!.id, {
        sectionId: localId(String(input.sectionId), 'Section'),
        content: input.content,
        links: input.links ?? null,
      }),
  }),
  updatePost: t.field({
    type: PostRef,
    description: "Its author edits it: subscribers of the section get it through postUpdated.",
    ...signedIn,
    ...rateLimited('editPost'),
    args: { input: t.arg({ type: UpdatePostInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.posts.update(ctx.viewer!.id, { postId: localId(String(input.postId), 'Post'), content: input.content, links: input.links }),
  }),
  deletePost: t.field({
    type: 'ID',
    description:
      "Its author, the section's owner or moderators, or an admin. Its content, reactions and link previews go, and no replay sends them again; subscribers get postDeleted. Returns its id.",
    ...signedIn,
    ...rateLimited('editPost'),
    args: { postId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => encodeGlobalID('Post', await ctx.services.posts.delete(ctx.viewer!.id, localId(String(args.postId), 'Post'))),
  }),
}));

builder.subscriptionFields((t) => ({
  postCreated: t.field({
    type: PostRef,
    description: 'Posts created in the section. With `after` (a cursor), first every post created after it, in order.',
    ...signedIn,
    args: { sectionId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async (_root, args, ctx) =>
      ctx.services.posts.watchCreated(await sectionOf(ctx, String(args.sectionId)), args.after ?? ctx.lastEventId, ctx.viewer!.id),
    resolve: (event, _args, ctx) => {
      ctx.freshLoaders();
      return { ...fromPostEvent(event.payload as PostEvent), cursor: encodeCursor(event) };
    },
  }),
  postUpdated: t.field({
    type: PostRef,
    description:
      "Posts edited in the section, as edited. The section's creations, edits and deletions are one ordered stream: a cursor of any of postCreated, postUpdated and postDeleted resumes the others.",
    ...signedIn,
    args: { sectionId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async (_root, args, ctx) =>
      ctx.services.posts.watchUpdated(await sectionOf(ctx, String(args.sectionId)), args.after ?? ctx.lastEventId, ctx.viewer!.id),
    resolve: (event, _args, ctx) => {
      ctx.freshLoaders();
      return { ...fromPostEvent(event.payload as PostEvent), cursor: encodeCursor(event) };
    },
  }),
  postDeleted: t.field({
    type: PostDeletedRef,
    description: 'Posts deleted in the section: tombstones. A replay never sends a deleted post, only this in its place.',
    ...signedIn,
    args: { sectionId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async (_root, args, ctx) =>
      ctx.services.posts.watchDeleted(await sectionOf(ctx, String(args.sectionId)), args.after ?? ctx.lastEventId, ctx.viewer!.id),
    resolve: (event) => ({ ...(event.payload as PostDeletedEvent), cursor: encodeCursor(event) }),
  }),
}));

builder.objectField(NotificationRef, 'post', (t) =>
  t.field({
    type: PostRef,
    nullable: true,
    description: 'The post it is about (POST_REACTED, MENTIONED); null for others, or once the post is gone.',
    resolve: (n, _a, ctx) => (n.kind === 'POST_REACTED' || n.kind === 'MENTIONED' ? ctx.loaders.post.load(n.subjectId) : null),
  }),
);
