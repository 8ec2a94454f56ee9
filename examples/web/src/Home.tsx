import { useQuery } from 'urql';
import { graphql } from './gql/index.ts';
import { LiveChannels } from './LiveChannels.tsx';
import { Search } from './Search.tsx';
import { StoriesTray } from './StoriesTray.tsx';

const SectionsQuery = graphql(`
  query Sections { sections { id name slug } }
`);

/** Home: the stories tray, a search box, the channel directory (live ones first, updating) and the sections. */
export function Home() {
  const [{ data }] = useQuery({ query: SectionsQuery });
  return (
    <>
      <StoriesTray />
      <Search />
      <div className="card">
        <LiveChannels />
        <h2>Sections</h2>
        <ul>
          {data?.sections.map((s) => (
            <li key={s.id}>
              <a href={`#/section/${s.id}`}>{s.name}</a>
            </li>
          ))}
        </ul>
      </div>
    </>
  );
}
