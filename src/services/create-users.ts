/**
 * createUsers and createUsersUsingString (SPEC §3): each item is checked on
 * its own (one warning per failed item, naming all its problems), the
 * passwords of the survivors are hashed before the transaction opens (never
 * inside one: on SQLite the transaction holds the only connection), and the
 * survivors are inserted together under the org's lock.
 */
import { fail, type Issue, issue, type MethodResult, ok, warning } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import type { UserInput } from "../domain/schemas.js";
import { checkUserFields, loginOf, type Problem, type Target } from "../domain/user-fields.js";
import { parseUserString } from "../domain/user-string.js";
import { orgs } from "../storage/orgs.js";
import type { OrgRow, UserRow, UserUpdate } from "../storage/schema.js";
import { users } from "../storage/users.js";
import type { Ctx, Deps } from "./context.js";
import { findOrg, notFound } from "./lookup.js";
import { presentUser, type WireUser } from "./present.js";
import { argument, bulkIssues, itemContext, TYPE } from "./user-rules.js";

/** One item of a bulk creation, placed for its warnings. */
interface Item {
  /** position among all items, for warnings in input order */
  order: number;
  input: UserInput;
  /** the item's attribute path in argument 0 ("users[3]"); absent for a line of text */
  path?: string;
  /** "users[3]: bob@example.com" or "line 4: bob@example.com" */
  context: string;
}

interface Draft {
  item: Item;
  login: string;
  set: UserUpdate;
  password?: string;
}

interface Placed {
  order: number;
  issue: Issue;
}

/** One warning per failed item: the first problem's code and place, every problem's reason in the context. */
function itemWarning(item: Item, problems: readonly Problem[]): Placed {
  const [problem] = problems;
  if (!problem) throw new Error("an item warning needs a problem");
  const name = item.path ? `${item.path}.${problem.field}` : problem.field;
  return {
    order: item.order,
    issue: warning(problem.code, {
      subject: problem.subject ?? name,
      argumentIndex: 0,
      ...(item.path ? { attributeName: name } : {}),
      context: `${item.context} (${problems.map((p) => p.reason).join("; ")})`,
      type: TYPE,
    }),
  };
}

export function createUserMethods(deps: Deps) {
  const { db } = deps;

  async function createMany(ctx: Ctx, org: OrgRow, items: Item[], placed: Placed[]): Promise<MethodResult> {
    const target: Target = { org, roles: [] };
    const drafts: Draft[] = [];
    for (const item of items) {
      const login = loginOf(item.input.externalId);
      const { problems, set } = checkUserFields(ctx.actor.roles, item.input, "create", target);
      if (!("login" in login))
        placed.push(itemWarning(item, [login, ...problems.filter((p) => p.field !== "externalId")]));
      else if (problems.length > 0) placed.push(itemWarning(item, problems));
      else drafts.push({ item, login: login.login, set, password: item.input.password ?? undefined });
    }

    const taken = await users.takenLogins(
      db,
      drafts.map((d) => d.login),
    );
    const exists = (draft: Draft): Placed =>
      itemWarning(draft.item, [
        { code: "OBJECT_EXISTS", field: "externalId", reason: "the login is taken", subject: draft.login },
      ]);
    const fresh: Draft[] = [];
    for (const draft of drafts) {
      if (taken.has(draft.login)) placed.push(exists(draft));
      else fresh.push(draft);
      taken.add(draft.login);
    }
    const hashes = await Promise.all(
      fresh.map((d) => (d.password ? deps.passwords.hash(d.password) : Promise.resolve(null))),
    );

    const now = ctx.now.toISOString();
    const rows: UserRow[] = fresh.map((draft, i) => ({
      id: deps.newId(),
      // stored normalised (SPEC §5): emails lower-case, phone numbers as + and digits
      external_id: draft.login,
      login_key: draft.login,
      org_id: org.id,
      org_path: org.path,
      login_enabled: draft.set.login_enabled ?? 1,
      first_name: draft.set.first_name ?? "",
      last_name: draft.set.last_name ?? "",
      email: draft.set.email ?? null,
      time_zone: draft.set.time_zone ?? null,
      locale: draft.set.locale ?? null,
      roles: draft.set.roles ?? "[]",
      default_phone_number: draft.set.default_phone_number ?? null,
      attributes: draft.set.attributes ?? "[]",
      preferences: draft.set.preferences ?? "[]",
      password_hash: hashes[i] ?? null,
      created_at: now,
      updated_at: now,
      created_by: ctx.actor.externalId,
      modified_by: ctx.actor.externalId,
    }));

    return db.write(async (tx) => {
      if (!(await orgs.lockForChange(tx, org.id))) return fail(notFound(argument(1), org.external_id));
      const inserted = await users.insertNew(tx, rows);
      const data: WireUser[] = [];
      for (const [i, row] of rows.entries()) {
        const draft = fresh[i];
        if (!inserted.has(row.id)) {
          if (draft) placed.push(exists(draft));
          continue;
        }
        const user = presentUser(row, org);
        tx.emit({ type: "user.created", orgPath: row.org_path, data: user });
        data.push(user);
      }
      placed.sort((a, b) => a.order - b.order);
      return ok(
        data,
        placed.map((p) => p.issue),
      );
    });
  }
  return {
    async createUsers(ctx: Ctx, input: InputOf<"createUsers">): Promise<MethodResult> {
      const errors = bulkIssues(input.users.length, "users", deps.config.limits.bulkItems);
      const org = await findOrg(db, ctx.actor, input.org, argument(1));
      if (!org.ok) errors.push(org.error);
      if (errors.length > 0 || !org.ok) return fail(errors);
      const items = input.users.map((user, order) => ({
        order,
        input: user,
        path: `users[${order}]`,
        context: itemContext(`users[${order}]`, user.externalId),
      }));
      return createMany(ctx, org.row, items, []);
    },

    async createUsersUsingString(ctx: Ctx, input: InputOf<"createUsersUsingString">): Promise<MethodResult> {
      const { limits } = deps.config;
      const parsed = parseUserString(input.users, { maxBytes: limits.stringBytes, maxRecords: limits.bulkItems });
      const errors: Issue[] = [];
      if (!parsed.ok) {
        errors.push(issue(parsed.code, { subject: "users", argumentIndex: 0, type: TYPE, context: parsed.reason }));
      }
      const org = await findOrg(db, ctx.actor, input.org, argument(1));
      if (!org.ok) errors.push(org.error);
      if (errors.length > 0 || !org.ok || !parsed.ok) return fail(errors);
      const items: Item[] = [];
      const placed: Placed[] = [];
      for (const [order, line] of parsed.lines.entries()) {
        const label = `line ${line.line}`;
        if (line.ok) {
          items.push({ order, input: line.user, context: itemContext(label, line.user.externalId) });
        } else {
          const found = warning("ARG_INVALID_DATA", {
            subject: line.reason,
            argumentIndex: 0,
            context: label,
            type: TYPE,
          });
          placed.push({ order, issue: found });
        }
      }
      return createMany(ctx, org.row, items, placed);
    },
  };
}
