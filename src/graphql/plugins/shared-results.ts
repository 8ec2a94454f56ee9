import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionNode,
  type GraphQLSchema,
  getOperationAST,
  GraphQLError,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { RequestCache } from '@pothos/plugin-scope-auth';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import { flat } from '../../lib/flat-string.ts';
import { isDivertible } from '../../lib/sink.ts';
import { encodeCursor, type StreamPosition } from '../../realtime/stream-cursor.ts';
import { streamEndOf } from '../../realtime/stream-end.ts';
import type { AppError } from '../../lib/errors.ts';
import { type DirectSend, DirectSubscription } from './direct-results.ts';

/**
 * The one root field a subscription operation selects (validation allows no
 * other), however it is written: aliased, or inside a fragment spread or an
 * inline fragment. Null when the operation is not a subscription.
 */
export function subscriptionRoot(document: DocumentNode, operationName?: string | null): FieldNode | null {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'subscription') return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const find = (selections: readonly SelectionNode[]): FieldNode | null => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.name.value.startsWith('__')) return selection;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const found = find(selection.selectionSet.selections);
        if (found) return found;
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const found = find(fragments.get(selection.name.value)?.selectionSet.selections ?? []);
        if (found) return found;
      }
    }
    return null;
  };
  return find(operation.selectionSet.selections);
}

/** The name of the subscription's root field (`subscriptionRoot`), or null when it is not a subscription. */
export const subscriptionField = (document: DocumentNode, operationName?: string | null): string | null =>
  subscriptionRoot(document, operationName)?.name.value ?? null;

/**
 * Field options for a subscription whose result is the same for the same
 * question whoever asks: its events are executed once for all viewers.
 */
export const sameForEveryViewer = { extensions: { sameForEveryViewer: true } } as const;

/**
 * Field options for a field whose value depends on who asks (`viewerHasReacted`,
 * `viewerRole`, a list filtered by the viewer's blocks). A subscription that
 * selects none of them is executed once per event for every subscriber who
 * asked the same question; one that selects any, once per viewer.
 */
export const perViewer = { extensions: { perViewer: true } } as const;

// Per document: whether it selects a field marked `perViewer` anywhere (fragments included, used or not).
const selectsPerViewer = new WeakMap<DocumentNode, boolean>();

function dependsOnViewer(schema: GraphQLSchema, document: DocumentNode): boolean {
  let known = selectsPerViewer.get(document);
  if (known === undefined) {
    known = false;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field() {
          if (typeInfo.getFieldDef()?.extensions.perViewer === true) known = true;
        },
      }),
    );
    selectsPerViewer.set(document, known);
  }
  return known;
}

/** True when the subscription root field was declared `sameForEveryViewer`. */
export function isSameForEveryViewer(schema: GraphQLSchema, field: string): boolean {
  return schema.getSubscriptionType()?.getFields()[field]?.extensions.sameForEveryViewer === true;
}

/**
 * Executes a subscription event once for every subscriber that asked the
 * same question. When thousands watch one channel, each event arrives as one
 * object for all of them; subscribers with the same document and variables
 * then share one execution result instead of running the resolvers thousands
 * of times. When the document selects a field whose value depends on who is
 * watching (`perViewer`: `viewerHasReacted`), the question includes the
 * viewer: one user's identical subscriptions, on any number of sockets, still
 * cost one execution per event. Which events reach which subscriber (blocks,
 * access) is decided before, by the stream (`Audience`): an execution shared
 * is made in the context of a subscriber the event is for.
 *
 * Where the transport takes results by push (`push` in the context: the
 * WebSocket layer) and the stream can push (`[DIVERT]`), each event goes
 * from the stream to the socket in one call per subscriber, serialised once
 * for all of them (direct-results.ts).
 */
export function useSharedSubscriptionResults({ maxBacklog }: { maxBacklog: number }): Plugin {
  // event payload -> question -> result; entries go when the event object is collected.
  const results = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();
  const documentIds = new WeakMap<object, number>();
  let nextDocumentId = 0;

  return {
    onSubscribe({ args, setSubscribeFn }) {
      const field = subscriptionField(args.document, args.operationName);
      if (!field) return;
      const shared = isSameForEveryViewer(args.schema, field) || !dependsOnViewer(args.schema, args.document);
      const viewer = shared ? '*' : ((args.contextValue as { viewer?: { id: string } | null }).viewer?.id ?? '-');

      setSubscribeFn(async (subscribeArgs: ExecutionArgs) => {
        const stream = await createSourceEventStream(subscribeArgs);
        // The scope checks made while subscribing are not kept for the subscription's whole life.
        RequestCache.clearForContext(subscribeArgs.contextValue as object);
        if (!isAsyncIterable(stream)) return stream;
        let documentId = documentIds.get(subscribeArgs.document);
        if (documentId === undefined) {
          documentId = nextDocumentId++;
          documentIds.set(subscribeArgs.document, documentId);
        }
        const variables = questionVariables(subscribeArgs.document, subscribeArgs.operationName, subscribeArgs.variableValues);
        const key = flat(`${documentId}:${viewer}:${subscribeArgs.operationName ?? ''}:${JSON.stringify(variables)}`);
        const resultOf = (payload: unknown) => {
          const end = streamEndOf(payload);
          if (end) return endResult(end);
          if (payload === null || typeof payload !== 'object') return execute({ ...subscribeArgs, rootValue: payload });
          let byQuestion = results.get(payload);
          if (!byQuestion) {
            byQuestion = new Map();
            results.set(payload, byQuestion);
          }
          let result = byQuestion.get(key);
          if (!result) {
            result = withCursor(execute({ ...subscribeArgs, rootValue: payload }), payload);
            byQuestion.set(key, result);
          }
          return result;
        };
        const push = (subscribeArgs.contextValue as { push?: DirectSend }).push;
        if (push && isDivertible(stream)) return new DirectSubscription(stream as AsyncIterator<unknown> & typeof stream, resultOf, push, maxBacklog);
        return mapAsyncIterator(stream, resultOf);
      });
    },
  };
}

// Per document: the variables that only say where a subscription resumes (its root field's `after`).
const cursorOnly = new WeakMap<DocumentNode, Set<string>>();

/**
 * The variables that make the question: all but those passed only as the
 * root field's `after`, which says where the stream starts, not what an
 * event's result is. Subscribers resuming from different cursors then share
 * each event's execution (a replay of a busy stream to a crowd is one
 * execution per event, not one per subscriber).
 */
function questionVariables(
  document: DocumentNode,
  operationName: string | null | undefined,
  values: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  if (!values) return {};
  let skip = cursorOnly.get(document);
  if (!skip) {
    skip = new Set<string>();
    const root = subscriptionRoot(document, operationName);
    if (root) {
      for (const arg of root.arguments ?? []) {
        if (arg.name.value === 'after' && arg.value.kind === Kind.VARIABLE) skip.add(arg.value.name.value);
      }
      // A variable used anywhere else too stays in the question.
      const uses = new Map<string, number>();
      visit(document, {
        VariableDefinition: () => false,
        Variable: (node) => void uses.set(node.name.value, (uses.get(node.name.value) ?? 0) + 1),
      });
      for (const name of skip) if ((uses.get(name) ?? 0) > 1) skip.delete(name);
    }
    cursorOnly.set(document, skip);
  }
  if (skip.size === 0) return values;
  return Object.fromEntries(Object.entries(values).filter(([name]) => !skip.has(name)));
}

/** The last result of a subscription the server ends (its viewer lost access): the error, no data. */
function endResult(error: AppError): ExecutionResult {
  return { data: null, errors: [new GraphQLError(error.message, { originalError: error, extensions: error.extensions })] };
}

/** Adds the event's cursor to its result as `extensions.cursor` (the SSE `id:` of the event). */
function withCursor(
  result: Promise<ExecutionResult> | ExecutionResult,
  event: object,
): Promise<ExecutionResult> | ExecutionResult {
  const { topic, key, seq } = event as Partial<StreamPosition>;
  if (typeof topic !== 'string' || typeof key !== 'string' || typeof seq !== 'number') return result;
  const cursor = encodeCursor({ topic, key, seq });
  const add = (r: ExecutionResult): ExecutionResult => ({ ...r, extensions: { ...r.extensions, cursor } });
  return result instanceof Promise ? result.then(add) : add(result);
}
