import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, useReadinessCheck } from 'graphql-yoga';
import { bearerToken, type TokenService } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import { type Context, type ContextDeps, createContext, type Viewer } from '../context.ts';
import { createMaskError } from '../graphql/errors.ts';
import { useSharedSubscriptionResults } from '../graphql/shared-results.ts';
import { renderPlazaGraphiQL } from './graphiql.ts';

/** What the HTTP or WebSocket layer hands Yoga; a WebSocket has already authenticated its viewer. */
export interface ServerContext {
  viewer?: Viewer | null;
}

export interface YogaDeps extends ContextDeps {
  config: Config;
  schema: GraphQLSchema;
  tokens: TokenService;
  /** Throws when a dependency (database, Redis) does not answer. */
  checkReadiness(): Promise<void>;
}

/** Limits on what a single operation may ask, applied before any resolver runs. */
export const operationLimits = {
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 10,
  maxTokens: 2_000,
  maxCost: 5_000,
};

export function createPlazaYoga(deps: YogaDeps) {
  const { config, logger } = deps;
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: operationLimits.maxDepth },
      maxAliases: { n: operationLimits.maxAliases },
      maxDirectives: { n: operationLimits.maxDirectives },
      maxTokens: { n: operationLimits.maxTokens },
      costLimit: { maxCost: operationLimits.maxCost },
      // Suggestions help while developing and map the schema for an attacker in production.
      blockFieldSuggestion: { enabled: config.isProduction },
    }) as Plugin,
    // Fan-out: one execution per event for everyone watching a channel or a section's links.
    useSharedSubscriptionResults(['productHighlighted', 'linkMetadataUpdated']),
    useReadinessCheck({
      endpoint: '/readiness',
      check: async () => {
        try {
          await deps.checkReadiness();
          return true;
        } catch (err) {
          logger.warn({ err }, 'readiness check failed');
          return false;
        }
      },
    }),
  ];
  if (config.isProduction) plugins.push(useDisableIntrospection());

  return createYoga<ServerContext, Context>({
    schema: deps.schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    logging: logger.child({ module: 'yoga' }),
    maskedErrors: { maskError: createMaskError(logger) },
    cors: {
      origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
      credentials: config.corsOrigins !== '*',
      methods: ['GET', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
    },
    graphiql: !config.isProduction,
    renderGraphiQL: renderPlazaGraphiQL,
    plugins,
    context: async ({ request, viewer }) => {
      if (viewer !== undefined) return createContext(deps, viewer);
      // Only the Authorization header carries a token; a token in the query string is ignored.
      const token = bearerToken(request.headers.get('authorization'));
      const userId = token ? await deps.tokens.verify(token) : null;
      return createContext(deps, userId ? { id: userId } : null);
    },
  });
}

export type PlazaYoga = ReturnType<typeof createPlazaYoga>;
