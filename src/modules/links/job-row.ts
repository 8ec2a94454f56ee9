import type { LinkMetadataJson, LinkRow } from './tables.ts';

/**
 * Where a link's fetch stands: claimed by this attempt; already done; the page
 * claimed by another link's fetch for `waitSeconds` more; its host at the
 * per-host limit; or `recheck`: a fetch of the page finished while the claim
 * was being taken, its preview to be read by a statement of its own.
 */
export type FetchClaim = { state: 'claimed' | 'done' | 'host-busy' | 'recheck' } | { state: 'busy'; waitSeconds: number };

/** A link with what its job needs of its post. */
export interface LinkForJob extends LinkRow {
  sectionId: string;
  authorId: string;
}

/** A row of `startJob`'s statement (raw SQL: snake_case, timestamps as text). */
export interface JobStartRow extends Record<string, unknown> {
  id: string;
  post_id: string;
  position: number;
  url: string;
  normalized_url: string;
  status: LinkRow['status'];
  metadata: LinkMetadataJson | null;
  error: string | null;
  fetched_at: string | null;
  created_at: string;
  section_id: string;
  author_id: string;
  cached_metadata: LinkMetadataJson | null;
  cached_fetched_at: string | null;
  claim_state: 'claimed' | 'page-busy' | 'host-busy' | 'done' | 'cached' | null;
  wait_seconds: number | null;
}

/** What `plaza_claim_link_fetch` answered, as a claim. */
export function claimOf(row: JobStartRow): FetchClaim {
  switch (row.claim_state) {
    case 'page-busy':
      return { state: 'busy', waitSeconds: Number(row.wait_seconds ?? 0) };
    case 'host-busy':
      return { state: 'host-busy' };
    case 'done':
      return { state: 'done' };
    case 'cached':
      return { state: 'recheck' };
    default:
      return { state: 'claimed' };
  }
}

export function jobLink(row: JobStartRow): LinkForJob {
  return {
    id: row.id,
    postId: row.post_id,
    position: row.position,
    url: row.url,
    normalizedUrl: row.normalized_url,
    status: row.status,
    metadata: row.metadata,
    error: row.error,
    fetchedAt: row.fetched_at === null ? null : new Date(row.fetched_at),
    createdAt: new Date(row.created_at),
    sectionId: row.section_id,
    authorId: row.author_id,
  };
}
