import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';

/** Where Plaza is: `?plaza=` in the address, else VITE_PLAZA_URL, else a local `npm start`. */
export const plazaUrl =
  new URLSearchParams(location.search).get('plaza') ?? import.meta.env.VITE_PLAZA_URL ?? 'http://localhost:4000/graphql';

export interface Session {
  token: string;
  userId: string;
  username: string;
}

const KEY = 'plaza-example:session';
export const loadSession = (): Session | null => JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
export const saveSession = (session: Session | null) =>
  session ? localStorage.setItem(KEY, JSON.stringify(session)) : localStorage.removeItem(KEY);

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
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
}
