import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError, type YogaLogger } from 'graphql-yoga';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { AppError, serviceUnavailable } from '../lib/errors.ts';
import type { Logger } from '../logger.ts';

const databaseUnavailable = serviceUnavailable('The database');

/** The code given to a request error that carries none, by its HTTP status (limits raised while parsing carry none). */
function requestErrorCode(extensions: Record<string, unknown>): string {
  const status = (extensions.http as { status?: number } | undefined)?.status;
  if (status === 403) return 'FORBIDDEN';
  if (status !== undefined && status >= 400 && status < 500 && status !== 400) return 'BAD_REQUEST';
  return 'GRAPHQL_VALIDATION_FAILED';
}

/**
 * Expected failures (AppError) reach the client with `extensions.code`;
 * errors about the request itself (syntax, validation, limits) too, always
 * with a code and never with what Yoga copies of the body; anything else is
 * masked as "Unexpected error.". Yoga logs every error this replaces, through
 * `yogaLogger`, which keeps the expected ones out of the error log.
 */
export function createMaskError({ isProduction = false }: { isProduction?: boolean } = {}) {
  const requestError = isProduction ? (error: GraphQLError) => asRequestError(withoutEcho(error)) : asRequestError;
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    const app = findAppError(original);
    if (app) {
      // A fresh error without originalError: Yoga then treats it as the client's (HTTP 200, not 500).
      const located = error instanceof GraphQLError ? error : undefined;
      return new GraphQLError(app.message, {
        ...(located?.nodes ? { nodes: located.nodes } : {}),
        ...(located?.path ? { path: located.path } : {}),
        extensions: app.extensions,
      });
    }
    if (isRequestError(error)) return requestError(error);
    return yogaMaskError(error, message, isDev);
  };
}

/**
 * A request error as production tells it: what is wrong and where, without
 * the values the client sent (graphql-js writes a variable's whole value into
 * its message) and without suggestions of what the schema holds.
 */
export function withoutEcho(error: GraphQLError): GraphQLError {
  const reason = error.originalError instanceof GraphQLError ? error.originalError.message : null;
  const message = publicMessage(error.message, reason);
  if (message === error.message) return error;
  return new GraphQLError(message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions: error.extensions,
  });
}

/**
 * `Variable "$i" got invalid value {…} at "i.x"; <reason>` -> `Variable "$i"
 * got an invalid value at "i.x"; <reason without the value>`, and no `Did you
 * mean …?` anywhere. `reason` is the coercion's own error (what graphql-js
 * puts after the value): the value is cut out by position, whatever it holds.
 */
export function publicMessage(message: string, reason: string | null = null): string {
  const variable = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" got invalid value /.exec(message);
  if (!variable || reason === null || !message.endsWith(`; ${reason}`)) return withoutSuggestions(withoutValue(message));
  const name = variable[1]!;
  const valueAndPath = message.slice(variable[0].length, message.length - reason.length - 2);
  // The path, when there is one, ends the part before the reason: ` at "<name>…"` (the printed value escapes its quotes).
  const path = new RegExp(` at "(${name}[^"]*)"$`).exec(valueAndPath)?.[1];
  return `Variable "$${name}" got an invalid value${path ? ` at "${path}"` : ''}; ${withoutSuggestions(withoutValue(reason))}`;
}

const withoutSuggestions = (text: string) => text.replace(/\s*Did you mean [^?]*\?/g, '');

/**
 * graphql-js's reasons without the value they quote: `Int cannot represent
 * non-integer value: "abc"` -> `Int cannot represent non-integer value`;
 * `Value "X" does not exist in "E" enum.`; `Expected value of type "Int", found "abc".`
 */
const withoutValue = (reason: string) =>
  reason
    .replace(/(cannot represent[^:]*): .*$/s, '$1')
    .replace(/(Expected type "[^"]+")\. .*$/s, '$1.')
    .replace(/^Value .* does not exist in ("[^"]+" enum)\.?/s, 'The value does not exist in $1.')
    .replace(/(Expected value of type "[^"]+"), found .*$/s, '$1.');

/** A request error with a code and nothing echoed from the request (Yoga puts a JSON parser's message there). */
export function asRequestError(error: GraphQLError): GraphQLError {
  const { originalError: _echo, ...extensions } = error.extensions as Record<string, unknown>;
  if (typeof extensions.code === 'string' && _echo === undefined) return error;
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions: { code: requestErrorCode(extensions), ...extensions },
  });
}

/**
 * graphql-js's own errors about the request: syntax, validation, and a
 * variable the schema cannot take (which carries the scalar's own error as
 * its original, and no path: nothing ran).
 */
function isRequestError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  return !error.originalError || (error.path === undefined && error.originalError instanceof GraphQLError && !error.originalError.originalError);
}

/** True for what a client caused: an AppError anywhere in the chain, or graphql-js's own request errors. */
export function isExpectedError(error: unknown): boolean {
  if (findAppError(error)) return true;
  return isRequestError(error);
}

/**
 * Yoga's logger: expected errors (a client's mistake, a refused request) at
 * debug without a stack, so bad requests cannot flood the log; anything else
 * at error with its stack.
 */
export function yogaLogger(logger: Logger): YogaLogger {
  // Yoga logs at debug on every request: nothing is built unless the level is on.
  const at = (level: 'debug' | 'info' | 'warn') => (...args: unknown[]) => {
    if (logger.isLevelEnabled(level)) logger[level]({ args: args.map(String) }, 'yoga');
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: (...args: unknown[]) => {
      const [first] = args;
      if (isExpectedError(first)) {
        const code = findAppError(first)?.code ?? (first as GraphQLError).extensions?.code;
        logger.debug({ code, message: (first as Error).message }, 'request refused');
        return;
      }
      const path = first instanceof GraphQLError ? first.path : undefined;
      const err = first instanceof GraphQLError ? (first.originalError ?? first) : first;
      logger.error({ err, path }, 'unexpected error');
    },
  };
}

function findAppError(error: unknown): AppError | null {
  // The database gone for a moment (a restart, a failover) is a condition clients handle, not a bug: they retry.
  if (isDatabaseUnavailable(error)) return databaseUnavailable;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current instanceof AppError) return current;
    current =
      (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return null;
}
