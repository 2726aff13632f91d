/**
 * The `Idempotency-Key` header (SPEC §1) on every method that changes
 * something. The key is claimed before the service runs (storage/idempotency.ts);
 * the service's own `db.write` stores the response in its transaction, found
 * through the async context, so no service passes anything along. A call that
 * wrote nothing and succeeded (nothing to change) stores its response after;
 * a call that answered errors changed nothing and gives its claim up.
 */
import { fail, type Issue, issue, type MethodResult, statusOf } from "../domain/errors.js";
import { METHODS, type MethodName } from "../domain/methods.js";
import { sha256 } from "../services/passwords.js";
import type { Database } from "../storage/database.js";
import {
  claimKey,
  completeKey,
  KEEP_KEYS_MS,
  KeySuperseded,
  type PendingKey,
  releaseKey,
  runIdempotently,
} from "../storage/idempotency.js";

export const IDEMPOTENCY_HEADER = "idempotency-key";

/** 1–255 visible ASCII characters. */
const VISIBLE_ASCII = /^[\x21-\x7e]{1,255}$/;

export function keyProblem(value: string | string[]): Issue | undefined {
  if (typeof value === "string" && VISIBLE_ASCII.test(value)) return undefined;
  return issue("ARG_INVALID_DATA", {
    subject: "Idempotency-Key",
    context: "one Idempotency-Key header of 1 to 255 visible ASCII characters",
  });
}

/** Every method but the reads (show…, list…) and the anonymous createSession. */
export function changesSomething(name: MethodName): boolean {
  return !METHODS[name].anonymous && !/^(show|list)/.test(name);
}

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const answer = (result: MethodResult, headers: Record<string, string> = {}): Answer => ({
  status: statusOf(result.errors),
  body: JSON.stringify(result),
  headers,
});

export interface IdempotentCall {
  caller: string;
  key: string;
  method: MethodName;
  body: unknown;
  nowMs: number;
}

export interface IdempotencyOptions {
  db: Database;
  /** how long a claim holds before another request may take it over */
  leaseMs: number;
  /** test only: a pause after the commit, before the answer (0: none) */
  holdAfterCommitMs: number;
}

export async function answerIdempotently(
  options: IdempotencyOptions,
  call: IdempotentCall,
  run: () => Promise<MethodResult>,
): Promise<Answer> {
  const { db } = options;
  const requestHash = sha256(`${call.method}\n${JSON.stringify(call.body ?? {})}`);
  const claim = await claimKey(db.q, {
    caller: call.caller,
    key: call.key,
    requestHash,
    nowMs: call.nowMs,
    leaseMs: options.leaseMs,
    keepMs: KEEP_KEYS_MS,
  });
  const subject = call.key;
  switch (claim.kind) {
    case "replay":
      return { status: claim.status, body: claim.response, headers: { "idempotent-replayed": "true" } };
    case "conflict":
      return answer(
        fail(issue("OBJECT_EXISTS", { subject, context: "the Idempotency-Key was used with another request" })),
      );
    case "running":
      return answer(
        fail(issue("INVALID_STATE", { subject, context: "a request with this Idempotency-Key is still running" })),
        { "retry-after": String(claim.retryAfterSeconds) },
      );
  }
  const owned = { caller: call.caller, key: call.key, token: claim.token };
  let storedText: string | undefined;
  const pending: PendingKey = {
    stored: false,
    async complete(trx, result) {
      const text = JSON.stringify(result);
      if (!(await completeKey(trx, owned, statusOf(result.errors), text))) throw new KeySuperseded();
      pending.stored = true;
      storedText = text;
    },
  };
  let result: MethodResult;
  try {
    result = await runIdempotently(pending, run);
  } catch (error) {
    if (!pending.stored) await releaseKey(db.q, owned);
    if (error instanceof KeySuperseded) {
      return answer(
        fail(issue("INVALID_STATE", { subject, context: "a later request with this Idempotency-Key took it over" })),
        { "retry-after": "1" },
      );
    }
    throw error;
  }
  // Test only: the committed call dies here in the crash test, before answering.
  if (options.holdAfterCommitMs > 0) await new Promise((resolve) => setTimeout(resolve, options.holdAfterCommitMs));
  if (!pending.stored) {
    if (result.errors.length > 0) await releaseKey(db.q, owned);
    else await completeKey(db.q, owned, 200, JSON.stringify(result));
  }
  return storedText === undefined ? answer(result) : { status: 200, body: storedText, headers: {} };
}
