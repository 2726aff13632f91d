/**
 * What every service verb receives: `ctx` for the call (who, when, which
 * request) and `deps` for the side effects (database, clock, ids, hashing),
 * so tests pass fakes in instead of mocking modules.
 */
import { randomBytes } from "node:crypto";
import type { Config } from "../config.js";
import type { Role } from "../domain/roles.js";
import type { Database } from "../storage/database.js";
import type { CredentialCache } from "./credentials.js";
import type { PasswordHasher } from "./passwords.js";

export interface Actor {
  userId: string;
  externalId: string;
  orgId: string;
  /** the home org's path: the caller's scope is every path that starts with it */
  orgPath: string;
  roles: readonly Role[];
  /** the hash of the bearer token the call came with, if it came with one */
  sessionTokenHash?: string | undefined;
  /** when that session expires (ms since the epoch; sessions do not slide) */
  sessionExpiresMs?: number | undefined;
}

export interface Ctx {
  actor: Actor;
  now: Date;
  requestId: string;
  /** the bearer token of the call, when it came with one */
  sessionToken?: string | undefined;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type IdGenerator = () => string;

/**
 * 12 random bytes in hex: opaque and unique system-wide. Hex, because ids make
 * up org paths matched with LIKE, where `_` and `%` would be wildcards.
 */
export const randomId: IdGenerator = () => randomBytes(12).toString("hex");

export interface Deps {
  db: Database;
  config: Config;
  clock: Clock;
  newId: IdGenerator;
  passwords: PasswordHasher;
  credentials: CredentialCache;
}

export function inScope(actor: Actor, path: string): boolean {
  return path.startsWith(actor.orgPath);
}
