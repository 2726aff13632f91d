/**
 * The `Idempotency-Key` header (SPEC §1) on every method that changes
 * something. The key is claimed before the service runs (storage/idempotency.ts);
 * the service's own `db.write` stores the response in its transaction, found
 * through the async context, so no service passes anything along. A call that
 * wrote nothing and succeeded (nothing to change) stores its response after;
 * a call that answered errors changed nothing and gives its claim up.
 * A method whose response holds a secret (createSession's token) stores it in
 * a form of its own (`StoredForm`), opened again on a replay.
 */
import { fail, type Issue, issue, type MethodResult, statusOf } from "../domain/errors.js";
import type { MethodName } from "../domain/methods.js";
import { sha256 } from "../services/passwords.js";
import type { Database } from "../storage/database.js";
import {
  claimKey,
  completeKey,
  KEEP_KEYS_MS,
  KeySuperseded,
  type PendingKey,
  reclaimKey,
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

/**
 * Every method but the reads (show…, list…). The anonymous createSession too,
 * though its caller is known only once the password is checked: it takes its
 * own path (http/session-idempotency.ts).
 */
export function changesSomething(name: MethodName): boolean {
  return !/^(show|list)/.test(name);
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

/**
 * How a method's successful response is kept and given back, when its JSON
 * must not be stored as it is (it holds a secret).
 */
export interface StoredForm {
  /** the text kept for a result; runs inside the writing transaction, so it does not wait */
  seal(result: MethodResult): string;
  /** the kept text as the replay's body, or undefined when it no longer holds: the call runs as new */
  open(text: string): Promise<string | undefined>;
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
  form?: StoredForm,
): Promise<Answer> {
  const { db } = options;
  const requestHash = sha256(`${call.method}\n${JSON.stringify(call.body ?? {})}`);
  const request = {
    caller: call.caller,
    key: call.key,
    requestHash,
    nowMs: call.nowMs,
    leaseMs: options.leaseMs,
    keepMs: KEEP_KEYS_MS,
  };
  let claim = await claimKey(db.q, request);
  if (claim.kind === "replay") {
    const body = form ? await form.open(claim.response) : claim.response;
    if (body !== undefined) return { status: claim.status, body, headers: { "idempotent-replayed": "true" } };
    claim = await reclaimKey(db.q, request, claim.token);
  }
  const subject = call.key;
  switch (claim.kind) {
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
  const kept = (result: MethodResult) => (form ? form.seal(result) : JSON.stringify(result));
  let storedText: string | undefined;
  const pending: PendingKey = {
    stored: false,
    async complete(trx, result) {
      const text = kept(result);
      if (!(await completeKey(trx, owned, statusOf(result.errors), text))) throw new KeySuperseded();
      pending.stored = true;
      storedText = form ? JSON.stringify(result) : text;
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
    else await completeKey(db.q, owned, 200, kept(result));
  }
  return storedText === undefined ? answer(result) : { status: 200, body: storedText, headers: {} };
}
