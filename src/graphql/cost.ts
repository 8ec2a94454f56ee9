import {
  type ComplexityEstimator,
  type ComplexityEstimatorArgs,
  getComplexity,
} from 'graphql-query-complexity';
import { type DocumentNode, getNullableType, GraphQLError, type GraphQLSchema, isListType, Kind } from 'graphql';

/**
 * How a field counts in an operation's cost, set in its `extensions.cost`
 * by the module that defines it. Every field costs its `weight` plus its
 * children's cost times how many items it returns: a paged field's
 * `first`/`last` (its `pageMax` when not given), the length of a list
 * argument it resolves item by item (`node(ids:)`), else its `size`.
 */
export interface FieldCost {
  /** What the field itself costs, about one per kilobyte it may return; default 1. */
  weight?: number;
  /** The most items a list field returns (or is assumed to); default DEFAULT_LIST_SIZE. */
  size?: number;
  /** The largest `first`/`last` a paged field takes: its cost when the client gives none. */
  pageMax?: number;
  /** The list argument whose length is the number of items (`ids`). */
  itemsFrom?: string;
}

/** A list field that says nothing of its size is taken to return this many. */
export const DEFAULT_LIST_SIZE = 10;
/** A paged field that says nothing of its largest page. */
const DEFAULT_PAGE_MAX = 100;

/** The `extensions` of a field that costs `cost`, for Pothos field options. */
export const costOf = (cost: FieldCost) => ({ extensions: { cost } });

const costIn = (extensions: unknown): FieldCost => ((extensions as { cost?: FieldCost } | undefined)?.cost ?? {});

/** How many items a field stands for in the cost (1 for a single object). */
function itemsOf({ field, args }: ComplexityEstimatorArgs): number {
  const cost = costIn(field.extensions);
  if (cost.itemsFrom) {
    const list = args[cost.itemsFrom];
    return Array.isArray(list) ? list.length : 0;
  }
  const names = field.args.map((a) => a.name);
  if (names.includes('first') || names.includes('last')) {
    const page = args.first ?? args.last;
    return typeof page === 'number' && page >= 0 ? page : (cost.pageMax ?? DEFAULT_PAGE_MAX);
  }
  // A connection's edges are its page, already counted at the connection.
  if (field.name === 'edges') return 1;
  return isListType(getNullableType(field.type)) ? (cost.size ?? DEFAULT_LIST_SIZE) : 1;
}

/**
 * What `measure` finds: the cost, and whether it depends on the variables'
 * values (a page size or a list passed in a variable, a directive's
 * condition); or the list argument past the most items one may carry.
 */
export type Measured = { cost: number; variable: boolean } | { tooLong: { field: string; argument: string; length: number } };

/** Whether an argument's value, read from a variable, can change the cost. */
function countsFromVariable(options: ComplexityEstimatorArgs): boolean {
  const counting = new Set(['first', 'last', costIn(options.field.extensions).itemsFrom]);
  for (const argument of options.node.arguments ?? []) {
    if (argument.value.kind !== Kind.VARIABLE) continue;
    const definition = options.field.args.find((a) => a.name === argument.name.value);
    if (counting.has(argument.name.value) || (definition && isListType(getNullableType(definition.type)))) return true;
  }
  return (options.node.directives ?? []).some((d) => d.arguments?.some((a) => a.value.kind === Kind.VARIABLE));
}

/**
 * The cost of the operation that `variables` run, computed with their values
 * (a page size passed in a variable counts as written in the document), or
 * the first field argument carrying more than `maxListItems` items. Null when
 * it cannot be computed: the variables do not fit the operation, which
 * execution then refuses on its own.
 */
export function measure(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
  maxListItems: number,
): Measured | null {
  let tooLong: { field: string; argument: string; length: number } | null = null;
  let variable = false;
  const estimator: ComplexityEstimator = (options) => {
    for (const [argument, value] of Object.entries(options.args)) {
      if (Array.isArray(value) && value.length > maxListItems && !tooLong) tooLong = { field: options.field.name, argument, length: value.length };
    }
    variable ||= countsFromVariable(options);
    const weight = costIn(options.field.extensions).weight ?? 1;
    return weight + itemsOf(options) * options.childComplexity;
  };
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [estimator],
    });
  } catch {
    return null;
  }
  return tooLong ? { tooLong } : { cost, variable };
}

export const tooCostly = (cost: number, max: number) =>
  new GraphQLError(
    `This operation would cost ${cost}, more than the ${max} one operation may: ask for smaller pages or fewer fields.`,
    { extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost: max } },
  );

export const tooManyItems = ({ field, argument, length }: { field: string; argument: string; length: number }, max: number) =>
  new GraphQLError(`${field}(${argument}:) takes at most ${max} items; it was given ${length}.`, {
    extensions: { code: 'BAD_USER_INPUT', field: argument },
  });
