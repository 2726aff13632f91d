/**
 * The wrong callers of SPEC §3 as one test per caller and method, for suites
 * whose methods act on one Account's objects: an Administrator of another
 * Account finds nothing (OBJECT_NOT_EXISTS, by internalId and by externalId, as
 * for an object that does not exist), an Agent is refused, a call without
 * credentials has no session, and after every refusal nothing has changed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Auth, TestApp } from "./app.js";
import { expectClean, NO_SESSION, PERMISSION_DENIED, theError } from "./expect.js";

export interface GuardedMethod {
  method: string;
  /** the name of the method's describe block; the method by default */
  label?: string;
  /**
   * Whether a Supervisor of the Account may call it; left out, the suite tests
   * Supervisors on its own.
   */
  supervisor?: boolean;
  /** a body naming the Account's objects by internalId */
  byId: () => unknown;
  /** the same by externalId */
  byExternalId: () => unknown;
}

export interface WrongCallers {
  /** an Administrator of another Account */
  otherAdmin: Auth;
  /** a Supervisor of the Account */
  supervisor: Auth;
  /** an Agent of the Account */
  agent: Auth;
}

/**
 * Registers the tests; call it inside the suite's describe. `callers` answers
 * the users the suite made in its before hook; `unchanged` asserts that
 * nothing of the Account changed.
 */
export function wrongCallerTests(
  t: TestApp,
  methods: GuardedMethod[],
  callers: () => WrongCallers,
  unchanged: () => Promise<void>,
): void {
  for (const m of methods) {
    describe(m.label ?? m.method, () => {
      it("an Administrator of another Account: OBJECT_NOT_EXISTS by internalId and by externalId", async () => {
        for (const body of [m.byId(), m.byExternalId()]) {
          const reply = await t.call(m.method, body, callers().otherAdmin);
          const error = theError(reply);
          assert.deepEqual([error.status, error.code], [404, "OBJECT_NOT_EXISTS"], JSON.stringify(reply.errors));
        }
        await unchanged();
      });

      if (m.supervisor === true) {
        it("a Supervisor of the Account may call it", async () => {
          expectClean(await t.call(m.method, m.byId(), callers().supervisor));
          expectClean(await t.call(m.method, m.byExternalId(), callers().supervisor));
        });
      } else if (m.supervisor === false) {
        it("a Supervisor of the Account: PERMISSION_DENIED", async () => {
          assert.deepEqual(theError(await t.call(m.method, m.byId(), callers().supervisor)), PERMISSION_DENIED);
          await unchanged();
        });
      }

      it("an Agent of the Account: PERMISSION_DENIED", async () => {
        assert.deepEqual(theError(await t.call(m.method, m.byId(), callers().agent)), PERMISSION_DENIED);
        await unchanged();
      });

      it("no credentials: NO_SESSION", async () => {
        assert.deepEqual(theError(await t.call(m.method, m.byId(), null)), NO_SESSION);
        await unchanged();
      });
    });
  }
}
