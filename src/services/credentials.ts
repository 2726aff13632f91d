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

/** A forgetting, told to `onForget` listeners (the event stream: other instances, open streams). */
export type Forgetting = { user: string; remote: boolean } | { key: string; remote: boolean };

export class CredentialCache {
  readonly #entries = new Map<string, Entry>();
  readonly #keysByUser = new Map<string, Set<string>>();
  /**
   * A check that began before a user was forgotten must not put the old state
   * back: each check takes a ticket first, each forgetting stamps the user, and
   * `set` refuses a ticket older than the user's stamp.
   */
  #ticks = 0;
  readonly #forgottenAt = new Map<string, number>();
  readonly #listeners = new Set<(forgetting: Forgetting) => void>();

  constructor(
    readonly ttlMs: number,
    readonly maxEntries = 50_000,
  ) {}

  get(key: string, nowMs: number): Actor | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.#drop(key);
      return undefined;
    }
    return entry.actor;
  }

  /** Take before reading what `set` will remember. */
  ticket(): number {
    this.#ticks += 1;
    return this.#ticks;
  }

  set(key: string, actor: Actor, expiresAt: number, ticket: number): void {
    if ((this.#forgottenAt.get(actor.userId) ?? 0) > ticket) return;
    if (this.#entries.size >= this.maxEntries) this.clear();
    this.#entries.set(key, { actor, expiresAt });
    let keys = this.#keysByUser.get(actor.userId);
    if (!keys) {
      keys = new Set();
      this.#keysByUser.set(actor.userId, keys);
    }
    keys.add(key);
  }

  /**
   * Listens to every forgetting, so it can reach the other instances and close
   * the streams opened with what was forgotten. `remote` marks a forgetting
   * that came from another instance (not to be sent on again).
   */
  onForget(listener: (forgetting: Forgetting) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #tell(forgetting: Forgetting): void {
    for (const listener of this.#listeners) {
      try {
        listener(forgetting);
      } catch {
        // A listener's failure must not undo or stop the forgetting.
      }
    }
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#keysByUser.get(entry.actor.userId)?.delete(key);
  }

  forgetKey(key: string, remote = false): void {
    this.#drop(key);
    this.#tell({ key, remote });
  }

  forgetUser(userId: string, remote = false): void {
    this.#ticks += 1;
    this.#forgottenAt.set(userId, this.#ticks);
    for (const key of this.#keysByUser.get(userId) ?? []) this.#entries.delete(key);
    this.#keysByUser.delete(userId);
    this.#tell({ user: userId, remote });
  }

  clear(): void {
    this.#entries.clear();
    this.#keysByUser.clear();
  }
}
