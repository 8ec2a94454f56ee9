/** A user blocked or unblocked someone: every instance reloads the list it holds for them. */
export interface BlocksChangedEvent {
  blockerId: string;
}

export type UserTopics = {
  /** One key, `all`, for the whole cluster. */
  'user:blocks-changed': BlocksChangedEvent;
};
