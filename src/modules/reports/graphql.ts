import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder, signedIn } from '../../graphql/builder.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { costOf } from '../../graphql/cost.ts';
import { localId } from '../../graphql/ids.ts';
import { forwardPage, toConnection } from '../../graphql/pagination.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { notFound } from '../../lib/errors.ts';
import { PostRef } from '../posts/graphql.ts';
import { SectionRef } from '../sections/graphql.ts';
import { UserRef } from '../users/graphql.ts';
import type { ReportedPostJson, ReportRow } from './tables.ts';

const PAGE = { defaultSize: 20, maxSize: 50 };

const ReportActionEnum = builder.enumType('ReportAction', {
  values: {
    KEEP: { description: 'The post stays.' },
    DELETE_POST: { description: 'The post is deleted.' },
    BAN_AUTHOR: { description: "The post's author is banned from the section (with the report's reason), until unbanned." },
  } as const,
});

const ReportedPostRef = builder.objectRef<ReportedPostJson>('ReportedPost').implement({
  description: 'A post as it was when it was reported.',
  fields: (t) => ({
    author: t.field({ type: UserRef, resolve: async (p, _a, ctx) => (await ctx.loaders.user.load(p.authorId)) ?? Promise.reject(notFound('User')) }),
    content: t.exposeString('content'),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => new Date(p.createdAt) }),
    editedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => (p.editedAt ? new Date(p.editedAt) : null) }),
  }),
});

export const ReportRef = builder.objectRef<ReportRow>('Report').implement({
  description: "A post reported to its section's owner and moderators.",
  fields: (t) => ({
    id: t.id({ resolve: (r) => encodeGlobalID('Report', r.id) }),
    reason: t.exposeString('reason'),
    reporter: t.field({ type: UserRef, resolve: async (r, _a, ctx) => (await ctx.loaders.user.load(r.reporterId)) ?? Promise.reject(notFound('User')) }),
    reportedPost: t.field({ type: ReportedPostRef, description: 'The post as it was when reported.', resolve: (r) => r.post }),
    post: t.field({
      type: PostRef,
      nullable: true,
      description: 'The post now; null once deleted.',
      resolve: (r, _a, ctx) => (r.postId ? ctx.loaders.post.load(r.postId) : null),
    }),
    action: t.field({ type: ReportActionEnum, nullable: true, description: 'Null while open.', resolve: (r) => r.action }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.objectField(SectionRef, 'reports', (t) =>
  t.connection(
    {
      type: ReportRef,
      nullable: true,
      description: 'Reports of its posts, newest first. Its owner and moderators only; FORBIDDEN for anyone else.',
      ...perViewer,
      ...costOf({ pageMax: PAGE.maxSize }),
      resolve: async (section, args, ctx) => {
        const { first, after } = forwardPage(args, PAGE);
        const { rows, hasNextPage } = await ctx.services.reports.page(ctx.viewer!.id, section.id, first, after);
        return toConnection(rows, { hasNextPage, after }, (r) => ({ createdAt: r.createdAt, id: r.id }));
      },
    },
    { name: 'ReportConnection' },
    { name: 'ReportEdge' },
  ),
);

const ReportPostInput = builder.inputType('ReportPostInput', {
  fields: (t) => ({
    postId: t.id({ required: true }),
    reason: t.string({ required: true, description: 'At most 500 characters.' }),
  }),
});

builder.mutationFields((t) => ({
  reportPost: t.field({
    type: ReportRef,
    description: "Reports a post to its section's owner and moderators; reporting it again returns the same report.",
    ...signedIn,
    ...rateLimited('reportPost'),
    args: { input: t.arg({ type: ReportPostInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.reports.report(ctx.viewer!.id, { postId: localId(String(input.postId), 'Post'), reason: input.reason }),
  }),
  resolveReport: t.field({
    type: ReportRef,
    description: "The section's owner or moderators, once per report: KEEP, DELETE_POST or BAN_AUTHOR, done as it says.",
    ...signedIn,
    ...rateLimited('resolveReport'),
    args: { reportId: t.arg.id({ required: true }), action: t.arg({ type: ReportActionEnum, required: true }) },
    resolve: (_root, args, ctx) => ctx.services.reports.resolve(ctx.viewer!.id, localId(String(args.reportId), 'Report'), args.action),
  }),
}));
