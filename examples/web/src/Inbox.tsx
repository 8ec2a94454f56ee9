import { useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from './gql/index.ts';

const InboxQuery = graphql(`
  query Inbox {
    me { id unreadNotificationCount }
    notifications(first: 20) {
      edges { node { id kind count emoji readAt updatedAt actors(first: 2) { username } post { id content } story { id } } }
    }
  }
`);

const Added = graphql(`
  subscription OnNotification { notificationAdded { id count readAt } }
`);

const MarkRead = graphql(`
  mutation MarkAllRead { markNotificationsRead(input: { all: true }) }
`);

const WHAT = { STORY_VIEWED: 'viewed your story', STORY_REACTED: 'reacted to your story', POST_REACTED: 'reacted to your post', MENTIONED: 'mentioned you' } as const;

/** A bell with the unread count; open, the inbox (newest first) and "mark all read". New ones arrive live. */
export function Inbox() {
  const [open, setOpen] = useState(false);
  const [{ data }, refetch] = useQuery({ query: InboxQuery, requestPolicy: 'cache-and-network' });
  // Each new or grown notification: the inbox is read again (its order and the unread count are the server's).
  useSubscription({ query: Added }, (_prev: unknown, event) => {
    refetch({ requestPolicy: 'network-only' });
    return event;
  });
  const [, markRead] = useMutation(MarkRead);
  const unread = data?.me?.unreadNotificationCount ?? 0;
  return (
    <span className="inbox">
      <button onClick={() => setOpen(!open)} data-testid="bell" aria-label={`${unread} unread notifications`}>
        🔔 <span data-testid="unread">{unread}</span>
      </button>
      {open && (
        <div className="card inbox-list" data-testid="inbox">
          <button onClick={async () => (await markRead({}), refetch({ requestPolicy: 'network-only' }))}>Mark all read</button>
          <ul>
            {data?.notifications.edges.map(({ node }) => {
              const who = node.actors.map((a) => a.username).join(', ');
              const others = node.count > node.actors.length ? ` and ${node.count - node.actors.length} others` : '';
              return (
                <li key={node.id} data-testid="notification" className={node.readAt ? 'read' : 'unread'}>
                  {who}
                  {others} {WHAT[node.kind]} {node.emoji ?? ''} {node.post && <q>{node.post.content.slice(0, 40)}</q>}
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </span>
  );
}
