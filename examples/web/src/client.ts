import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient as createWsClient } from 'graphql-ws';

/** Where Plaza is: `?plaza=` in the address, else VITE_PLAZA_URL, else a local `npm start`. */
export const plazaUrl =
  new URLSearchParams(location.search).get('plaza') ?? import.meta.env.VITE_PLAZA_URL ?? 'http://localhost:4000/graphql';

/**
 * Operations by hash only (`?persisted=1`, or VITE_PERSISTED_DOCUMENTS=true): for a Plaza started with this app's
 * manifest, `PERSISTED_DOCUMENTS=examples/web/src/gql/persisted-documents.json PERSISTED_DOCUMENTS_ONLY=true`.
 */
const persisted = new URLSearchParams(location.search).get('persisted') === '1' || import.meta.env.VITE_PERSISTED_DOCUMENTS === 'true';

export interface Session {
  token: string;
  userId: string;
  username: string;
}

const KEY = 'plaza-example:session';
export const loadSession = (): Session | null => JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
export const saveSession = (session: Session | null) =>
  session ? localStorage.setItem(KEY, JSON.stringify(session)) : localStorage.removeItem(KEY);

/** The SHA-256 codegen's client preset recorded on a document (`__meta__.hash`, "sha256:<hex>"). */
function documentHash(document: unknown): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error('an operation without a persisted hash: run npm run codegen in examples/web');
  return hash.replace(/^sha256:/, '');
}

/**
 * One urql client per session: queries and mutations over HTTP with the
 * token as a header, subscriptions over graphql-ws with it as
 * `connectionParams.authorization` (browsers cannot set WebSocket headers).
 */
export function createPlazaClient(session: Session | null): Client {
  const authorization = session ? `Bearer ${session.token}` : undefined;
  const ws = createWsClient({
    url: plazaUrl.replace(/^http/, 'ws'),
    connectionParams: { authorization },
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
  });
  return new Client({
    url: plazaUrl,
    fetchOptions: (): RequestInit => ({ headers: authorization ? { authorization } : {} }),
    exchanges: [
      cacheExchange,
      // Trusted documents: every operation goes by the hash codegen gave it (src/gql/persisted-documents.json),
      // never as text; subscriptions too, over graphql-ws.
      ...(persisted
        ? [
            persistedExchange({
              enforcePersistedQueries: true,
              enableForMutation: true,
              enableForSubscriptions: true,
              generateHash: async (_query, document) => documentHash(document),
            }),
          ]
        : []),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
}
