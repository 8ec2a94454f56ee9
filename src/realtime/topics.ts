import type { LinkMetadataJson } from '../modules/links/tables.ts';

/**
 * The one map of real-time topics, shared by the API and the workers. Topic
 * names are `entity:event`; the second tuple slot is the id the topic is keyed
 * by. Payloads cross Redis as JSON, so they hold only JSON values.
 */
export interface PostEvent {
  id: string;
  sectionId: string;
  authorId: string;
  content: string;
  /** ISO-8601 */
  createdAt: string;
}

export interface ReactionsChangedEvent {
  postId: string;
}

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

/** Someone else viewed or reacted to a story; keyed by, and only for, the story's author. */
export interface StoryActivityEvent {
  kind: 'viewed' | 'reacted';
  storyId: string;
  authorId: string;
  actorId: string;
  emoji: string | null;
  /** ISO-8601 */
  at: string;
}

/** A channel's whole highlight state after a change; `version` orders them. */
export interface HighlightState {
  channelId: string;
  version: number;
  /** ISO-8601, null when nothing is highlighted. */
  highlightedAt: string | null;
  product: {
    id: string;
    channelId: string;
    name: string;
    description: string | null;
    priceCents: number;
    currency: string;
    imageUrl: string | null;
    createdAt: string;
  } | null;
}

/** A session (or, with sessionId null, every session of the user) was revoked: its connections close. */
export interface SessionRevokedEvent {
  userId: string;
  sessionId: string | null;
}

export type Topics = {
  /** Keyed by section id. */
  'post:created': [sectionId: string, payload: PostEvent];
  /** Keyed by section id. */
  'post:reactionsChanged': [sectionId: string, payload: ReactionsChangedEvent];
  /** Keyed by section id. */
  'link:updated': [sectionId: string, payload: LinkUpdatedEvent];
  /** Keyed by the story author's user id. */
  'story:activity': [authorId: string, payload: StoryActivityEvent];
  /** Keyed by channel id. */
  'channel:highlight': [channelId: string, payload: HighlightState];
  /** One key for the whole cluster: every instance closes the connections of revoked sessions. */
  'session:revoked': [scope: 'all', payload: SessionRevokedEvent];
};
