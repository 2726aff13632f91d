/**
 * Idempotency keys (SPEC §1): one row per (caller, key). A call claims its key
 * with a `pending` row and a random claim token, committed on its own before
 * the call runs, so a repeat on any instance sees that the first is running.
 * The writing transaction of the call turns its own claim into `done` with the
 * response as its last statement but the events, so the change and the
 * response it answered commit together or not at all. A claim's lease bounds
 * how long a crashed instance's pending row blocks repeats; correctness does
 * not rest on it: a call whose claim was taken over after its lease finds its
 * token gone at commit and rolls back.
 *
 * `runIdempotently` is how the one request's claim reaches `Database.write`
 * without any service passing it along: an AsyncLocalStorage that the HTTP
 * layer sets around the service call and `write` reads.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { MethodResult } from "../domain/errors.js";
import type { Schema } from "./schema.js";

export interface IdempotencyKeyTable {
  /** the calling user's id */
  caller: string;
  key: string;
  /** SHA-256 of the method and the body */
  request_hash: string;
  token: string;
  state: "pending" | "done";
  status: number | null;
  response: string | null;
  created_at: string;
  /** a pending claim may be taken over after this */
  lease_until: string;
}

/** How long a key's response is kept (SPEC §1). */
export const KEEP_KEYS_MS = 24 * 3600_000;

type Keys = { idempotency_keys: IdempotencyKeyTable };
const view = (q: Kysely<Schema>) => q.withTables<Keys>();

export async function createIdempotencyKeyTable(db: Transaction<Schema>): Promise<void> {
  await db.schema
    .createTable("idempotency_keys")
    .addColumn("caller", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("token", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("status", "integer")
    .addColumn("response", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("lease_until", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["caller", "key"])
    .execute();
  await db.schema.createIndex("idempotency_keys_created").on("idempotency_keys").column("created_at").execute();
}

export interface KeyRequest {
  caller: string;
  key: string;
  requestHash: string;
  nowMs: number;
  /** how long a pending claim holds */
  leaseMs: number;
  /** how long a row is kept (24 h) */
  keepMs: number;
}

export type Claim =
  | { kind: "claimed"; token: string }
  /** `token`: the row's, to claim it afresh when its response no longer holds (`reclaimKey`) */
  | { kind: "replay"; status: number; response: string; token: string }
  /** the key was used with another request */
  | { kind: "conflict" }
  /** the same request is running */
  | { kind: "running"; retryAfterSeconds: number };

function freshClaim(request: KeyRequest) {
  return {
    request_hash: request.requestHash,
    token: randomBytes(16).toString("hex"),
    state: "pending" as const,
    status: null,
    response: null,
    created_at: new Date(request.nowMs).toISOString(),
    lease_until: new Date(request.nowMs + request.leaseMs).toISOString(),
  };
}

/** Replaces the row whose token is `rowToken` by a fresh claim; undefined when another request changed it first. */
async function takeOver(q: Kysely<Schema>, request: KeyRequest, rowToken: string, state?: "done") {
  let update = view(q)
    .updateTable("idempotency_keys")
    .set(freshClaim(request))
    .where("caller", "=", request.caller)
    .where("key", "=", request.key)
    .where("token", "=", rowToken);
  if (state) update = update.where("state", "=", state);
  return update.returning("token").executeTakeFirst();
}

export async function claimKey(q: Kysely<Schema>, request: KeyRequest): Promise<Claim> {
  const v = view(q);
  const { caller, key, requestHash, nowMs } = request;
  const now = new Date(nowMs).toISOString();
  // Two rounds at most each lose to a concurrent claimer; then the row is settled.
  for (let round = 0; round < 3; round++) {
    const inserted = await v
      .insertInto("idempotency_keys")
      .values({ caller, key, ...freshClaim(request) })
      .onConflict((oc) => oc.columns(["caller", "key"]).doNothing())
      .returning("token")
      .executeTakeFirst();
    if (inserted) return { kind: "claimed", token: inserted.token };
    const row = await v
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("caller", "=", caller)
      .where("key", "=", key)
      .executeTakeFirst();
    if (!row) continue;
    const expired = row.created_at < new Date(nowMs - request.keepMs).toISOString();
    const abandoned = row.state === "pending" && row.lease_until < now;
    if (expired || abandoned) {
      const taken = await takeOver(q, request, row.token);
      if (taken) return { kind: "claimed", token: taken.token };
      continue;
    }
    if (row.request_hash !== requestHash) return { kind: "conflict" };
    if (row.state === "done" && row.status !== null && row.response !== null) {
      return { kind: "replay", status: row.status, response: row.response, token: row.token };
    }
    return { kind: "running", retryAfterSeconds: 1 };
  }
  return { kind: "running", retryAfterSeconds: 1 };
}

/**
 * Claims a key afresh whose stored response no longer holds (the session a
 * createSession answered has ended): compare-and-set on the token `claimKey`
 * answered with the replay, so of two repeats only one runs; the other is told
 * to retry.
 */
export async function reclaimKey(
  q: Kysely<Schema>,
  request: KeyRequest,
  rowToken: string,
): Promise<Extract<Claim, { kind: "claimed" | "running" }>> {
  const taken = await takeOver(q, request, rowToken, "done");
  return taken ? { kind: "claimed", token: taken.token } : { kind: "running", retryAfterSeconds: 1 };
}

/** Turns the claim into the stored response; false when the claim is no longer ours. */
export async function completeKey(
  q: Kysely<Schema>,
  claim: { caller: string; key: string; token: string },
  status: number,
  response: string,
): Promise<boolean> {
  const done = await view(q)
    .updateTable("idempotency_keys")
    .set({ state: "done", status, response })
    .where("caller", "=", claim.caller)
    .where("key", "=", claim.key)
    .where("token", "=", claim.token)
    .where("state", "=", "pending")
    .returning("token")
    .executeTakeFirst();
  return done !== undefined;
}

/** Gives a claim up (the call failed and changed nothing): a repeat may run. */
export async function releaseKey(q: Kysely<Schema>, claim: { caller: string; key: string; token: string }) {
  await view(q)
    .deleteFrom("idempotency_keys")
    .where("caller", "=", claim.caller)
    .where("key", "=", claim.key)
    .where("token", "=", claim.token)
    .where("state", "=", "pending")
    .execute();
}

/** Deletes the rows older than `keepMs`; answers how many. */
export async function pruneKeys(q: Kysely<Schema>, nowMs: number, keepMs: number): Promise<number> {
  const result = await view(q)
    .deleteFrom("idempotency_keys")
    .where("created_at", "<", new Date(nowMs - keepMs).toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The claim of the call running in this async context: `write` calls
 * `complete` inside its transaction, before commit, when the call succeeded.
 */
export interface PendingKey {
  /** set once the response is stored */
  stored: boolean;
  complete(trx: Kysely<Schema>, result: MethodResult<unknown>): Promise<void>;
}

const current = new AsyncLocalStorage<PendingKey>();

export function runIdempotently<T>(pending: PendingKey, run: () => Promise<T>): Promise<T> {
  return current.run(pending, run);
}

export function pendingKey(): PendingKey | undefined {
  return current.getStore();
}

/** A call whose claim was taken over (its lease ran out) must not commit. */
export class KeySuperseded extends Error {
  constructor() {
    super("the idempotency key was claimed by a later request");
  }
}
