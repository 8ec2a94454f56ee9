/** The reactions of a post changed; keyed by the post's section. */
export interface ReactionsChangedEvent {
  postId: string;
}

export type ReactionTopics = {
  /** Keyed by section id. */
  'post:reactionsChanged': ReactionsChangedEvent;
};
