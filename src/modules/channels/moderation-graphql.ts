import { builder, signedIn } from '../../graphql/builder.ts';
import { localId } from '../../graphql/ids.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { ChannelRef } from './graphql.ts';

const ChannelRoleEnum = builder.enumType('ChannelRole', { values: ['SELLER', 'MODERATOR'] as const });

builder.objectField(ChannelRef, 'viewerRole', (t) =>
  t.field({
    type: ChannelRoleEnum,
    nullable: true,
    description: "The viewer's role in the channel: SELLER, MODERATOR, or null.",
    ...perViewer,
    resolve: async (c, _a, ctx) => (await ctx.services.channelAccess.standing(c.id, ctx.viewer!.id)).role,
  }),
);

const ChannelBanInput = builder.inputType('ChannelBanInput', {
  fields: (t) => ({
    channelId: t.id({ required: true }),
    userId: t.id({ required: true }),
    until: t.field({ type: 'DateTime', description: 'When the ban ends; left out, it lasts until unbanFromChannel.' }),
  }),
});

const channelAndUser = (args: { channelId: string | number; userId: string | number }) =>
  [localId(String(args.channelId), 'Channel'), localId(String(args.userId), 'User')] as const;

builder.mutationFields((t) => ({
  addChannelModerator: t.field({
    type: ChannelRef,
    description: 'Seller only. Moderators delete and pin chat messages and ban.',
    ...signedIn,
    ...rateLimited('chatModeration'),
    args: { channelId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.channelModeration.addModerator(ctx.viewer!.id, ...channelAndUser(args)),
  }),
  removeChannelModerator: t.field({
    type: ChannelRef,
    description: 'Seller only.',
    ...signedIn,
    ...rateLimited('chatModeration'),
    args: { channelId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.channelModeration.removeModerator(ctx.viewer!.id, ...channelAndUser(args)),
  }),
  banFromChannel: t.field({
    type: ChannelRef,
    description:
      "Seller or moderators (only the seller bans a moderator). The user can no longer chat, read the chat or claim until `until`; their running channelChat ends with FORBIDDEN on every instance.",
    ...signedIn,
    ...rateLimited('chatModeration'),
    args: { input: t.arg({ type: ChannelBanInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const [channelId, userId] = channelAndUser(input);
      return ctx.services.channelModeration.ban(ctx.viewer!.id, { channelId, userId, until: input.until });
    },
  }),
  unbanFromChannel: t.field({
    type: ChannelRef,
    description: 'Seller or moderators.',
    ...signedIn,
    ...rateLimited('chatModeration'),
    args: { channelId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.channelModeration.unban(ctx.viewer!.id, ...channelAndUser(args)),
  }),
}));
