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

export function toLinkEvent(sectionId: string, link: LinkRow): LinkUpdatedEvent {
  return {
    sectionId,
    postId: link.postId,
    link: {
      ...link,
      fetchedAt: link.fetchedAt?.toISOString() ?? null,
      createdAt: link.createdAt.toISOString(),
    },
  };
}

export function linkFromEvent(event: LinkUpdatedEvent): LinkRow {
  return {
    ...event.link,
    fetchedAt: event.link.fetchedAt ? new Date(event.link.fetchedAt) : null,
    createdAt: new Date(event.link.createdAt),
  };
}
