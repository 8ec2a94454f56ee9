import { getOperationAST, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../../observability/metrics.ts';

function countErrors(metrics: Metrics, errors: readonly GraphQLError[] | undefined) {
  for (const error of errors ?? []) metrics.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR').slice(0, 40) });
}

/** Latency of queries and mutations by operation name, running subscriptions by root field, errors by code. */
export function useOperationMetrics(metrics: Metrics): Plugin {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      const labels = { operation: metrics.operationLabel(operation?.name?.value ?? args.operationName), type: operation?.operation ?? 'query' };
      const end = metrics.operationDuration.startTimer(labels);
      return {
        onExecuteDone({ result }) {
          end();
          if (!(Symbol.asyncIterator in result)) countErrors(metrics, result.errors);
        },
      };
    },
    onSubscribe({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      const field = operation?.selectionSet.selections.find((s) => s.kind === 'Field');
      const labels = { field: field?.kind === 'Field' ? field.name.value : 'unknown' };
      metrics.subscriptions.inc(labels);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        metrics.subscriptions.dec(labels);
      };
      return {
        onSubscribeError: end,
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in result)) {
            countErrors(metrics, result.errors);
            end();
            return undefined;
          }
          return {
            onNext({ result: next }) {
              countErrors(metrics, next.errors);
            },
            onEnd: end,
          };
        },
      };
    },
  };
}
