import type { PostRow } from './tables.ts';

/**
 * A post as the section's stream carries it when it is created (no `kind`)
 * or edited (`kind: 'updated'`), keyed by section id.
 */
export interface PostEvent {
  kind?: 'updated';
  id: string;
  sectionId: string;
  authorId: string;
  content: string;
  /** ISO-8601 */
  createdAt: string;
  /** ISO-8601; absent on a post never edited. */
  editedAt?: string | null;
}

/** A post was deleted: its tombstone, without its content. */
export interface PostDeletedEvent {
  kind: 'deleted';
  id: string;
  sectionId: string;
  authorId: string;
}

/** An event of a deleted post as stored after it: only ids (outbox.erase). Nobody is sent one. */
export interface ErasedEvent {
  erased: true;
  id?: string;
  postId?: string;
  sectionId?: string;
}

export type PostStreamEvent = PostEvent | PostDeletedEvent | ErasedEvent;

export type PostTopics = {
  /**
   * A section's one ordered stream of posts, keyed by section id: creations,
   * edits and deletions (postCreated, postUpdated and postDeleted read it, and
   * any of their cursors resumes the others). Named for its first kind.
   */
  'post:created': PostStreamEvent;
};

/** The section streams that speak of a post, whose stored events its deletion erases (its reactions', its links'). */
export const STREAMS_OF_A_POST = ['post:created', 'post:reactionsChanged', 'link:updated'] as const;

export function toPostEvent(post: PostRow, kind?: 'updated'): PostEvent {
  return {
    ...(kind ? { kind } : {}),
    id: post.id,
    sectionId: post.sectionId,
    authorId: post.authorId,
    content: post.content,
    createdAt: post.createdAt.toISOString(),
    ...(post.editedAt ? { editedAt: post.editedAt.toISOString() } : {}),
  };
}

export function fromPostEvent(event: PostEvent): PostRow {
  return {
    id: event.id,
    sectionId: event.sectionId,
    authorId: event.authorId,
    content: event.content,
    createdAt: new Date(event.createdAt),
    editedAt: event.editedAt ? new Date(event.editedAt) : null,
  };
}

/** Which of the stream's events each subscription gets. */
export const isCreation = (e: PostStreamEvent): e is PostEvent => !('kind' in e) && !('erased' in e);
export const isEdit = (e: PostStreamEvent): e is PostEvent => 'kind' in e && e.kind === 'updated';
export const isDeletion = (e: PostStreamEvent): e is PostDeletedEvent => 'kind' in e && e.kind === 'deleted';
