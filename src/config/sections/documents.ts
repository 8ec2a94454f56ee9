import { z } from 'zod';
import { bool, int, section } from '../section.ts';

/** Persisted documents: Apollo's automatic persisted queries, and trusted documents from a client's manifest. */
export const documents = section(
  {
    APQ: bool.default(false).describe("Automatic persisted queries (Apollo's `persistedQuery` extension, urql's persisted exchange): a client sends a document's SHA-256 alone once it has been registered, cluster-wide in Redis"),
    APQ_TTL_SECONDS: int(60).default(86_400).describe('How long a registered document is kept after it was last registered'),
    APQ_MAX_DOCUMENT_BYTES: int(100).default(32_768).describe('Largest document a client may register'),
    PERSISTED_DOCUMENTS: z.string().trim().min(1).optional().describe("A JSON manifest `{ \"<sha256>\": \"<document>\" }` (GraphQL Code Generator's client preset, `persistedDocuments`): those documents may be sent by their hash"),
    PERSISTED_DOCUMENTS_ONLY: bool.default(false).describe('Refuse every document that is not in PERSISTED_DOCUMENTS, on every transport (PERSISTED_QUERY_ONLY)'),
  },
  {
    derive: (v) => ({ apq: v.apq, apqTtlSeconds: v.apqTtlSeconds, apqMaxDocumentBytes: v.apqMaxDocumentBytes, manifestPath: v.persistedDocuments ?? null, only: v.persistedDocumentsOnly }),
  },
);
