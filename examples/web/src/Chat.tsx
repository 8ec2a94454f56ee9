import { type FormEvent, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from './gql/index.ts';
import type { ChatFrameFragment } from './gql/graphql.ts';

graphql(`
  fragment ChatFrame on ChatEvent {
    messages { id text createdAt author { id username } }
    deletedIds
    pinChanged
    pinnedMessage { id text author { username } }
    slowModeSeconds
    cursor
  }
`);

const ChatFrames = graphql(`
  subscription OnChat($id: ID!) { channelChat(channelId: $id) { ...ChatFrame } }
`);

const ChatRole = graphql(`
  query ChatRole($id: ID!) { channel(id: $id) { id viewerRole } }
`);

const Send = graphql(`
  mutation SendChat($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }
`);

const Delete = graphql(`
  mutation DeleteChat($id: ID!) { deleteChatMessage(messageId: $id) }
`);

const Pin = graphql(`
  mutation PinChat($id: ID!) { pinChatMessage(messageId: $id) { id } }
`);

const Unpin = graphql(`
  mutation UnpinChat($channelId: ID!) { unpinChatMessage(channelId: $channelId) { id } }
`);

const SlowMode = graphql(`
  mutation SlowMode($channelId: ID!, $seconds: Int!) { setChatSlowMode(channelId: $channelId, seconds: $seconds) { id } }
`);

type Message = ChatFrameFragment['messages'][number];
interface ChatState {
  messages: Message[];
  pinned: ChatFrameFragment['pinnedMessage'];
  slowModeSeconds: number;
}

/** Each frame folded into what is on screen: new messages appended, deleted ones dropped, the pin when it changed. */
function fold(state: ChatState | undefined, frame: ChatFrameFragment): ChatState {
  const deleted = new Set(frame.deletedIds);
  const messages = [...(state?.messages ?? []), ...frame.messages].filter((m) => !deleted.has(m.id)).slice(-200);
  return {
    messages,
    pinned: frame.pinChanged ? frame.pinnedMessage : (state?.pinned ?? null),
    slowModeSeconds: frame.slowModeSeconds ?? state?.slowModeSeconds ?? 0,
  };
}

/** A channel's chat: live frames, sending, and for the seller and moderators deleting, pinning and slow mode. Text is shown as text. */
export function Chat({ channelId, me }: { channelId: string; me: string }) {
  const [{ data: settings }] = useQuery({ query: ChatRole, variables: { id: channelId } });
  const [chat] = useSubscription({ query: ChatFrames, variables: { id: channelId } }, (state: ChatState | undefined, data) =>
    fold(state, data.channelChat as ChatFrameFragment),
  );
  const [draft, setDraft] = useState('');
  const [sending, send] = useMutation(Send);
  const [, remove] = useMutation(Delete);
  const [, pin] = useMutation(Pin);
  const [, unpin] = useMutation(Unpin);
  const [, setSlowMode] = useMutation(SlowMode);
  const role = settings?.channel?.viewerRole ?? null;
  const error = sending.error?.graphQLErrors[0];

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await send({ input: { channelId, text: draft } });
    if (!result.error) setDraft('');
  }

  if (chat.error) return <p role="alert">{chat.error.graphQLErrors[0]?.message ?? chat.error.message}</p>;
  const { messages, pinned, slowModeSeconds: slow } = chat.data ?? { messages: [], pinned: null, slowModeSeconds: 0 };
  return (
    <div className="card chat" data-testid="chat">
      {pinned && (
        <p className="pinned" data-testid="pinned">
          📌 <b>{pinned.author.username}</b>: {pinned.text}
          {role && <button onClick={() => unpin({ channelId })}>Unpin</button>}
        </p>
      )}
      {slow > 0 && <small data-testid="slow-mode">Slow mode: one message every {slow} s</small>}
      <ul>
        {messages.map((m) => (
          <li key={m.id} data-testid="chat-message">
            <b>{m.author.username}</b>: <span data-testid="chat-text">{m.text}</span>
            {(role || m.author.id === me) && <button onClick={() => remove({ id: m.id })}>Delete</button>}
            {role && <button onClick={() => pin({ id: m.id })} data-testid="pin">Pin</button>}
          </li>
        ))}
      </ul>
      <form onSubmit={submit}>
        <input name="chat" value={draft} maxLength={500} onChange={(e) => setDraft(e.target.value)} placeholder="Say something" />
        <button type="submit" disabled={sending.fetching || draft.trim() === ''}>Send</button>
      </form>
      {error && (
        <p role="alert" data-testid="chat-error">
          {error.extensions?.code === 'RATE_LIMITED' ? `Slow mode: wait ${String(error.extensions.retryAfterSeconds)} s` : error.message}
        </p>
      )}
      {role === 'SELLER' && (
        <button onClick={() => setSlowMode({ channelId, seconds: slow > 0 ? 0 : 10 })} data-testid="toggle-slow-mode">
          {slow > 0 ? 'Slow mode off' : 'Slow mode 10 s'}
        </button>
      )}
    </div>
  );
}
