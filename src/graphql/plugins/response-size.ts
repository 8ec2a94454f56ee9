import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The answer given instead of one past `maxBytes`: an error with a code, no data. */
export function tooLargeJson(maxBytes: number): string {
  return JSON.stringify({
    data: null,
    errors: [
      {
        message: `The answer would be larger than ${maxBytes} bytes: ask for smaller pages or fewer fields.`,
        extensions: { code: 'RESPONSE_TOO_LARGE', maxBytes },
      },
    ],
  });
}

/** `json` when it fits in `maxBytes` (0: no limit), else the RESPONSE_TOO_LARGE answer. */
export function withinLimit(json: string, maxBytes: number): string {
  // A UTF-16 unit is one to three bytes: only a long string needs counting.
  if (maxBytes <= 0 || json.length * 3 <= maxBytes) return json;
  return json.length > maxBytes || Buffer.byteLength(json) > maxBytes ? tooLargeJson(maxBytes) : json;
}

type Serializable = ExecutionResult & { stringify?: (result: ExecutionResult) => string };

/**
 * Answers a query or mutation whose JSON would pass `maxBytes` with
 * RESPONSE_TOO_LARGE instead of sending it, on Yoga's HTTP path (the plain
 * JSON path checks its own answer, http/plain-json.ts). The result is
 * serialized once, by the stringifier Yoga's result processor takes from it.
 */
export function useResponseSizeLimit(maxBytes: number): Plugin {
  const stringify = (result: ExecutionResult) => withinLimit(JSON.stringify(result), maxBytes);
  return {
    onResultProcess({ result }) {
      if (maxBytes <= 0) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        if (!(Symbol.asyncIterator in (one as object))) (one as Serializable).stringify = stringify;
      }
    },
  };
}
