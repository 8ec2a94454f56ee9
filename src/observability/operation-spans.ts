import { getCurrentOtelContext, useOpenTelemetry } from '@envelop/opentelemetry';
import { SpanKind, trace, type TracerProvider } from '@opentelemetry/api';
import { BREAK, type DocumentNode, print, visit } from 'graphql';

/** The attribute envelop's plugin gives an operation's document. */
const DOCUMENT = 'graphql.execute.document';

/** Each parsed document's text when a span may carry it, null when it holds literal values (a password, an address…). */
const documents = new WeakMap<DocumentNode, string | null>();

function loggable(document: DocumentNode): string | null {
  let text = documents.get(document);
  if (text !== undefined) return text;
  let literal = false;
  const found = () => {
    literal = true;
    return BREAK;
  };
  visit(document, { StringValue: found, BooleanValue: found, FloatValue: found, EnumValue: found, IntValue: found });
  text = literal ? null : print(document);
  documents.set(document, text);
  return text;
}

/**
 * Queries' and mutations' spans (envelop's OpenTelemetry plugin): named `<type>.<name>`, with the document
 * unless it has inline arguments, never the variables or the result. A subscription gets none of its own (one
 * open span per subscriber for hours, thousands of them); its events' deliveries have theirs (`deliver <topic>`).
 * The plugin would walk every operation's document to see whether it may carry it; here that is decided once
 * per parsed document (Yoga keeps them), which was half of what tracing added to a createPost.
 */
export function operationSpans(provider: TracerProvider): object {
  const { onSubscribe: _subscriptions, onExecute, ...plugin } = useOpenTelemetry(
    { resolvers: false, variables: false, result: false, document: false },
    provider,
    SpanKind.SERVER,
    {},
    'plaza',
  );
  return {
    ...plugin,
    onExecute(payload: Parameters<NonNullable<typeof onExecute>>[0]) {
      const hooks = onExecute!(payload);
      const text = loggable(payload.args.document);
      if (text !== null) trace.getSpan(getCurrentOtelContext(payload.args.contextValue))?.setAttribute(DOCUMENT, text);
      return hooks;
    },
  };
}
