import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../logger.ts';

/**
 * Expected failures (AppError) reach the client with `extensions.code`;
 * anything else is logged and masked as "Unexpected error.".
 */
export function createMaskError(logger: Logger) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    const app = findAppError(original);
    if (app) {
      const located = error instanceof GraphQLError ? error : undefined;
      return new GraphQLError(app.message, {
        ...(located?.nodes ? { nodes: located.nodes } : {}),
        ...(located?.path ? { path: located.path } : {}),
        extensions: { code: app.code, ...app.extensions },
      });
    }
    // Errors graphql-js raised about the request itself (bad variables, validation) are the client's to see.
    if (error instanceof GraphQLError && !error.originalError) return error;
    logger.error({ err: original, path: error instanceof GraphQLError ? error.path : undefined }, 'unexpected error');
    return yogaMaskError(error, message, isDev);
  };
}

function findAppError(error: unknown): AppError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current instanceof AppError) return current;
    current =
      (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return null;
}
