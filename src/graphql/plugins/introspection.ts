import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses `__schema` and `__type` in validation, so HTTP, SSE and WebSocket
 * all refuse them alike (Yoga's own plugin keys on the HTTP request and let
 * WebSocket operations through). `__typename` stays allowed.
 */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
