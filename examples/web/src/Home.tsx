import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from './gql/index.ts';

const SectionsQuery = graphql(`
  query Sections { sections { id name slug } }
`);

export function Home() {
  const [{ data }] = useQuery({ query: SectionsQuery });
  const [channelId, setChannelId] = useState('');
  return (
    <section className="card">
      <h2>Sections</h2>
      <ul>
        {data?.sections.map((s) => (
          <li key={s.id}>
            <a href={`#/section/${s.id}`}>{s.name}</a>
          </li>
        ))}
      </ul>
      <h2>Live channel</h2>
      <form onSubmit={(e) => (e.preventDefault(), (location.hash = `#/channel/${channelId}`))}>
        <input placeholder="channel id (npm run seed prints one)" value={channelId} onChange={(e) => setChannelId(e.target.value)} />
        <button type="submit">Open</button>
      </form>
    </section>
  );
}
