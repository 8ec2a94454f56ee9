/** A notification as its events carry it (JSON: dates as ISO-8601). */
export interface NotificationState {
  id: string;
  userId: string;
  kind: 'STORY_VIEWED' | 'STORY_REACTED' | 'POST_REACTED' | 'MENTIONED';
  subjectId: string;
  emoji: string;
  count: number;
  actorIds: string[];
  createdAt: string;
  updatedAt: string;
  readAt: string | null;
}

export type NotificationTopics = {
  /** Keyed by the recipient's id: a notification new, or grown by another action. */
  'notification:changed': NotificationState;
};
