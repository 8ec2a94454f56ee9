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

export type StoryTopics = {
  /** Keyed by the story author's user id. */
  'story:activity': StoryActivityEvent;
};
