import { type DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

// C0 controls but tab, line feed and carriage return; DEL; C1 controls. PostgreSQL refuses NUL outright.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * Refuses control characters in any string an operation carries, in its
 * variables or written into the document, before any resolver runs:
 * BAD_USER_INPUT, nothing changed, on every transport.
 */
export function useTextInputPolicy(): Plugin {
  // Documents are parsed once and cached: their literals are checked once.
  const checked = new WeakMap<DocumentNode, string | null>();
  const find = (args: { variableValues?: unknown; document: DocumentNode }) => {
    const inVariables = controlIn(args.variableValues ?? {}, 'variables');
    if (inVariables) return inVariables;
    let inDocument = checked.get(args.document);
    if (inDocument === undefined) {
      inDocument = controlInDocument(args.document);
      checked.set(args.document, inDocument);
    }
    return inDocument;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const where = find(args);
      if (where) setResultAndStopExecution({ errors: [refusal(where)] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const where = find(args);
      if (where) setResultAndStopExecution({ errors: [refusal(where)] });
    },
  };
}

const refusal = (where: string) =>
  new GraphQLError(`Text must not contain control characters (${where})`, {
    extensions: { code: 'BAD_USER_INPUT', field: where },
  });

/** The path of the first string holding a control character, or null. */
export function controlIn(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return CONTROL.test(value) ? path : null;
  if (depth > 20 || value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    const found = controlIn(inner, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

function controlInDocument(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    [Kind.STRING](node) {
      if (CONTROL.test(node.value)) {
        found = 'document';
        return false;
      }
      return undefined;
    },
  });
  return found;
}
