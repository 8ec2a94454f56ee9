import { GRAPHIQL_ASSETS_PATH } from './assets.ts';
import { exampleOperations } from './examples.ts';

const asset = (name: string) => `${GRAPHIQL_ASSETS_PATH}${name}`;

/**
 * GraphiQL (development only), every asset served by Plaza itself from
 * node_modules (graphiql-assets.ts): it works offline and under a strict
 * CSP. Subscriptions go over graphql-ws, or SSE with `?subscriptions=sse`.
 * Browsers cannot set headers on a WebSocket, so the page sends the header
 * editor's Authorization as `connectionParams.authorization`, read again on
 * every connect; over HTTP and SSE it goes as the header itself. A signUp or
 * signIn result's token is written into the header editor.
 */
export function renderPlazaGraphiQL(): string {
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Plaza GraphiQL</title>
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="${asset('graphiql.css')}" />
  <script src="${asset('react.js')}"></script>
  <script src="${asset('react-dom.js')}"></script>
  <script src="${asset('graphiql.js')}"></script>
  <script src="${asset('graphql-ws.js')}"></script>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script>
    const endpoint = new URL(location.pathname, location.href).href;
    const overSse = new URLSearchParams(location.search).get('subscriptions') === 'sse';
    const HEADERS_KEY = 'graphiql:headers';
    function storedHeaders() {
      try {
        return JSON.parse(localStorage.getItem(HEADERS_KEY) || '{}') || {};
      } catch {
        return {};
      }
    }
    function authorization() {
      return withToken(storedHeaders()).Authorization;
    }
    const wsClient = graphqlWs.createClient({
      url: endpoint.replace(/^http/, 'ws'),
      lazy: true,
      retryAttempts: 0,
      connectionParams: () => ({ authorization: authorization() }),
    });
    const httpAndWs = GraphiQL.createFetcher({ url: endpoint, wsClient });

    // SSE (Yoga's "distinct connections" mode): a POST answered with text/event-stream, one JSON result per event.
    async function* overEventStream(params, headers) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(params),
      });
      if (!response.ok || !response.body) {
        yield await response.json().catch(() => ({ errors: [{ message: response.status + ' ' + response.statusText }] }));
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += value;
        let end;
        while ((end = buffered.indexOf('\\n\\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const lines = block.split('\\n');
          const event = (lines.find((l) => l.startsWith('event:')) || 'event: next').slice(6).trim();
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\\n');
          if (event === 'complete') return;
          if (event === 'next' && data) yield JSON.parse(data);
        }
      }
    }

    // The token of the last signUp/signIn/refreshToken answer, written into the header editor (best effort) and
    // used whenever the editor holds no real Authorization (the placeholder, or nothing).
    const TOKEN_KEY = 'plaza:token';
    function takeToken(result) {
      const data = result && result.data;
      const payload = data && (data.signUp || data.signIn || data.refreshToken);
      if (!payload || !payload.token) return;
      localStorage.setItem(TOKEN_KEY, payload.token);
      const headers = { ...storedHeaders(), Authorization: 'Bearer ' + payload.token };
      localStorage.setItem(HEADERS_KEY, JSON.stringify(headers, null, 2));
      for (const element of document.querySelectorAll('.graphiql-editor-tool .CodeMirror')) {
        const editor = element.CodeMirror;
        if (editor && /authorization/i.test(editor.getValue())) editor.setValue(JSON.stringify(headers, null, 2));
      }
    }
    function withToken(headers) {
      const key = Object.keys(headers).find((k) => k.toLowerCase() === 'authorization');
      const real = key && /^Bearer [A-Za-z0-9._~+/-]+=*$/.test(headers[key]);
      const token = localStorage.getItem(TOKEN_KEY);
      if (real || !token) return headers;
      const rest = { ...headers };
      if (key) delete rest[key];
      return { ...rest, Authorization: 'Bearer ' + token };
    }

    function fetcher(params, options) {
      const headers = withToken((options && options.headers) || {});
      const isSubscription = /^\\s*subscription\\b/m.test(params.query || '') &&
        (!params.operationName || new RegExp('subscription\\\\s+' + params.operationName + '\\\\b').test(params.query));
      if (overSse && isSubscription) return overEventStream(params, headers);
      // GraphiQL's fetcher answers a result, or (multipart HTTP, WebSocket) an async iterable of them.
      const watched = (value) => {
        if (!value || typeof value[Symbol.asyncIterator] !== 'function') return (takeToken(value), value);
        return (async function* () {
          for await (const item of value) {
            takeToken(item);
            yield item;
          }
        })();
      };
      const result = httpAndWs(params, { ...options, headers });
      return result && typeof result.then === 'function' ? result.then(watched) : watched(result);
    }

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
