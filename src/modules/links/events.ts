import type { LinkUpdatedEvent } from '../../realtime/topics.ts';
import type { LinkRow } from './tables.ts';

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
