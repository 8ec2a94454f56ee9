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

export type Topics = {
  /** Keyed by section id. */
  'post:created': [sectionId: string, payload: PostEvent];
  /** Keyed by section id. */
  'post:reactionsChanged': [sectionId: string, payload: ReactionsChangedEvent];
};
