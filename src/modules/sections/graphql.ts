import { builder, signedIn } from '../../graphql/builder.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import type { Context } from '../../graphql/context.ts';
import { localId } from '../../graphql/ids.ts';
import { notFound } from '../../lib/errors.ts';
import { loadNodes } from '../../graphql/load-nodes.ts';
import { costOf } from '../../graphql/cost.ts';
import { UserRef } from '../users/graphql.ts';
import { MAX_LISTED_SECTIONS } from './service.ts';
import type { SectionRow } from './tables.ts';

export const SectionRef = builder.objectRef<SectionRow>('Section');

export const SectionVisibility = builder.enumType('SectionVisibility', {
  values: {
    PUBLIC: { description: 'Every signed-in user reads it and may post in it.' },
    MEMBERS: { description: 'Only its members, moderators and owner read it and post in it.' },
  } as const,
});

export const SectionRoleEnum = builder.enumType('SectionRole', {
  values: {
    OWNER: { description: 'Created the section: names moderators, and does all they do.' },
    MODERATOR: { description: 'Adds and removes members, bans, deletes posts, resolves reports.' },
    MEMBER: { description: 'Reads and posts in a MEMBERS section.' },
  } as const,
});

builder.node(SectionRef, {
  id: { resolve: (section) => section.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.section, ids),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    visibility: t.field({ type: SectionVisibility, resolve: (section) => section.visibility }),
    owner: t.field({
      type: UserRef,
      resolve: async (section, _args, ctx) => (await ctx.loaders.user.load(section.createdBy)) ?? Promise.reject(notFound('User')),
    }),
    viewerRole: t.field({
      type: SectionRoleEnum,
      nullable: true,
      description: "The viewer's role here; null for a reader of a PUBLIC section who has none.",
      ...perViewer,
      resolve: (section, _args, ctx) =>
        section.createdBy === ctx.viewer?.id ? 'OWNER' : ctx.loaders.viewerSectionRole.load(section.id),
    }),
  }),
});

const CreateSectionInput = builder.inputType('CreateSectionInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    slug: t.string({ required: true, description: 'Lowercase letters, digits and dashes; unique.' }),
    visibility: t.field({ type: SectionVisibility, description: 'PUBLIC when left out.' }),
  }),
});

const BanInput = builder.inputType('BanInput', {
  fields: (t) => ({
    sectionId: t.id({ required: true }),
    userId: t.id({ required: true }),
    reason: t.string({ description: 'At most 500 characters; shown to the owner and moderators.' }),
    until: t.field({ type: 'DateTime', description: 'When the ban ends; left out, it lasts until unbanFromSection.' }),
  }),
});

builder.queryFields((t) => ({
  sections: t.field({
    type: [SectionRef],
    description: `Every section the viewer may read, by name, at most ${MAX_LISTED_SECTIONS}.`,
    ...signedIn,
    ...costOf({ size: MAX_LISTED_SECTIONS }),
    resolve: (_root, _args, ctx) => ctx.services.sections.list(ctx.viewer!.id),
  }),
  section: t.field({
    type: SectionRef,
    nullable: true,
    description: 'Null when it does not exist or the viewer may not read it.',
    ...signedIn,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.loaders.section.load(localId(String(args.id), 'Section')),
  }),
}));

const ids = (args: { sectionId: string | number; userId: string | number }) =>
  [localId(String(args.sectionId), 'Section'), localId(String(args.userId), 'User')] as const;

builder.mutationFields((t) => ({
  createSection: t.field({
    type: SectionRef,
    description: 'The viewer becomes its owner.',
    ...signedIn,
    ...rateLimited('createSection'),
    args: { input: t.arg({ type: CreateSectionInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.sections.create(ctx.viewer!.id, input),
  }),
  addSectionModerator: t.field({
    type: SectionRef,
    description: 'Owner only. A moderator of a MEMBERS section reads it too.',
    ...signedIn,
    ...rateLimited('sectionRoles'),
    args: { sectionId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.sectionRoles.addModerator(ctx.viewer!.id, ...ids(args)),
  }),
  removeSectionModerator: t.field({
    type: SectionRef,
    description: 'Owner only.',
    ...signedIn,
    ...rateLimited('sectionRoles'),
    args: { sectionId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.sectionRoles.removeModerator(ctx.viewer!.id, ...ids(args)),
  }),
  addSectionMember: t.field({
    type: SectionRef,
    description: 'Owner or moderators, in a MEMBERS section.',
    ...signedIn,
    ...rateLimited('sectionRoles'),
    args: { sectionId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.sectionRoles.addMember(ctx.viewer!.id, ...ids(args)),
  }),
  removeSectionMember: t.field({
    type: SectionRef,
    description: "Owner or moderators. The user's subscriptions to the section end at once, with FORBIDDEN.",
    ...signedIn,
    ...rateLimited('sectionRoles'),
    args: { sectionId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.sectionRoles.removeMember(ctx.viewer!.id, ...ids(args)),
  }),
  banFromSection: t.field({
    type: SectionRef,
    description:
      'Owner or moderators. The user may not post, react or report here until `until` (and loses any role); in a MEMBERS section they lose access, and their subscriptions end with FORBIDDEN.',
    ...signedIn,
    ...rateLimited('sectionRoles'),
    args: { input: t.arg({ type: BanInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const [sectionId, userId] = ids(input);
      return ctx.services.sectionRoles.ban(ctx.viewer!.id, { sectionId, userId, reason: input.reason, until: input.until });
    },
  }),
  unbanFromSection: t.field({
    type: SectionRef,
    description: 'Owner or moderators. A MEMBERS section must add the user again as a member.',
    ...signedIn,
    ...rateLimited('sectionRoles'),
    args: { sectionId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.sectionRoles.unban(ctx.viewer!.id, ...ids(args)),
  }),
}));

/** The id of a section the viewer may read, for a section-keyed subscription (NOT_FOUND, or FORBIDDEN for a MEMBERS section of others'). */
export async function sectionOf(ctx: Context, sectionGlobalId: string): Promise<string> {
  const sectionId = localId(sectionGlobalId, 'Section');
  await ctx.services.sectionAccess.assertCanRead(sectionId, ctx.viewer!.id);
  return sectionId;
}
