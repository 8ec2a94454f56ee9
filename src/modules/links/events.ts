import { type SQL, sql } from 'drizzle-orm';
import { isoText } from '../../db/iso-text.ts';
import type { LinkMetadataJson, LinkRow } from './tables.ts';

/** A link reached a final state; `link` is the stored row with ISO dates. */
export interface LinkUpdatedEvent {
  sectionId: string;
  postId: string;
  link: {
    id: string;
    postId: string;
    position: number;
    url: string;
    normalizedUrl: string;
    status: 'PENDING' | 'READY' | 'FAILED' | 'BLOCKED';
    metadata: LinkMetadataJson | null;
    error: string | null;
    fetchedAt: string | null;
    createdAt: string;
  };
}

export type LinkTopics = {
  /** Keyed by section id. */
  'link:updated': LinkUpdatedEvent;
};

/**
 * A `LinkUpdatedEvent` as JSON built in SQL, from a row of `links` that
 * carries its post's `section_id`, named `alias` in the statement. Dates as
 * `toISOString` writes them (UTC, milliseconds: what pg reads into a Date).
 */
export function linkEventJson(alias: string): SQL {
  const column = (name: string) => sql.raw(`${alias}.${name}`);
  const iso = (name: string) => isoText(column(name));
  return sql`jsonb_build_object('sectionId', ${column('section_id')}, 'postId', ${column('post_id')}, 'link', jsonb_build_object(
    'id', ${column('id')}, 'postId', ${column('post_id')}, 'position', ${column('position')}, 'url', ${column('url')},
    'normalizedUrl', ${column('normalized_url')}, 'status', ${column('status')}, 'metadata', ${column('metadata')},
    'error', ${column('error')}, 'fetchedAt', ${iso('fetched_at')}, 'createdAt', ${iso('created_at')}))`;
}

export function linkFromEvent(event: LinkUpdatedEvent): LinkRow {
  return {
    ...event.link,
    fetchedAt: event.link.fetchedAt ? new Date(event.link.fetchedAt) : null,
    createdAt: new Date(event.link.createdAt),
  };
}
