/**
 * `check` called at most once per `ms` while it succeeds: callers meanwhile
 * share the answer being awaited, or the success given less than `ms` ago. A
 * failure is shared only while it is being found, so recovery shows at once.
 * For an endpoint anyone may call as often as they like (readiness) that
 * must not turn each call into a round trip to a dependency.
 */
export function recentAnswer<T>(ms: number, check: () => Promise<T>): () => Promise<T> {
  let last: { answer: Promise<T>; succeededAt: number | null; pending: boolean } | null = null;
  return () => {
    if (last && (last.pending || (last.succeededAt !== null && Date.now() - last.succeededAt < ms))) return last.answer;
    const entry: { answer: Promise<T>; succeededAt: number | null; pending: boolean } = { answer: check(), succeededAt: null, pending: true };
    last = entry;
    entry.answer.then(
      () => {
        entry.pending = false;
        entry.succeededAt = Date.now();
      },
      () => void (entry.pending = false),
    );
    return entry.answer;
  };
}
