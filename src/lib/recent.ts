/**
 * `check` called at most once per `ms`: callers meanwhile share the answer
 * being awaited, or the one given less than `ms` ago, success or failure.
 * For an endpoint anyone may call as often as they like (readiness) that
 * must not turn each call into a round trip to a dependency.
 */
export function recentAnswer<T>(ms: number, check: () => Promise<T>): () => Promise<T> {
  let last: { answer: Promise<T>; settledAt: number | null } | null = null;
  return () => {
    if (last && (last.settledAt === null || Date.now() - last.settledAt < ms)) return last.answer;
    const entry: { answer: Promise<T>; settledAt: number | null } = { answer: check(), settledAt: null };
    last = entry;
    const settled = () => void (entry.settledAt = Date.now());
    entry.answer.then(settled, settled);
    return entry.answer;
  };
}
