/**
 * Identity methods (SPEC §3): showUser, listUsers, changeUser, deleteUsers.
 * Creating users is create-users.ts; passwords user-passwords.ts.
 *
 * A user's externalId is its login (an email or a phone number), unique in the
 * whole system through `login_key`, the login normalised.
 */
import { fail, type Issue, issue, type MethodResult, ok } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { isRole } from "../domain/roles.js";
import { normalizeLogin } from "../domain/text.js";
import { checkUserFields, type Problem } from "../domain/user-fields.js";
import { agentStates } from "../storage/agent-states.js";
import type { Handle } from "../storage/locks.js";
import { orgs } from "../storage/orgs.js";
import type { OrgRow, UserRow, UserUpdate } from "../storage/schema.js";
import { users } from "../storage/users.js";
import { rolesOf } from "./auth.js";
import type { Actor, Ctx, Deps } from "./context.js";
import { findOrg, findUser, notFound } from "./lookup.js";
import { listPage } from "./paging.js";
import { presentUser } from "./present.js";
import { argument, bulkIssues, itemContext, outranked, TYPE } from "./user-rules.js";

function fieldError(problem: Problem): Issue {
  return issue(problem.code, {
    subject: problem.field,
    argumentIndex: 0,
    attributeName: problem.field,
    context: problem.reason,
    type: TYPE,
  });
}

function asWarning(found: Issue, context: string): Issue {
  return { ...found, severity: "Warning", context };
}

export function userMethods(deps: Deps) {
  const { db } = deps;
  /** A user deleted by another call since it was found. */
  const gone = (row: UserRow) => notFound(argument(0), row.external_id);

  async function deletionProblem(h: Handle, actor: Actor, row: UserRow): Promise<Issue | undefined> {
    const subject = row.external_id;
    if (row.id === actor.userId) {
      return issue("INVALID_STATE", {
        subject,
        argumentIndex: 0,
        type: TYPE,
        context: "a caller cannot delete itself",
      });
    }
    const denied = outranked(actor, row);
    if (denied) return denied;
    if ((await agentStates.groupOfUser(h, row.id)) !== undefined) {
      return issue("INVALID_STATE", {
        subject,
        argumentIndex: 0,
        type: TYPE,
        context: "the user is an agent: delete the agent first",
      });
    }
    return undefined;
  }
  return {
    async showUser(ctx: Ctx, input: InputOf<"showUser">): Promise<MethodResult> {
      const found = await findUser(db, ctx.actor, input.user, argument(0));
      if (!found.ok) return fail(found.error);
      return ok([presentUser(found.row, await orgs.byId(db, found.row.org_id))]);
    },

    async listUsers(ctx: Ctx, input: InputOf<"listUsers">): Promise<MethodResult> {
      const org = await findOrg(db, ctx.actor, input.org, argument(0));
      if (!org.ok) return fail(org.error);
      const sample = input.sample ?? {};
      const login = sample.externalId ? normalizeLogin(sample.externalId) : null;
      const roles = sample.roles ?? [];
      // A sample that no user can match (an unknown role, a login that is neither email nor phone) matches nothing.
      const impossible = login === undefined || !roles.every(isRole);
      return listPage(input.options, deps.config.limits.listResults, async (offset, limit) => {
        if (impossible) return [];
        const rows = await users.list(
          db,
          org.row.id,
          { login, firstName: sample.firstName, lastName: sample.lastName, loginEnabled: sample.loginEnabled, roles },
          { offset, limit },
        );
        return rows.map((row) => presentUser(row, org.row));
      });
    },

    async changeUser(ctx: Ctx, input: InputOf<"changeUser">): Promise<MethodResult> {
      let forget: string | undefined;
      const result = await db.write(async (tx) => {
        const found = await findUser(tx, ctx.actor, input.user, argument(0));
        if (!found.ok) return fail(found.error);
        // Locked until commit: two changes of one user apply one after the other.
        const row = await users.lockForChange(tx, found.row.id);
        if (!row) return fail(notFound(argument(0), found.row.external_id));
        const denied = outranked(ctx.actor, row);
        if (denied) return fail(denied);
        const org = await orgs.byId(tx, row.org_id);
        const { problems, set } = checkUserFields(ctx.actor.roles, input.user, "change", { org, roles: rolesOf(row) });
        if (problems.length > 0) return fail(problems.map(fieldError));
        const changes: UserUpdate = { ...set, updated_at: ctx.now.toISOString(), modified_by: ctx.actor.externalId };
        await users.update(tx, row.id, changes);
        const changed = await users.byId(tx, row.id);
        if (!changed) throw new Error(`user ${row.id} vanished under its lock`);
        const user = presentUser(changed, org);
        tx.emit({ type: "user.changed", orgPath: changed.org_path, data: user });
        if (set.roles !== undefined || set.login_enabled !== undefined) forget = row.id;
        return ok([user]);
      });
      if (forget && result.errors.length === 0) deps.credentials.forgetUser(forget);
      return result;
    },
    async deleteUsers(ctx: Ctx, input: InputOf<"deleteUsers">): Promise<MethodResult> {
      const errors = bulkIssues(input.users.length, "users", deps.config.limits.bulkItems);
      if (errors.length > 0) return fail(errors);
      const deleted: string[] = [];
      const result = await db.write(async (tx) => {
        const warnings: Issue[] = [];
        const doomed = new Map<string, UserRow>();
        const found = [];
        for (const [i, ref] of input.users.entries()) {
          found.push(await findUser(tx, ctx.actor, ref, { ...argument(0), path: `users[${i}]` }));
        }
        // The users' orgs are locked (in a fixed order) before the checks, as
        // createAgents locks its Account: a user cannot become an agent between
        // the check and the delete.
        const orgIds = [...new Set(found.flatMap((f) => (f.ok ? [f.row.org_id] : [])))].sort();
        for (const id of orgIds) await orgs.lockForChange(tx, id);
        for (const [i, ref] of input.users.entries()) {
          const context = itemContext(`users[${i}]`, ref.externalId);
          const one = found[i];
          if (!one) continue;
          if (one.ok && doomed.has(one.row.id)) continue;
          // The row as it is now, locked until its deletion commits.
          const row = one.ok ? await users.lockForChange(tx, one.row.id) : undefined;
          const problem = row ? await deletionProblem(tx, ctx.actor, row) : one.ok ? gone(one.row) : one.error;
          if (problem) warnings.push(asWarning(problem, context));
          else if (row) doomed.set(row.id, row);
        }
        const orgsById = new Map<string, OrgRow>();
        for (const row of doomed.values()) {
          const org = orgsById.get(row.org_id) ?? (await orgs.byId(tx, row.org_id));
          orgsById.set(org.id, org);
          tx.emit({ type: "user.deleted", orgPath: row.org_path, data: presentUser(row, org) });
        }
        await users.deleteMany(tx, [...doomed.keys()]);
        deleted.push(...doomed.keys());
        return ok([], warnings);
      });
      if (result.errors.length === 0) for (const id of deleted) deps.credentials.forgetUser(id);
      return result;
    },
  };
}
