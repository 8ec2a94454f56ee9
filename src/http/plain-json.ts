import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError } from 'graphql';
import type { PersistedDocuments } from '../graphql/persisted-documents.ts';
import { withinLimit } from '../graphql/plugins/response-size.ts';
import { resultJson } from '../graphql/result-json.ts';
import { type PlazaYoga, requestStandIn, type ServerContext } from './yoga.ts';

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

/** A document that may ask for incremental delivery (a string literal saying "@defer" only costs it the plain path). */
const INCREMENTAL = /@(defer|stream)\b/;

const PARAM_KEYS = new Set(['query', 'variables', 'operationName', 'extensions']);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A body Yoga would take as one plain operation; anything else (a batch, an unknown key, a wrong type) is Yoga's to answer. */
function plainParams(body: unknown): Params | null {
  if (!isObject(body) || typeof body.query !== 'string') return null;
  for (const key of Object.keys(body)) if (!PARAM_KEYS.has(key)) return null;
  if (body.variables != null && !isObject(body.variables)) return null;
  if (body.operationName != null && typeof body.operationName !== 'string') return null;
  if (body.extensions != null && !isObject(body.extensions)) return null;
  return body as unknown as Params;
}

/**
 * The media type Yoga would answer with: the first the client lists, when it
 * is JSON or anything; null for whatever else (Yoga's to negotiate).
 */
function answerType(accept: string | undefined): 'application/json' | 'application/graphql-response+json' | null {
  if (accept === undefined || accept === '') return 'application/json';
  const first = accept.split(',', 1)[0]!.split(';', 1)[0]!.trim().toLowerCase();
  if (first === 'application/graphql-response+json') return first;
  if (first === 'application/json' || first === '*/*') return 'application/json';
  return null;
}

/** Whether a request may take the plain path at all, from its headers alone: a POST of JSON to /graphql that accepts a JSON answer. */
export function isPlainJsonPost(req: IncomingMessage): boolean {
  // A compressed body is Yoga's to read as it reads one: the bytes are not text to parse here.
  if (req.method !== 'POST' || req.url !== '/graphql' || req.headers['content-encoding'] !== undefined) return false;
  const type = req.headers['content-type']?.toLowerCase();
  if (type !== 'application/json' && type !== 'application/json; charset=utf-8') return false;
  return answerType(req.headers.accept) !== null;
}

/**
 * The status Yoga gives a result: the highest an error asks for
 * (`extensions.http.status`), except that a client accepting only
 * application/json gets 200 for errors the GraphQL-over-HTTP spec alone
 * would answer with a 4xx; otherwise 200, or 500 for an unexpected error
 * with no data at all.
 */
function statusOf(result: ExecutionResult, type: string): number {
  let status = 0;
  let unexpected = false;
  const legacyJson = type === 'application/json';
  for (const error of result.errors ?? []) {
    const http = error.extensions?.http as { status?: number; spec?: boolean } | undefined;
    if (http) {
      if (legacyJson && http.spec) continue;
      if (http.status && http.status > status) status = http.status;
    } else if (!(error instanceof GraphQLError) || error.originalError || error.extensions?.unexpected) {
      unexpected = true;
    }
  }
  if (status) return status;
  return unexpected && !('data' in result) ? 500 : 200;
}

/** The body as text; null when the client went away before sending all of it. */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString()));
    req.on('error', () => resolve(null));
    req.on('close', () => {
      if (!req.complete) resolve(null);
    });
  });
}

/**
 * Plain JSON queries and mutations, served through Yoga's envelop (every
 * plugin: limits, masking, timeouts, metrics, the document caches) but
 * without its HTTP layer, which costs more than the operation itself for a
 * small query: no Request/Response objects, no header maps, no body streams.
 * The answer is Yoga's: status, headers, body (test/plain-json.test.ts holds the two
 * side by side). Whatever is not the plain case (a batch, an odd body, a
 * syntax or validation error, a subscription) goes to Yoga with the body
 * already read, before anything has run, and Yoga answers it as always.
 */
export function createPlainJsonHandler(
  yoga: PlazaYoga,
  corsHeaders: (origin: string) => Record<string, string>,
  /** Past this, the answer is RESPONSE_TOO_LARGE (graphql/plugins/response-size.ts); 0 = no cap. */
  maxResponseBytes = 0,
  /** A request naming a persisted document (or any, when only those may run) is Yoga's: its plugin resolves it. */
  persistedDocuments?: PersistedDocuments,
) {
  async function viaYoga(req: IncomingMessage, res: ServerResponse, body: string, context: ServerContext): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
    const response = await yoga.fetch(`http://${req.headers.host ?? 'localhost'}${req.url}`, { method: 'POST', headers, body }, context);
    const answer = Buffer.from(await response.arrayBuffer());
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => (out[name] = value));
    // Yoga's headers as they are: a body-less refusal goes out chunked, as from Yoga's own adapter.
    res.writeHead(response.status, out);
    res.end(answer);
  }

  return async function serve(req: IncomingMessage, res: ServerResponse, context: ServerContext): Promise<void> {
    const text = await readBody(req);
    // Gone mid-body: nothing to answer, nothing to log (as Yoga lets such a request go).
    if (text === null) return void res.destroy();
    let params: Params | null = null;
    try {
      params = plainParams(JSON.parse(text));
    } catch {
      // Not JSON: Yoga's answer says so.
    }
    const type = answerType(req.headers.accept)!;
    // Incremental delivery (@defer, @stream) answers in parts: Yoga's to negotiate and write.
    if (!params || INCREMENTAL.test(params.query) || persistedDocuments?.applies(params)) return viaYoga(req, res, text, context);
    const enveloped = yoga.getEnveloped({ ...context, params, request: requestStandIn() });
    let document: DocumentNode;
    try {
      document = enveloped.parse(params.query);
      if (enveloped.validate(enveloped.schema, document).length > 0) return viaYoga(req, res, text, context);
    } catch {
      return viaYoga(req, res, text, context);
    }
    const operation = getOperationAST(document, params.operationName);
    if (!operation || operation.operation === 'subscription') return viaYoga(req, res, text, context);
    const contextValue = await enveloped.contextFactory();
    const result = (await enveloped.execute({
      schema: enveloped.schema,
      document,
      variableValues: params.variables ?? null,
      operationName: params.operationName ?? null,
      contextValue,
    })) as ExecutionResult;
    const answer = withinLimit(resultJson(result), maxResponseBytes);
    const origin = req.headers.origin;
    res.writeHead(statusOf(result, type), {
      'content-type': `${type}; charset=utf-8`,
      'content-length': String(Buffer.byteLength(answer)),
      ...(origin === undefined ? {} : corsHeaders(origin)),
    });
    res.end(answer);
  };
}
