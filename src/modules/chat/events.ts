/** A chat message as its events carry it. */
export interface ChatMessageState {
  id: string;
  channelId: string;
  authorId: string;
  text: string;
  /** ISO-8601. */
  createdAt: string;
}

/**
 * One change of a channel's chat. `id` is the message it is about: when that
 * message is deleted, its events become tombstones (never replayed), save
 * the deletion's own, recorded after.
 */
export type ChatChange =
  | ({ kind: 'message' } & ChatMessageState)
  | { kind: 'deleted'; deletedId: string; channelId: string; unpinned: boolean }
  | { kind: 'pinned'; id: string; channelId: string; message: ChatMessageState }
  | { kind: 'unpinned'; channelId: string }
  | { kind: 'slowMode'; channelId: string; seconds: number };

export type ChatTopics = {
  /** Keyed by channel id: messages, deletions, pins, in commit order. Delivered in frames. */
  'channel:chat': ChatChange;
};
