/**
 * changePassword and resetPassword (SPEC §3). The new hash is made before the
 * transaction opens; setting it ends the user's other sessions and forgets its
 * cached credentials at once.
 */
import { fail, type Issue, issue, type MethodResult, ok } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { isManager } from "../domain/roles.js";
import { passwordProblem } from "../domain/user-fields.js";
import { orgs } from "../storage/orgs.js";
import type { UserRow } from "../storage/schema.js";
import { sessions, users } from "../storage/users.js";
import type { Ctx, Deps } from "./context.js";
import { findUser, notFound } from "./lookup.js";
import { presentUser } from "./present.js";
import { argument, outranked, TYPE } from "./user-rules.js";

export function passwordMethods(deps: Deps) {
  const { db } = deps;

  async function setPassword(ctx: Ctx, user: UserRow, password: string, keep?: string): Promise<MethodResult> {
    const passwordHash = await deps.passwords.hash(password);
    const result = await db.write(async (tx) => {
      if (!(await users.lockForChange(tx, user.id))) return fail(notFound(argument(0), user.external_id));
      await users.update(tx, user.id, {
        password_hash: passwordHash,
        updated_at: ctx.now.toISOString(),
        modified_by: ctx.actor.externalId,
      });
      const changed = await users.byId(tx, user.id);
      if (!changed) throw new Error(`user ${user.id} vanished under its lock`);
      await sessions.deleteForUser(tx, user.id, keep);
      const org = await orgs.byId(tx, changed.org_id);
      tx.emit({ type: "user.changed", orgPath: changed.org_path, data: presentUser(changed, org) });
      return ok();
    });
    if (result.errors.length === 0) deps.credentials.forgetUser(user.id);
    return result;
  }
  return {
    async changePassword(ctx: Ctx, input: InputOf<"changePassword">): Promise<MethodResult> {
      const found = await findUser(db, ctx.actor, input.user, argument(0));
      if (!found.ok) return fail(found.error);
      const user = found.row;
      if (user.id !== ctx.actor.userId) {
        if (!isManager(ctx.actor.roles)) {
          const context = "only an Administrator or AccountManager changes another user's password";
          return fail(issue("PERMISSION_DENIED", { subject: user.external_id, type: TYPE, context }));
        }
        const denied = outranked(ctx.actor, user);
        if (denied) return fail(denied);
      }
      const errors: Issue[] = [];
      const current = user.password_hash
        ? await deps.passwords.verify(input.currentPassword, user.password_hash)
        : false;
      if (!current) {
        errors.push(
          issue("ARG_INVALID_DATA", {
            subject: "currentPassword",
            argumentIndex: 1,
            type: TYPE,
            context: "currentPassword is not the user's password",
          }),
        );
      }
      const reason = passwordProblem(input.newPassword);
      if (reason) {
        errors.push(
          issue("ARG_INVALID_DATA", { subject: "newPassword", argumentIndex: 2, type: TYPE, context: reason }),
        );
      }
      if (errors.length > 0) return fail(errors);
      return setPassword(ctx, user, input.newPassword, ctx.actor.sessionTokenHash);
    },

    async resetPassword(ctx: Ctx, input: InputOf<"resetPassword">): Promise<MethodResult> {
      const found = await findUser(db, ctx.actor, input.user, argument(0));
      if (!found.ok) return fail(found.error);
      const denied = outranked(ctx.actor, found.row);
      if (denied) return fail(denied);
      const reason = passwordProblem(input.newPassword);
      if (reason) {
        return fail(
          issue("ARG_INVALID_DATA", { subject: "newPassword", argumentIndex: 1, type: TYPE, context: reason }),
        );
      }
      return setPassword(ctx, found.row, input.newPassword);
    },
  };
}
