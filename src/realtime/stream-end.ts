import type { AppError } from '../lib/errors.ts';
import type { Delivered } from './replay-pages.ts';

/**
 * The payload of the last event a subscription gets when the server ends it
 * (its viewer lost access): delivered as a result with this error, then the
 * subscription completes. Never stored nor published: made by the instance
 * that ends the subscription.
 */
export class StreamEnd {
  readonly error: AppError;
  constructor(error: AppError) {
    this.error = error;
  }
}

/** The error that ends the subscription, when this event is its end. */
export function streamEndOf(event: unknown): AppError | null {
  const payload = (event as Partial<Delivered<unknown>> | null)?.payload;
  return payload instanceof StreamEnd ? payload.error : null;
}

/** A stored event rewritten to a tombstone (its subject was deleted): nobody is sent it. */
export const isErased = (payload: unknown): boolean => (payload as { erased?: unknown } | null)?.erased === true;
