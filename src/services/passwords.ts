/**
 * Slow, salted password hashes (scrypt from node:crypto, no native dependency)
 * and fast token hashes. The hash string carries its own parameters, so the
 * cost can be raised later without invalidating stored hashes.
 *
 * scrypt runs on libuv's threadpool, off the event loop, but libuv serves its
 * queue first come first served: a createUsers that submits 1,000 hashes at
 * once puts every sign-in behind all of them (measured: ~27 s). So no scrypt
 * is submitted directly: a `HashQueue` keeps at most one per core running and
 * starts sign-in verifications before any queued bulk hash. A worker_threads
 * pool was the alternative; it would add a message round trip per hash and
 * threads of its own for the same scheduling, which is all that was missing.
 */
import { hash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { availableParallelism } from "node:os";

/**
 * `interactive`: someone is waiting to sign in (a Basic call, createSession);
 * `bulk`: hashes of provisioning calls (createUsers, resetPassword…).
 */
export type HashPriority = "interactive" | "bulk";

export interface PasswordHasher {
  /** `priority` defaults to bulk */
  hash(password: string, priority?: HashPriority): Promise<string>;
  /** `priority` defaults to interactive */
  verify(password: string, stored: string, priority?: HashPriority): Promise<boolean>;
  /**
   * A 32-byte key from a password, at the cost of a hash (`interactive`): with
   * `params` (salt and cost) of an earlier derivation, the same key again;
   * without, a fresh salt. Seals what only the password's holder may read back.
   */
  deriveKey(password: string, params?: string): Promise<{ key: Buffer; params: string }>;
  /**
   * A stored hash at this hasher's cost that no password matches: an unknown
   * login is checked against it, so it costs the time of a wrong password.
   */
  readonly unusable: string;
}

/**
 * Runs tasks at most `slots` at a time, interactive ones first, each class in
 * arrival order. Interactive tasks may also use `extraInteractive` slots more,
 * so a sign-in starts at once even while every regular slot hashes for a bulk
 * call: it shares the cores for ~30 ms instead of waiting for a hash to end.
 */
export class HashQueue {
  readonly #waiting: Record<HashPriority, (() => void)[]> = { interactive: [], bulk: [] };
  #running = 0;

  constructor(
    readonly slots = availableParallelism(),
    readonly extraInteractive = 1,
  ) {}

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.interactive.length + this.#waiting.bulk.length;
  }

  run<T>(priority: HashPriority, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.#running += 1;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.#running -= 1;
            this.#next();
          });
      };
      this.#waiting[priority].push(start);
      this.#next();
    });
  }

  #next(): void {
    for (;;) {
      const interactive = this.#waiting.interactive[0];
      if (interactive && this.#running < this.slots + this.extraInteractive) {
        this.#waiting.interactive.shift();
        interactive();
        continue;
      }
      const bulk = this.#waiting.bulk[0];
      if (bulk && this.#running < this.slots) {
        this.#waiting.bulk.shift();
        bulk();
        continue;
      }
      return;
    }
  }
}

function scryptAsync(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `cost` is scrypt's N (a power of two); 16384 by default, tests use less. */
export function scryptHasher(cost = 16384, queue = new HashQueue()): PasswordHasher {
  const encode = (salt: Buffer, key: Buffer) =>
    `scrypt$${cost}$${salt.toString("base64url")}$${key.toString("base64url")}`;
  return {
    async hash(password, priority = "bulk") {
      const salt = randomBytes(16);
      const key = await queue.run(priority, () => scryptAsync(password, salt, cost));
      return encode(salt, key);
    },
    async verify(password, stored, priority = "interactive") {
      const [scheme, costText, saltText, keyText] = stored.split("$");
      if (scheme !== "scrypt" || !costText || !saltText || !keyText) return false;
      const expected = Buffer.from(keyText, "base64url");
      const salt = Buffer.from(saltText, "base64url");
      const actual = await queue.run(priority, () => scryptAsync(password, salt, Number(costText)));
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
    async deriveKey(password, params) {
      let at = cost;
      let salt = randomBytes(16);
      if (params !== undefined) {
        const [scheme, costText, saltText] = params.split("$");
        if (scheme !== "scrypt" || !saltText || !/^\d+$/.test(costText ?? "")) throw new Error("not scrypt parameters");
        at = Number(costText);
        salt = Buffer.from(saltText, "base64url");
      }
      const key = await queue.run("interactive", () => scryptAsync(password, salt, at));
      return { key, params: `scrypt$${at}$${salt.toString("base64url")}` };
    },
    // A random key: the chance that some password derives it is 2^-256.
    unusable: encode(randomBytes(16), randomBytes(32)),
  };
}

/** SHA-256 in base64url: the one-shot `crypto.hash` (no Hash object), under half the cost on every call's credential. */
export function sha256(text: string): string {
  return hash("sha256", text, "base64url");
}

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}
