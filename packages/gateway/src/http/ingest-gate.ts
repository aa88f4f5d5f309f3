/**
 * Bounds the request bodies the gateway works on at once, so memory under load has a ceiling.
 *
 * Why: an ingest request holds its parsed events, their hashed LinkedIn payloads and the rows in
 * flight to the store until the commit answers, several times the size of its text. When the
 * store is the slower stage, every open connection ends up parked in that state (measured: 16
 * connections of 500-event batches kept the main heap at 140 MiB in use). A request that waits
 * here holds only its body as read: it is read (so a slow client holds a socket, never a permit) but
 * not parsed, and on the direct lane not even decoded, so its bytes wait outside the JavaScript heap.
 *
 * Permits are weighted by the body's size, granted first come first served, and one request is
 * always let through when nothing else is in flight, so a body larger than the budget still
 * proceeds. A request's weight is capped at half the budget so two large ones can overlap (one
 * parsing while the other commits).
 */
export interface IngestGate {
  /** Resolves with the release function once the request may proceed. */
  acquire(bodyBytes: number): Promise<() => void>;
  /** Bytes admitted and requests waiting, for metrics and tests. */
  state(): { inFlightBytes: number; inFlight: number; waiting: number };
}

/** The least weight of a request, so thousands of tiny requests still count for something. */
const MIN_WEIGHT = 1024;

export function permitWeight(bodyBytes: number, maxBytes: number): number {
  const half = Math.max(1, Math.floor(maxBytes / 2));
  const bytes = Number.isFinite(bodyBytes) && bodyBytes > 0 ? bodyBytes : 0;
  return Math.min(half, Math.max(MIN_WEIGHT, bytes));
}

export function createIngestGate(maxBytes: number): IngestGate {
  let inFlightBytes = 0;
  let inFlight = 0;
  const waiting: Array<{ weight: number; grant: () => void }> = [];

  const fits = (weight: number) => inFlight === 0 || inFlightBytes + weight <= maxBytes;

  function admit(weight: number): () => void {
    inFlightBytes += weight;
    inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlightBytes -= weight;
      inFlight -= 1;
      // First come, first served: a large request at the head is not overtaken by small ones.
      while (waiting.length > 0 && fits(waiting[0]!.weight)) waiting.shift()!.grant();
    };
  }

  return {
    acquire(bodyBytes) {
      const weight = permitWeight(bodyBytes, maxBytes);
      if (waiting.length === 0 && fits(weight)) return Promise.resolve(admit(weight));
      return new Promise((resolve) => {
        waiting.push({ weight, grant: () => resolve(admit(weight)) });
      });
    },
    state: () => ({ inFlightBytes, inFlight, waiting: waiting.length }),
  };
}
