import type { Plugin } from 'graphql-yoga';
import type { PersistedDocuments } from '../persisted-documents.ts';

/** Yoga's side of persisted documents (HTTP, GET included, and SSE): the document a request names, before it is parsed. */
export function usePersistedDocuments(documents: PersistedDocuments): Plugin {
  return {
    async onParams({ params, setParams }) {
      if (!documents.applies(params)) return;
      const query = await documents.resolve(params);
      if (query !== params.query) setParams({ ...params, query });
    },
  };
}
