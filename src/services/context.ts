/**
 * What every service verb receives: `ctx` for the call (who, when, which
 * request) and `deps` for the side effects (database, clock, ids, hashing),
 * so tests pass fakes in instead of mocking modules.
 */
import { randomFillSync } from "node:crypto";
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
const ID_BYTES = 12;
const idPool = Buffer.alloc(ID_BYTES * 341);
let poolOffset = idPool.length;

export const randomId: IdGenerator = () => {
  // Random bytes drawn 4 KB at a time: one system call per 341 ids, not per id.
  if (poolOffset + ID_BYTES > idPool.length) {
    randomFillSync(idPool);
    poolOffset = 0;
  }
  const id = idPool.toString("hex", poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return id;
};

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
