import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { newestFirst, olderThan, takePage } from '../../db/keyset.ts';
import { badInput, notFound } from '../../lib/errors.ts';
import type { FeedCursor } from '../../lib/feed-cursor.ts';
import { isUuid, requireText } from '../../lib/validate.ts';
import type { PostService } from '../posts/service.ts';
import type { SectionAccess } from '../sections/access.ts';
import type { SectionRoles } from '../sections/roles.ts';
import { type ReportRow, reports } from './tables.ts';

export type ReportAction = 'KEEP' | 'DELETE_POST' | 'BAN_AUTHOR';

const MAX_REASON = 500;

export interface ReportServiceDeps {
  db: Database;
  access: SectionAccess;
  posts: PostService;
  roles: SectionRoles;
}

/**
 * Reports of posts, for a section's owner and moderators: each keeps the
 * post as it was when reported. Resolving one keeps the post, deletes it, or
 * bans its author from the section.
 */
export function createReportService({ db, access, posts, roles }: ReportServiceDeps) {
  return {
    /** Reports a post the viewer can read, in a section they are not banned from; reporting it again returns the first report. */
    async report(viewerId: string, input: { postId: string; reason: string }): Promise<ReportRow> {
      const reason = requireText(input.reason, 'reason', { max: MAX_REASON });
      const [post] = await posts.byIds([input.postId], viewerId);
      if (!post) throw notFound('Post');
      if (post.authorId === viewerId) throw badInput('you cannot report your own post', 'postId');
      await access.assertCanWrite(post.sectionId, viewerId);
      const snapshot = {
        authorId: post.authorId,
        content: post.content,
        createdAt: post.createdAt.toISOString(),
        editedAt: post.editedAt?.toISOString() ?? null,
      };
      const [row] = await db
        .insert(reports)
        .values({ sectionId: post.sectionId, postId: post.id, reporterId: viewerId, reason, post: snapshot })
        .onConflictDoNothing()
        .returning();
      if (row) return row;
      const [existing] = await db.select().from(reports).where(and(eq(reports.postId, post.id), eq(reports.reporterId, viewerId)));
      if (!existing) throw notFound('Post');
      return existing;
    },

    /** The owner or a moderator acts on a report, once: KEEP, DELETE_POST or BAN_AUTHOR. */
    async resolve(viewerId: string, reportId: string, action: ReportAction): Promise<ReportRow> {
      if (!isUuid(reportId)) throw notFound('Report');
      const [report] = await db.select().from(reports).where(eq(reports.id, reportId));
      if (!report) throw notFound('Report');
      await access.assertModerator(report.sectionId, viewerId);
      if (report.action) throw badInput(`the report was resolved already (${report.action})`, 'reportId');
      if (action === 'DELETE_POST' && report.postId) await posts.delete(viewerId, report.postId).catch(ignoreNotFound);
      if (action === 'BAN_AUTHOR') await roles.ban(viewerId, { sectionId: report.sectionId, userId: report.post.authorId, reason: report.reason });
      const [row] = await db
        .update(reports)
        .set({ action, resolvedBy: viewerId, resolvedAt: new Date() })
        .where(eq(reports.id, report.id))
        .returning();
      return row ?? report;
    },

    /** A section's reports, newest first; its owner and moderators only (FORBIDDEN otherwise). */
    async page(viewerId: string, sectionId: string, first: number, after: FeedCursor | null): Promise<{ rows: ReportRow[]; hasNextPage: boolean }> {
      await access.assertModerator(sectionId, viewerId);
      const rows = await db
        .select()
        .from(reports)
        .where(and(eq(reports.sectionId, sectionId), olderThan(reports.createdAt, reports.id, after)))
        .orderBy(...newestFirst(reports.createdAt, reports.id))
        .limit(first + 1);
      return takePage(rows, first);
    },

    async byIds(ids: readonly string[]): Promise<ReportRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(reports).where(inArray(reports.id, valid));
    },
  };
}

/** A post already deleted (by its author, another moderator) is what DELETE_POST wanted. */
function ignoreNotFound(err: unknown) {
  if ((err as { code?: string }).code !== 'NOT_FOUND') throw err;
}

export type ReportService = ReturnType<typeof createReportService>;
