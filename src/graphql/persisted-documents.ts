import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import type { Cluster, Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/** Where registered documents are kept: Redis (cluster-wide) or this process's memory. */
export interface DocumentStore {
  get(hash: string): Promise<string | null>;
  set(hash: string, document: string): Promise<void>;
}

/** What a request says about its document: its text, its hash, or both. */
export interface DocumentParams {
  query?: string | null;
  extensions?: Record<string, unknown> | null;
}

export interface PersistedDocumentsOptions {
  /** Trusted documents by their SHA-256 (a client's manifest); null for none. */
  manifest: ReadonlyMap<string, string> | null;
  /** Refuse any document the manifest does not hold. */
  only: boolean;
  /** Automatic persisted queries: register documents sent with their hash, look them up by it. */
  apq: boolean;
  store: DocumentStore;
  maxDocumentBytes: number;
}

const HASH = /^[0-9a-f]{64}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const refusal = (message: string, code: string, status: number) =>
  new GraphQLError(message, { extensions: { code, http: { status } } });

/** The message Apollo Client's and urql's persisted-query support look for before sending the document itself. */
export const NOT_FOUND = 'PersistedQueryNotFound';

/** The hash a request names (`extensions.persistedQuery.sha256Hash`, version 1), or null when it names none. */
function hashOf(params: DocumentParams): string | null {
  const persisted = params.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
  if (!persisted || typeof persisted !== 'object') return null;
  if (persisted.version !== 1 || typeof persisted.sha256Hash !== 'string' || !HASH.test(persisted.sha256Hash)) {
    throw refusal('persistedQuery must be { version: 1, sha256Hash: <64 hex digits> }', 'BAD_REQUEST', 400);
  }
  return persisted.sha256Hash;
}

/**
 * The document of a request, the same way on every transport: its own text, checked against its hash
 * when it gives one and then registered (APQ); else the document its hash names, from the manifest or
 * the registered ones. With `only`, nothing outside the manifest runs. Errors carry a code:
 * PERSISTED_QUERY_NOT_FOUND (message `PersistedQueryNotFound`: send the document with its hash),
 * PERSISTED_QUERY_NOT_SUPPORTED (neither APQ nor a manifest is on: send documents as text),
 * PERSISTED_QUERY_ONLY, PERSISTED_QUERY_HASH_MISMATCH, DOCUMENT_TOO_LARGE.
 */
export function createPersistedDocuments(options: PersistedDocumentsOptions) {
  const { manifest, only, apq, store, maxDocumentBytes } = options;
  const inManifest = (hash: string) => manifest?.get(hash) ?? null;

  return {
    /** Whether a request needs resolving at all (it names a hash, or documents are restricted). */
    applies(params: DocumentParams): boolean {
      return only || params.extensions?.persistedQuery !== undefined;
    },

    async resolve(params: DocumentParams): Promise<string> {
      const hash = hashOf(params);
      const text = typeof params.query === 'string' && params.query.length > 0 ? params.query : null;
      if (text !== null) {
        const actual = hash ?? (only ? sha256(text) : null);
        if (hash !== null && actual !== sha256(text)) throw refusal('The document does not have the hash sent with it', 'PERSISTED_QUERY_HASH_MISMATCH', 400);
        if (only && !inManifest(actual!)) throw refusal('Only the documents of the persisted manifest may run here', 'PERSISTED_QUERY_ONLY', 403);
        if (hash !== null && apq && !inManifest(hash)) {
          if (Buffer.byteLength(text) > maxDocumentBytes) throw refusal(`A document to register may have at most ${maxDocumentBytes} bytes`, 'DOCUMENT_TOO_LARGE', 413);
          await store.set(hash, text);
        }
        return text;
      }
      if (hash === null) throw refusal('The request has neither a document nor the hash of one', 'BAD_REQUEST', 400);
      // Neither APQ nor a manifest: clients (urql, Apollo) fall back to sending documents as text.
      if (!apq && !manifest) throw refusal('PersistedQueryNotSupported', 'PERSISTED_QUERY_NOT_SUPPORTED', 200);
      const known = inManifest(hash) ?? (apq && !only ? await store.get(hash) : null);
      if (known === null) throw refusal(NOT_FOUND, 'PERSISTED_QUERY_NOT_FOUND', 200);
      return known;
    },
  };
}

export type PersistedDocuments = ReturnType<typeof createPersistedDocuments>;

/** A manifest file: `{ "<sha256>": "<document>" }`, each document's hash checked. */
export function readManifest(path: string): Map<string, string> {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const manifest = new Map<string, string>();
  for (const [key, document] of Object.entries(parsed)) {
    const hash = key.replace(/^sha256:/, '');
    if (typeof document !== 'string' || sha256(document) !== hash) throw new Error(`${path}: the document under ${key} does not have that SHA-256`);
    manifest.set(hash, document);
  }
  return manifest;
}

/** Registered documents in Redis, each for `ttlSeconds` after its last registration: one key per document, cluster-safe. */
export function redisDocumentStore(redis: Redis | Cluster, ttlSeconds: number): DocumentStore {
  const key = (hash: string) => `plaza:apq:${hash}`;
  // Read often, written rarely: a small local cache in front (documents never change under a hash).
  const near = new LRUCache<string, string>({ max: 1_000 });
  return {
    async get(hash) {
      const cached = near.get(hash);
      if (cached !== undefined) return cached;
      const found = await redis.get(key(hash));
      if (found !== null) near.set(hash, found);
      return found;
    },
    async set(hash, document) {
      near.set(hash, document);
      await redis.set(key(hash), document, 'EX', ttlSeconds);
    },
  };
}

/** Registered documents in this process, bounded by bytes (without Redis: one process, or each its own). */
export function memoryDocumentStore(maxBytes: number, ttlSeconds: number): DocumentStore {
  const cache = new LRUCache<string, string>({ maxSize: maxBytes, sizeCalculation: (doc) => doc.length + 64, ttl: ttlSeconds * 1000 });
  return {
    get: async (hash) => cache.get(hash) ?? null,
    set: async (hash, document) => void cache.set(hash, document),
  };
}
