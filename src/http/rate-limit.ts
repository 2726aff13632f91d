import { normalizeLogin } from "../domain/text.js";

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

/**
 * Failed sign-ins (a Basic call or createSession with a wrong password, an
 * unknown login…), throttled so that guessing cannot lock out bystanders.
 * `limit` is the failures a minute one login may take from everywhere. Three
 * buckets, each spent by a failure and checked before the (slow) check:
 * - (address, login), a third of `limit`: one address guessing one password;
 * - login, `limit`: one password guessed from many addresses;
 * - address, ten times `limit`: one address trying many logins.
 * A login that signed in from an address recently (`trusted`) is judged by its
 * own (address, login) bucket only, so neither a spray from its address nor a
 * guess at its password from elsewhere keeps its user out. Anyone else behind
 * a guessing address still signs in until the loose address bucket is spent.
 */
export class SignInThrottle {
  readonly #pair: RateLimiter;
  readonly #login: RateLimiter;
  readonly #address: RateLimiter;
  readonly #trusted = new Map<string, number>();

  constructor(
    readonly limit: number,
    readonly trustMs = 24 * 3600_000,
  ) {
    const bucket = (failures: number) => new RateLimiter(failures / 60, failures);
    this.#pair = bucket(Math.max(1, Math.ceil(limit / 3)));
    this.#login = bucket(limit);
    this.#address = bucket(limit * 10);
  }

  #isTrusted(pair: string, nowMs: number): boolean {
    const until = this.#trusted.get(pair);
    return until !== undefined && until > nowMs;
  }

  /** 0 when a sign-in as `login` from `address` may be checked, else the seconds to wait. */
  wait(address: string, login: string, nowMs: number): number {
    if (this.limit <= 0) return 0;
    const pair = `${address}\u0000${login}`;
    const own = this.#pair.peek(pair, nowMs);
    if (this.#isTrusted(pair, nowMs)) return own;
    return Math.max(own, this.#login.peek(login, nowMs), this.#address.peek(address, nowMs));
  }

  failed(address: string, login: string, nowMs: number): void {
    if (this.limit <= 0) return;
    const pair = `${address}\u0000${login}`;
    this.#pair.take(pair, nowMs);
    if (this.#isTrusted(pair, nowMs)) return;
    this.#login.take(login, nowMs);
    this.#address.take(address, nowMs);
  }

  succeeded(address: string, login: string, nowMs: number): void {
    if (this.limit <= 0) return;
    if (this.#trusted.size > 100_000) this.#trusted.clear();
    this.#trusted.set(`${address}\u0000${login}`, nowMs + this.trustMs);
  }
}

/**
 * The login a call signs in with, when it signs in with a password: from a
 * Basic header, or createSession's externalId. Bearer tokens are not guessable
 * and are not throttled here.
 */
export function signInLogin(method: string, authorization: string | undefined, body: unknown): string | undefined {
  if (method === "createSession") {
    const externalId = body && typeof body === "object" ? (body as { externalId?: unknown }).externalId : undefined;
    return typeof externalId === "string" ? loginKey(externalId) : undefined;
  }
  const match = authorization ? /^basic\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return loginKey(colon < 0 ? decoded : decoded.slice(0, colon));
}

/** Spellings of one login share a bucket. */
function loginKey(externalId: string): string {
  return normalizeLogin(externalId) ?? externalId.trim().toLowerCase();
}
