import SchemaBuilder from '@pothos/core';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError, Kind } from 'graphql';
import type { Context } from './context.ts';
import { AppError, notFound } from '../lib/errors.ts';

/** Configures the builder only: plugins, scalars and root types. Domain types live in modules/. */
export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { authenticated: boolean };
  Scalars: { DateTime: { Input: Date; Output: Date } };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({ authenticated: ctx.viewer !== null }),
    // Subscriptions are authorized when they start and again for every event.
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, ctx) =>
      ctx.viewer
        ? new AppError('FORBIDDEN', 'You may not do this')
        : new AppError('UNAUTHENTICATED', 'You must be signed in'),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    // A malformed id names nothing: NOT_FOUND rather than an unexplained error.
    decodeGlobalID: (globalID) => {
      try {
        return decodeGlobalID(globalID);
      } catch {
        throw notFound('Node');
      }
    },
    nodeQueryOptions: { authScopes: { authenticated: true } },
    // Each id is resolved on its own: the list's length is the number of items in the cost (graphql/cost.ts).
    nodesQueryOptions: { authScopes: { authenticated: true }, extensions: { cost: { itemsFrom: 'ids' } } },
  },
});

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date and time in UTC, e.g. 2026-01-31T12:00:00.000Z.',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
  return date;
}

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** Field options every operation but signUp/signIn carries. */
export const signedIn = { authScopes: { authenticated: true } } as const;
