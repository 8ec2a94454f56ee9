/** A session (or, with sessionId null, every session of the user) was revoked: its connections close. */
export interface SessionRevokedEvent {
  userId: string;
  sessionId: string | null;
}

export type SessionTopics = {
  /** One key, `all`, for the whole cluster: every instance closes the connections of revoked sessions. */
  'session:revoked': SessionRevokedEvent;
};
