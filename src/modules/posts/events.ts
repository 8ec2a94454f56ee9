import type { PostRow } from './tables.ts';

/** A post as its `post:created` event carries it (keyed by section id). */
export interface PostEvent {
  id: string;
  sectionId: string;
  authorId: string;
  content: string;
  /** ISO-8601 */
  createdAt: string;
}

export type PostTopics = {
  /** Keyed by section id. */
  'post:created': PostEvent;
};

export function toPostEvent(post: PostRow): PostEvent {
  return { id: post.id, sectionId: post.sectionId, authorId: post.authorId, content: post.content, createdAt: post.createdAt.toISOString() };
}

export function fromPostEvent(event: PostEvent): PostRow {
  return { ...event, createdAt: new Date(event.createdAt) };
}
