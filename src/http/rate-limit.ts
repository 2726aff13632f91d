/**
 * A token bucket per key: `rate` tokens a second, up to `burst` banked.
 * In-process only; behind several instances each enforces its own share.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly rate: number,
    readonly burst = rate * 2,
  ) {}

  #refill(key: string, nowMs: number): { tokens: number; at: number } {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size > 100_000) this.#buckets.clear();
      bucket = { tokens: this.burst, at: nowMs };
      this.#buckets.set(key, bucket);
    }
    // A wall clock stepped backwards must not take tokens away.
    const elapsedMs = Math.max(0, nowMs - bucket.at);
    bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsedMs / 1000) * this.rate);
    bucket.at = Math.max(bucket.at, nowMs);
    return bucket;
  }

  #wait(tokens: number): number {
    return Math.max(1, Math.ceil((1 - tokens) / this.rate));
  }

  /** 0 when the call may go ahead (and a token is spent), else the seconds to wait. */
  take(key: string, nowMs: number): number {
    if (this.rate <= 0) return 0;
    const bucket = this.#refill(key, nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return this.#wait(bucket.tokens);
  }

  /** Like `take`, without spending: the seconds to wait, or 0. */
  peek(key: string, nowMs: number): number {
    if (this.rate <= 0) return 0;
    const bucket = this.#refill(key, nowMs);
    return bucket.tokens >= 1 ? 0 : this.#wait(bucket.tokens);
  }
}
