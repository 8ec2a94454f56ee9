import { builder, signedIn } from '../../graphql/builder.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import type { Context } from '../../graphql/context.ts';
import { localId } from '../../graphql/ids.ts';
import { notFound } from '../../lib/errors.ts';
import { loadNodes } from '../../graphql/load-nodes.ts';
import { costOf } from '../../graphql/cost.ts';
import { MAX_LISTED_SECTIONS } from './service.ts';
import type { SectionRow } from './tables.ts';

export const SectionRef = builder.objectRef<SectionRow>('Section');

builder.node(SectionRef, {
  id: { resolve: (section) => section.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.section, ids),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
  }),
});

const CreateSectionInput = builder.inputType('CreateSectionInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    slug: t.string({ required: true, description: 'Lowercase letters, digits and dashes; unique.' }),
  }),
});

builder.queryFields((t) => ({
  sections: t.field({
    type: [SectionRef],
    description: `Every section by name, at most ${MAX_LISTED_SECTIONS}.`,
    ...signedIn,
    ...costOf({ size: MAX_LISTED_SECTIONS }),
    resolve: (_root, _args, ctx) => ctx.services.sections.list(),
  }),
  section: t.field({
    type: SectionRef,
    nullable: true,
    ...signedIn,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.loaders.section.load(localId(String(args.id), 'Section')),
  }),
}));

builder.mutationFields((t) => ({
  createSection: t.field({
    type: SectionRef,
    ...signedIn,
    ...rateLimited('createSection'),
    args: { input: t.arg({ type: CreateSectionInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.sections.create(ctx.viewer!.id, input),
  }),
}));

/** The id of a section that exists, for a section-keyed subscription (NOT_FOUND otherwise). */
export async function sectionOf(ctx: Context, sectionGlobalId: string): Promise<string> {
  const sectionId = localId(sectionGlobalId, 'Section');
  if (!(await ctx.loaders.section.load(sectionId))) throw notFound('Section');
  return sectionId;
}
