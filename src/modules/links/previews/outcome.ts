import { FetchError } from '../fetch-errors.ts';
import type { LinkMetadataJson } from '../tables.ts';
import { BlockedUrlError } from '../url-policy.ts';

/**
 * A preview's result as plain data, the form it crosses back from a worker
 * thread in: errors lose their class on the way, so the two that decide a
 * link's fate (blocked, and a fetch's permanent or transient failure) travel
 * as fields and are made again on the other side.
 */
export type PreviewOutcome =
  | { metadata: LinkMetadataJson }
  | { blocked: string }
  | { failed: { kind: FetchError['kind']; message: string; retryAfterSeconds: number | undefined } };

/** The outcome of a preview that resolved or threw one of the link errors; anything else is thrown on. */
export async function outcomeOf(preview: Promise<LinkMetadataJson>): Promise<PreviewOutcome> {
  try {
    return { metadata: await preview };
  } catch (err) {
    if (err instanceof BlockedUrlError) return { blocked: err.message };
    if (err instanceof FetchError) return { failed: { kind: err.kind, message: err.message, retryAfterSeconds: err.retryAfterSeconds } };
    throw err;
  }
}

/** The preview again: its metadata, or its error made again. */
export function fromOutcome(outcome: PreviewOutcome): LinkMetadataJson {
  if ('metadata' in outcome) return outcome.metadata;
  if ('blocked' in outcome) throw new BlockedUrlError(outcome.blocked);
  throw new FetchError(outcome.failed.kind, outcome.failed.message, outcome.failed.retryAfterSeconds);
}
