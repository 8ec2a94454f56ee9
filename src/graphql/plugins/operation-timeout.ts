import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Answers a query or mutation that runs longer than `ms` with TIMEOUT, so a
 * slow operation cannot hold a client's request open indefinitely. Its
 * resolvers are not interrupted: a mutation that times out may still be
 * applied. Subscriptions are long-lived by design and not timed.
 */
export function useOperationTimeout(ms: number): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      if (ms <= 0) return;
      setExecuteFn((args) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise((resolve) => {
          timer = setTimeout(
            () =>
              resolve({
                errors: [
                  new GraphQLError(`The operation took longer than ${ms} ms`, { extensions: { code: 'TIMEOUT' } }),
                ],
              }),
            ms,
          );
        });
        return Promise.race([Promise.resolve(executeFn(args)), timeout]).finally(() => clearTimeout(timer)) as ReturnType<
          typeof executeFn
        >;
      });
    },
  };
}
