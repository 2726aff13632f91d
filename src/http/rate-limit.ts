/**
 * A token bucket per caller: `rate` requests a second, bursts up to twice that.
 * In-process only; behind several instances each enforces its own share.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly rate: number) {}

  /** 0 when the call may go ahead, else the seconds to wait. */
  take(key: string, nowMs: number): number {
    if (this.rate <= 0) return 0;
    const capacity = this.rate * 2;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size > 100_000) this.#buckets.clear();
      bucket = { tokens: capacity, at: nowMs };
      this.#buckets.set(key, bucket);
    }
    // A wall clock stepped backwards must not take tokens away.
    const elapsedMs = Math.max(0, nowMs - bucket.at);
    bucket.tokens = Math.min(capacity, bucket.tokens + (elapsedMs / 1000) * this.rate);
    bucket.at = Math.max(bucket.at, nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }
}
