import { builder, signedIn } from '../../graphql/builder.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { localId } from '../../graphql/ids.ts';
import { notFound } from '../../lib/errors.ts';
import { PostRef } from '../posts/graphql.ts';
import { costOf } from '../../graphql/cost.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import { sectionOf } from '../sections/graphql.ts';
import type { ReactionCountRow } from './service.ts';

const ReactionCountRef = builder.objectRef<ReactionCountRow>('ReactionCount').implement({
  description: 'One row per emoji on a post.',
  fields: (t) => ({
    emoji: t.exposeString('emoji'),
    count: t.exposeInt('count'),
    viewerHasReacted: t.exposeBoolean('viewerHasReacted', perViewer),
  }),
});

builder.objectField(PostRef, 'reactions', (t) =>
  // One row per distinct emoji: a handful on most posts.
  t.field({ type: [ReactionCountRef], ...costOf({ size: 20 }), resolve: (post, _args, ctx) => ctx.loaders.reactionsByPost.load(post.id) }),
);

const ReactionInput = builder.inputType('ReactionInput', {
  fields: (t) => ({
    postId: t.id({ required: true }),
    emoji: t.string({ required: true, description: 'A single emoji.' }),
  }),
});

builder.mutationFields((t) => ({
  addReaction: t.field({
    type: PostRef,
    description: "Adds the viewer's reaction; adding it again changes nothing.",
    ...signedIn,
    ...rateLimited('reaction'),
    args: { input: t.arg({ type: ReactionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.reactions.add(ctx.viewer!.id, { postId: localId(String(input.postId), 'Post'), emoji: input.emoji }),
  }),
  removeReaction: t.field({
    type: PostRef,
    description: "Removes the viewer's reaction; removing a missing one changes nothing.",
    ...signedIn,
    ...rateLimited('reaction'),
    args: { input: t.arg({ type: ReactionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.reactions.remove(ctx.viewer!.id, {
        postId: localId(String(input.postId), 'Post'),
        emoji: input.emoji,
      }),
  }),
}));

builder.subscriptionFields((t) => ({
  postReactionsChanged: t.field({
    type: PostRef,
    description:
      'A post in the section whose reactions changed, with its counts as seen by the subscriber. With `after`, first every change after that cursor.',
    ...signedIn,
    args: { sectionId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async (_root, args, ctx) =>
      ctx.services.reactions.watchChanged(await sectionOf(ctx, String(args.sectionId)), args.after ?? ctx.lastEventId, ctx.viewer!.id),
    resolve: async (event, _args, ctx) => {
      const post = await ctx.freshLoaders().post.load(event.payload.postId);
      if (!post) throw notFound('Post');
      return { ...post, cursor: encodeCursor(event) };
    },
  }),
}));
