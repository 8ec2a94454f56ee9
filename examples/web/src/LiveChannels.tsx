import { useMemo } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from './gql/index.ts';

const ChannelsQuery = graphql(`
  query ChannelDirectory {
    channels(first: 20) { directoryCursor edges { live node { id name viewerCount } } }
  }
`);

// From where the page was read: no change between the query and the subscription is missed.
const DirectoryUpdates = graphql(`
  subscription OnDirectoryChange($after: String) {
    liveChannels(after: $after) { live viewerCount channel { id name } }
  }
`);

type Entry = { id: string; name: string; live: boolean; viewerCount: number };

/** The channel directory: live ones first with their viewers, kept current as channels go live, fill up and end. */
export function LiveChannels() {
  const [{ data }] = useQuery({ query: ChannelsQuery });
  const after = data?.channels.directoryCursor;
  const [changes] = useSubscription(
    { query: DirectoryUpdates, variables: { after }, pause: after === undefined },
    (seen: Record<string, Entry> = {}, event) => {
      const { channel, live, viewerCount } = event.liveChannels;
      return { ...seen, [channel.id]: { id: channel.id, name: channel.name, live, viewerCount } };
    },
  );
  const entries = useMemo(() => {
    const listed: Entry[] = (data?.channels.edges ?? []).map(({ live, node }) => ({ id: node.id, name: node.name, live, viewerCount: node.viewerCount }));
    const merged = new Map(listed.map((e) => [e.id, e]));
    for (const change of Object.values(changes.data ?? {})) merged.set(change.id, change);
    return [...merged.values()].sort((a, b) => Number(b.live) - Number(a.live) || (b.live ? b.viewerCount - a.viewerCount : 0));
  }, [data, changes.data]);
  return (
    <section data-testid="live-channels">
      <h2>Channels</h2>
      {entries.length === 0 && <p>No channels yet.</p>}
      <ul>
        {entries.map((entry) => (
          <li key={entry.id} data-testid="channel-entry" data-live={entry.live}>
            <a href={`#/channel/${entry.id}`}>{entry.name}</a>{' '}
            {entry.live ? <small data-testid="live-badge">● live · {entry.viewerCount} watching</small> : <small>offline</small>}
          </li>
        ))}
      </ul>
    </section>
  );
}
