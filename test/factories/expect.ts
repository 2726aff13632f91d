/**
 * Assertions on a method's reply, shared by the HTTP suites so that "ok" and
 * "the one error" mean the same in every file.
 */
import assert from "node:assert/strict";
import type { Reply } from "./app.js";

/** 200 and no errors; per-item warnings are the caller's to check. */
export function expectOk(reply: Reply): void {
  assert.equal(reply.status, 200, JSON.stringify(reply.errors));
  assert.deepEqual(reply.errors, []);
}

/** 200 with neither errors nor warnings. */
export function expectClean(reply: Reply): void {
  expectOk(reply);
  assert.deepEqual(reply.warnings, []);
}

/**
 * The one error of a failed reply, with its HTTP status and place. A failed
 * call answers no data and no warnings, and its issue has severity Error.
 */
export function theError(reply: Reply) {
  assert.equal(reply.errors.length, 1, JSON.stringify(reply.errors));
  assert.deepEqual(reply.data, []);
  assert.deepEqual(reply.warnings, []);
  const [error] = reply.errors;
  assert.ok(error);
  assert.equal(error.severity, "Error");
  return {
    status: reply.status,
    code: error.code,
    argumentIndex: error.argumentIndex,
    attributeName: error.attributeName,
  };
}

/** What `theError` answers for this status and code, placed at an argument and attribute when given. */
export function failure(status: number, code: string, argumentIndex?: number, attributeName?: string) {
  return { status, code, argumentIndex, attributeName };
}

/** The codes of a reply's errors or warnings, in order. */
export const codes = (issues: Reply["errors"]) => issues.map((issue) => issue.code);

/** `theError` of a caller refused for its role. */
export const PERMISSION_DENIED = Object.freeze(failure(403, "PERMISSION_DENIED"));

/** `theError` of a call without credentials. */
export const NO_SESSION = Object.freeze(failure(401, "NO_SESSION"));
