import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CATALOGUE, fail, issue, ok, statusOf, warning } from "../../src/domain/errors.js";

describe("error catalogue", () => {
  it("fills the template and keeps the placement fields", () => {
    const found = issue("ARG_NULL", { subject: "agents", argumentIndex: 0 });
    assert.deepEqual(found, {
      code: "ARG_NULL",
      type: "Protocol",
      message: "Invalid Data, argument 'agents' must be non-null",
      severity: "Error",
      argumentIndex: 0,
    });
    assert.equal(warning("OBJECT_EXISTS", { subject: "x" }).severity, "Warning");
  });

  it("maps the first error to the HTTP status of SPEC §1", () => {
    assert.equal(statusOf([]), 200);
    assert.equal(statusOf([issue("OBJECT_NOT_EXISTS"), issue("ARG_NULL")]), 404);
    const expected: Record<string, number> = {
      ARG_INVALID_DATA: 400,
      ATTRIBUTE_INVALID_FORMAT: 400,
      INVALID_OBJECT_TYPE: 400,
      RESULT_TOO_LARGE: 400,
      AUTHENTICATION_FAILURE: 401,
      NO_SESSION: 401,
      PERMISSION_DENIED: 403,
      UNKNOWN_METHOD: 404,
      OBJECT_EXISTS: 409,
      INVALID_STATE: 409,
      SYSTEM_LIMIT_EXCEEDED: 409,
      RATE_LIMITED: 429,
      INTERNAL_ERROR: 500,
    };
    for (const [code, status] of Object.entries(expected)) {
      assert.equal(CATALOGUE[code as keyof typeof CATALOGUE].status, status, code);
    }
  });

  it("builds envelopes with data, dataOffset, errors and warnings", () => {
    assert.deepEqual(ok([1]), { data: [1], dataOffset: 0, errors: [], warnings: [] });
    const many = Array.from({ length: 150 }, () => issue("ARG_NULL"));
    assert.equal(fail(many).errors.length, 100);
  });
});
