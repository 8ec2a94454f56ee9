/** The reactions of a post changed; keyed by the post's section. */
export interface ReactionsChangedEvent {
  postId: string;
  /** The post's author (absent on events stored before it was carried): whoever blocks them is not sent it. */
  authorId?: string;
}

export type ReactionTopics = {
  /** Keyed by section id. */
  'post:reactionsChanged': ReactionsChangedEvent;
};
