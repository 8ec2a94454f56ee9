import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, execute, getOperationAST, Kind } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';

/**
 * Executes a subscription event once for every subscriber that asked the
 * same question. When thousands watch one channel, each event arrives as one
 * object for all of them; subscribers with the same document and variables
 * then share one execution result instead of running the resolvers
 * thousands of times. Only for the named root fields, whose results depend on
 * the event alone, never on who is watching.
 */
export function useSharedSubscriptionResults(fields: readonly string[]): Plugin {
  const shareable = new Set(fields);
  // event payload -> (document + variables) -> result; entries go when the event object is collected.
  const results = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();
  const documentIds = new WeakMap<object, number>();
  let nextDocumentId = 0;

  return {
    onSubscribe({ args, setSubscribeFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      const selections = operation?.selectionSet.selections ?? [];
      const only = selections.length === 1 && selections[0]?.kind === Kind.FIELD ? selections[0] : null;
      if (!only || !shareable.has(only.name.value) || only.alias) return;

      setSubscribeFn(async (subscribeArgs: ExecutionArgs) => {
        const stream = await createSourceEventStream(subscribeArgs);
        if (!isAsyncIterable(stream)) return stream;
        let documentId = documentIds.get(subscribeArgs.document);
        if (documentId === undefined) {
          documentId = nextDocumentId++;
          documentIds.set(subscribeArgs.document, documentId);
        }
        const key = `${documentId}:${subscribeArgs.operationName ?? ''}:${JSON.stringify(subscribeArgs.variableValues ?? {})}`;
        return mapAsyncIterator(stream, (payload: unknown) => {
          if (payload === null || typeof payload !== 'object') return execute({ ...subscribeArgs, rootValue: payload });
          let byQuery = results.get(payload);
          if (!byQuery) {
            byQuery = new Map();
            results.set(payload, byQuery);
          }
          let result = byQuery.get(key);
          if (!result) {
            result = execute({ ...subscribeArgs, rootValue: payload });
            byQuery.set(key, result);
          }
          return result;
        });
      });
    },
  };
}
