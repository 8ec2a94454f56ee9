/**
 * Lets a log line through at most once per `ms`, with how many were held back
 * since the last one. For events a hostile client can repeat at will (a
 * refused connection): one per refusal would let it flood the log, and a
 * synchronous log stream that backs up stalls the process.
 */
export function throttled(ms: number, write: (suppressed: number) => void): () => void {
  let last = -Infinity;
  let suppressed = 0;
  return () => {
    const now = Date.now();
    if (now - last < ms) {
      suppressed += 1;
      return;
    }
    last = now;
    write(suppressed);
    suppressed = 0;
  };
}
