import { getOperationAST, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../../observability/metrics.ts';

function countErrors(metrics: Metrics, errors: readonly GraphQLError[] | undefined) {
  for (const error of errors ?? []) metrics.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR').slice(0, 40) });
}

/**
 * Latency of queries and mutations by operation name, and their errors by
 * code. Nothing per subscription event: running subscriptions are counted
 * from the stream hubs when metrics are scraped.
 */
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
  };
}
