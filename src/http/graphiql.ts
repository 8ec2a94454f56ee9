/** Example operations GraphiQL opens with in development. */
export const exampleOperations = /* GraphQL */ `# Welcome to Plaza. Run SignUp, copy the token into Headers as
#   { "Authorization": "Bearer <token>" }
# then CreateSection, paste its id into the variables, subscribe in one tab
# (OnPostCreated) and run CreatePost in another.

mutation SignUp {
  signUp(input: { username: "ada", password: "correct horse battery" }) {
    token
    user { id username }
  }
}

mutation CreateSection {
  createSection(input: { name: "General", slug: "general" }) { id slug name }
}

mutation CreatePost($sectionId: ID!) {
  createPost(input: { sectionId: $sectionId, content: "Hello Plaza", links: ["https://example.com"] }) {
    id content createdAt author { username } links { url status }
  }
}

subscription OnPostCreated($sectionId: ID!) {
  postCreated(sectionId: $sectionId) { id content author { username } }
}

query Feed($sectionId: ID!) {
  section(id: $sectionId) {
    name
    posts(first: 20) {
      edges { cursor node { id content author { displayName } links { url status } reactions { emoji count viewerHasReacted } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`;

/**
 * GraphiQL (development only) with subscriptions over graphql-ws. Browsers
 * cannot set headers on a WebSocket, so the page sends the Authorization
 * header from GraphiQL's header editor as `connectionParams.authorization`,
 * read again on every connect. Assets come from a CDN, as Yoga's own page does.
 */
export function renderPlazaGraphiQL(): string {
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Plaza GraphiQL</title>
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.9.0/graphiql.min.css" />
  <script crossorigin src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3.9.0/graphiql.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphql-ws@5.16.0/umd/graphql-ws.min.js"></script>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script>
    const endpoint = new URL(location.pathname, location.href).href;
    function authorization() {
      try {
        const headers = JSON.parse(localStorage.getItem('graphiql:headers') || '{}');
        const key = Object.keys(headers).find((k) => k.toLowerCase() === 'authorization');
        return key ? headers[key] : undefined;
      } catch {
        return undefined;
      }
    }
    const wsClient = graphqlWs.createClient({
      url: endpoint.replace(/^http/, 'ws'),
      lazy: true,
      retryAttempts: 0,
      connectionParams: () => ({ authorization: authorization() }),
    });
    const fetcher = GraphiQL.createFetcher({ url: endpoint, wsClient });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultQuery: ${json(exampleOperations)},
        defaultHeaders: ${json('{\n  "Authorization": "Bearer <token from signUp>"\n}')},
        shouldPersistHeaders: true,
        isHeadersEditorEnabled: true,
        defaultEditorToolsVisibility: 'headers',
      }),
    );
  </script>
</body>
</html>`;
}
