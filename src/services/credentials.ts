/**
 * Verified credentials, remembered briefly so an authenticated call costs a
 * hash-map lookup instead of an scrypt and a query. Keyed by a SHA-256 of the
 * credential (never the credential itself). Anything that changes who a user
 * is or whether it may sign in (password, roles, loginEnabled, deletion, a
 * session's end) calls `forgetUser` or `forgetKey` at once.
 */
import type { Actor } from "./context.js";

interface Entry {
  actor: Actor;
  expiresAt: number;
}

export class CredentialCache {
  readonly #entries = new Map<string, Entry>();
  readonly #keysByUser = new Map<string, Set<string>>();

  constructor(
    readonly ttlMs: number,
    readonly maxEntries = 50_000,
  ) {}

  get(key: string, nowMs: number): Actor | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.forgetKey(key);
      return undefined;
    }
    return entry.actor;
  }

  set(key: string, actor: Actor, expiresAt: number): void {
    if (this.#entries.size >= this.maxEntries) this.clear();
    this.#entries.set(key, { actor, expiresAt });
    let keys = this.#keysByUser.get(actor.userId);
    if (!keys) {
      keys = new Set();
      this.#keysByUser.set(actor.userId, keys);
    }
    keys.add(key);
  }

  forgetKey(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#keysByUser.get(entry.actor.userId)?.delete(key);
  }

  forgetUser(userId: string): void {
    for (const key of this.#keysByUser.get(userId) ?? []) this.#entries.delete(key);
    this.#keysByUser.delete(userId);
  }

  clear(): void {
    this.#entries.clear();
    this.#keysByUser.clear();
  }
}
