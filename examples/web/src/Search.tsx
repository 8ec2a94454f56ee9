import { type FormEvent, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from './gql/index.ts';

const SearchQuery = graphql(`
  query Search($query: String!) {
    search(query: $query, first: 10) {
      edges {
        highlight
        node {
          __typename
          ... on Post { id section { id } }
          ... on User { id username }
          ... on Product { id name }
          ... on Section { id name }
          ... on Channel { id name }
        }
      }
    }
  }
`);

type Node = NonNullable<ReturnType<typeof useSearch>['data']>['search']['edges'][number]['node'];

function useSearch(query: string) {
  const [{ data, fetching, error }] = useQuery({ query: SearchQuery, variables: { query }, pause: query === '' });
  return { data, fetching, error };
}

/** Where a result leads. */
function hrefOf(node: Node): string | undefined {
  if (node.__typename === 'Post') return `#/section/${node.section.id}`;
  if (node.__typename === 'Section') return `#/section/${node.id}`;
  if (node.__typename === 'Channel') return `#/channel/${node.id}`;
  return undefined;
}

/** A search box over posts, people, products, sections and channels; each result shows what matched. */
export function Search() {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const { data, fetching, error } = useSearch(query);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery(draft.trim());
  };
  return (
    <section data-testid="search">
      <form onSubmit={submit}>
        <input name="search" type="search" placeholder="Search posts, people, products…" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      {fetching && <p>Searching…</p>}
      {error && <p role="alert">{error.graphQLErrors[0]?.message ?? error.message}</p>}
      {data && data.search.edges.length === 0 && <p>Nothing found.</p>}
      <ul>
        {data?.search.edges.map(({ node, highlight }) => (
          <li key={`${node.__typename}:${'id' in node ? node.id : ''}`} data-testid="search-result" data-kind={node.__typename}>
            <small>{node.__typename}</small>{' '}
            {/* Plaza escapes the text of a highlight and marks the match with <mark>: it is safe to show as HTML. */}
            <a href={hrefOf(node)} dangerouslySetInnerHTML={{ __html: highlight ?? '' }} />
          </li>
        ))}
      </ul>
    </section>
  );
}
