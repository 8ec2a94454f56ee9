import type { DocumentNode, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type Measured, measure, tooCostly, tooManyItems } from '../cost.ts';

export interface OperationCostOptions {
  /** The most an operation may cost (graphql/cost.ts). */
  maxCost: number;
  /** The most items one list argument may carry (`nodes(ids:)`). */
  maxListItems: number;
}

/**
 * Refuses an operation whose cost, computed with its variables, passes
 * `maxCost` (QUERY_TOO_COSTLY), or that gives a list argument more than
 * `maxListItems` items (BAD_USER_INPUT), before any resolver runs, on every
 * transport. A limit checked on the document alone is bypassed by writing
 * the page size as a variable: `posts(first: $n)`.
 */
export function useOperationCost({ maxCost, maxListItems }: OperationCostOptions): Plugin {
  // What an operation costs whatever its variables (they pass no page size, no list): measured once per
  // document and operation (documents come from the parse cache), not on every request.
  const fixed = new WeakMap<DocumentNode, Map<string, Measured>>();
  const refusal = (args: {
    schema: Parameters<typeof measure>[0];
    document: DocumentNode;
    variableValues?: Record<string, unknown> | null;
    operationName?: string | null;
  }): GraphQLError | null => {
    const name = args.operationName ?? '';
    let measured: Measured | null | undefined = fixed.get(args.document)?.get(name);
    if (measured === undefined) {
      measured = measure(args.schema, args.document, args.variableValues, args.operationName, maxListItems);
      if (measured && 'variable' in measured && !measured.variable) {
        const byName = fixed.get(args.document) ?? new Map<string, Measured>();
        byName.set(name, measured);
        fixed.set(args.document, byName);
      }
    }
    if (measured === null) return null;
    if ('tooLong' in measured) return tooManyItems(measured.tooLong, maxListItems);
    return measured.cost > maxCost ? tooCostly(Math.round(measured.cost), maxCost) : null;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
