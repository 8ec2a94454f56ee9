import { EventFrame } from '../../realtime/event-frame.ts';
import type { ChatChange, ChatMessageState } from './events.ts';
import type { ChatMessageRow } from './tables.ts';

export const toMessageState = (row: ChatMessageRow): ChatMessageState => ({ ...row, createdAt: row.createdAt.toISOString() });
export const messageFromState = (state: ChatMessageState): ChatMessageRow => ({
  id: state.id,
  channelId: state.channelId,
  authorId: state.authorId,
  text: state.text,
  createdAt: new Date(state.createdAt),
});

/** What a joiner without a cursor gets first: the last messages and the pinned one, read from the tables. */
export class ChatSnapshot {
  readonly messages: readonly ChatMessageRow[];
  readonly pinned: ChatMessageRow | null;
  readonly slowModeSeconds: number;
  constructor(messages: readonly ChatMessageRow[], pinned: ChatMessageRow | null, slowModeSeconds: number) {
    this.messages = messages;
    this.pinned = pinned;
    this.slowModeSeconds = slowModeSeconds;
  }
}

/** One frame of a chat as clients get it (`ChatEvent`). */
export interface ChatView {
  messages: ChatMessageRow[];
  deletedIds: string[];
  pinnedMessage: ChatMessageRow | null;
  pinChanged: boolean;
  /** The slow mode when it changed within the frame (or the first frame's current one); null when unchanged. */
  slowModeSeconds: number | null;
}

// Per frame, its view: made once, whoever's execution asks first (a frame is shared by every viewer).
const views = new WeakMap<object, ChatView>();

/**
 * A frame's events folded into one view, in order: new messages, the ids of
 * those deleted (a message sent and deleted within the frame is in
 * neither), and the pin when it changed.
 */
export function chatView(payload: EventFrame | ChatSnapshot): ChatView {
  let view = views.get(payload);
  if (view) return view;
  if (payload instanceof ChatSnapshot) {
    view = { messages: [...payload.messages], deletedIds: [], pinnedMessage: payload.pinned, pinChanged: true, slowModeSeconds: payload.slowModeSeconds };
  } else {
    view = { messages: [], deletedIds: [], pinnedMessage: null, pinChanged: false, slowModeSeconds: null };
    for (const { payload: change } of payload.events as ReadonlyArray<{ payload: ChatChange }>) fold(view, change);
  }
  views.set(payload, view);
  return view;
}

function fold(view: ChatView, change: ChatChange): void {
  switch (change.kind) {
    case 'message':
      view.messages.push(messageFromState(change));
      return;
    case 'deleted': {
      const at = view.messages.findIndex((m) => m.id === change.deletedId);
      if (at >= 0) view.messages.splice(at, 1);
      else view.deletedIds.push(change.deletedId);
      if (change.unpinned || view.pinnedMessage?.id === change.deletedId) {
        view.pinnedMessage = null;
        view.pinChanged = true;
      }
      return;
    }
    case 'pinned':
      view.pinnedMessage = messageFromState(change.message);
      view.pinChanged = true;
      return;
    case 'unpinned':
      view.pinnedMessage = null;
      view.pinChanged = true;
      return;
    case 'slowMode':
      view.slowModeSeconds = change.seconds;
  }
}

export { EventFrame };
