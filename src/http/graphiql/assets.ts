import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'graphql-yoga';

/** Where GraphiQL's page loads its scripts and styles from: Plaza itself, never a CDN. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';

const require = createRequire(import.meta.url);
const inPackage = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), file);

/** Each asset the page names, and the packaged file behind it: nothing else is served. */
const assets = new Map<string, { file: string; type: string }>([
  ['react.js', { file: inPackage('react', 'umd/react.production.min.js'), type: 'text/javascript' }],
  ['react-dom.js', { file: inPackage('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' }],
  ['graphiql.js', { file: inPackage('graphiql', 'graphiql.min.js'), type: 'text/javascript' }],
  ['graphiql.css', { file: inPackage('graphiql', 'graphiql.min.css'), type: 'text/css' }],
  ['graphql-ws.js', { file: inPackage('graphql-ws', 'umd/graphql-ws.min.js'), type: 'text/javascript' }],
]);

/** Serves GraphiQL's assets from node_modules (read once, on first request); development only, like the page. */
export function useGraphiQLAssets(): Plugin {
  const loaded = new Map<string, Buffer>();
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return;
      const asset = assets.get(url.pathname.slice(GRAPHIQL_ASSETS_PATH.length));
      if (!asset || (request.method !== 'GET' && request.method !== 'HEAD')) {
        endResponse(new fetchAPI.Response('Not Found', { status: 404 }));
        return;
      }
      let body = loaded.get(asset.file);
      if (!body) {
        body = readFileSync(asset.file);
        loaded.set(asset.file, body);
      }
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
          headers: { 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' },
        }),
      );
    },
  };
}
