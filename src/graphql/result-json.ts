import { type ExecutionResult, GraphQLError } from 'graphql';

/**
 * An error as a client sees it: without the `http` and `unexpected`
 * extensions Yoga and the executor keep for the server (the status to answer
 * with, whether to log), and without extensions when none are left. The same
 * shape Yoga writes over HTTP.
 */
export function publicError(error: GraphQLError): object {
  const json = error.toJSON() as { extensions?: Record<string, unknown> };
  if (!json.extensions || (!('http' in json.extensions) && !('unexpected' in json.extensions))) return json;
  const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions;
  if (Object.keys(extensions).length > 0) return { ...json, extensions };
  const { extensions: _all, ...rest } = json;
  return rest;
}

/** Errors as clients see them (`publicError`). */
export const publicErrors = (errors: readonly unknown[]) => errors.map((e) => (e instanceof GraphQLError ? publicError(e) : e));

/** A result as JSON, its errors as clients see them (`publicError`). */
export function resultJson(result: ExecutionResult): string {
  if (!result.errors?.length && !result.extensions?.http) return JSON.stringify(result);
  const { http: _http, ...extensions } = (result.extensions ?? {}) as Record<string, unknown>;
  return JSON.stringify({
    ...result,
    ...(result.errors ? { errors: publicErrors(result.errors) } : {}),
    extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
  });
}
