/**
 * Identity methods (SPEC §3): createUsers, createUsersUsingString, showUser,
 * listUsers, changeUser, deleteUsers, changePassword, resetPassword.
 *
 * A user's externalId is its login (an email or a phone number), unique in the
 * whole system through `login_key`, the login normalised. Passwords are hashed
 * before a transaction opens, never inside one: on SQLite the transaction holds
 * the only connection for as long as it runs.
 */
import { isRegistrationMethod, REGISTRATION_METHODS } from "../domain/agent-state.js";
import { attributeListProblem, type NamedValue } from "../domain/attributes.js";
import { type Code, fail, type Issue, issue, type MethodResult, ok, warning } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { isManager, isRole, type Role } from "../domain/roles.js";
import { canonicalZoneName } from "../domain/schedule.js";
import type { UserInput } from "../domain/schemas.js";
import { externalIdProblem, normalizeEmail, normalizeLogin, normalizePhone } from "../domain/text.js";
import { parseUserString } from "../domain/user-string.js";
import { lockOrg } from "../storage/locks.js";
import type { OrgRow, UserRow, UserUpdate } from "../storage/schema.js";
import { rolesOf } from "./auth.js";
import type { Actor, Ctx, Deps } from "./context.js";
import { findOrg, findUser, notFound, orgById, type Place, type Querier } from "./lookup.js";
import { refersTo } from "./orgs.js";
import { listPage } from "./paging.js";
import { presentUser, type WireUser } from "./present.js";

const TYPE = "Identity" as const;
const PASSWORD_LENGTH = { min: 8, max: 256 };
/** rows per INSERT or IN list: well below SQLite's 32,766 bound parameters */
const CHUNK = 500;

/** Whether an actor may give or take away `role`: an Administrator any, an AccountManager all but Administrator. */
export function mayGrant(actorRoles: readonly Role[], role: Role): boolean {
  if (actorRoles.includes("Administrator")) return true;
  return actorRoles.includes("AccountManager") && role !== "Administrator";
}

export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length >= PASSWORD_LENGTH.min && length <= PASSWORD_LENGTH.max) return undefined;
  return `a password has ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters`;
}

/** A BCP 47 tag; the Java spelling `en_US` of the original API is accepted and kept as given. */
function validLocale(value: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(value.replace(/_/g, "-")).length === 1 ? value : undefined;
  } catch {
    return undefined;
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** A problem with one field of a user, placed later: a warning for a bulk item, an error for changeUser. */
interface Problem {
  code: Code;
  field: string;
  reason: string;
  /** what the message names, when not the field (an object, for OBJECT_EXISTS) */
  subject?: string;
}

/** What a user's fields are checked against: its org, and its roles before the call (none when new). */
interface Target {
  org: Pick<OrgRow, "id" | "external_id">;
  roles: readonly Role[];
}

type Mode = "create" | "change";

/** User attributes: unique names, a known registrationMethod, a phone number to register (stored normalised). */
function userAttributes(list: readonly NamedValue[]): { list: NamedValue[] } | { reason: string } {
  const duplicate = attributeListProblem(list);
  if (duplicate) return { reason: duplicate };
  const out: NamedValue[] = [];
  for (const { name, value } of list) {
    if (value === null || value === undefined) {
      out.push({ name, value: null });
    } else if (name === "registrationMethod" && !isRegistrationMethod(value)) {
      return { reason: `registrationMethod is one of ${REGISTRATION_METHODS.join(", ")}` };
    } else if (name === "registrationPhoneNumber") {
      const phone = normalizePhone(value);
      if (!phone) return { reason: "registrationPhoneNumber is not a phone number" };
      out.push({ name, value: phone });
    } else {
      out.push({ name, value });
    }
  }
  return { list: out };
}

const OPTIONAL_TEXT = [
  {
    field: "email",
    column: "email",
    normalize: normalizeEmail,
    code: "ATTRIBUTE_INVALID_FORMAT",
    reason: "not an email",
  },
  {
    field: "defaultPhoneNumber",
    column: "default_phone_number",
    normalize: normalizePhone,
    code: "ATTRIBUTE_INVALID_FORMAT",
    reason: "not a phone number",
  },
  {
    field: "timeZone",
    column: "time_zone",
    normalize: canonicalZoneName,
    code: "ATTRIBUTE_INVALID_DATA",
    reason: "not an IANA time zone",
  },
  { field: "locale", column: "locale", normalize: validLocale, code: "ATTRIBUTE_INVALID_DATA", reason: "not a locale" },
] as const;

/**
 * Checks every field a caller may set on a user and answers the column values
 * to store. In "create" mode a missing required field is a problem; in
 * "change" mode an absent field stays as it is. null clears an optional field.
 */
function checkUserFields(actor: Actor, input: UserInput, mode: Mode, target: Target) {
  const problems: Problem[] = [];
  const set: UserUpdate = {};
  const problem = (code: Code, field: string, reason: string) => problems.push({ code, field, reason });

  if (input.org && !refersTo(input.org, target.org)) {
    problem("ATTRIBUTE_INVALID_DATA", "org", "a user's org is given by the org argument and cannot change");
  }
  if (input.loginEnabled === null && mode === "change") problem("ATTRIBUTE_NULL", "loginEnabled", "true or false");
  else if (typeof input.loginEnabled === "boolean") set.login_enabled = input.loginEnabled ? 1 : 0;

  for (const [field, column] of [
    ["firstName", "first_name"],
    ["lastName", "last_name"],
  ] as const) {
    const value = input[field];
    if (value === undefined && mode === "change") continue;
    const name = value?.trim();
    const bad = name ? externalIdProblem(name) : "empty";
    if (bad === "empty") problem("ATTRIBUTE_NULL", field, `${field} is required`);
    else if (bad === "invalidChar") problem("ARG_INVALID_CHAR", field, `${field} contains a control character`);
    else if (bad === "tooLong") problem("ATTRIBUTE_INVALID_DATA", field, `${field} is longer than 255 characters`);
    else set[column] = name;
  }

  for (const { field, column, normalize, code, reason } of OPTIONAL_TEXT) {
    const value = input[field];
    if (value === undefined) continue;
    const normal = value === null ? null : normalize(value);
    if (normal === undefined) problem(code, field, reason);
    else set[column] = normal;
  }

  if (input.roles !== undefined || mode === "create") {
    const roles = input.roles ?? [];
    const unknown = roles.find((role) => !isRole(role));
    if (roles.length === 0) problem("ATTRIBUTE_NULL", "roles", "at least one role is required");
    else if (unknown !== undefined) problem("ATTRIBUTE_INVALID_DATA", "roles", `'${unknown}' is not a role`);
    else {
      const next = [...new Set(roles)] as Role[];
      const changed = [
        ...next.filter((r) => !target.roles.includes(r)),
        ...target.roles.filter((r) => !next.includes(r)),
      ];
      const denied = changed.find((role) => !mayGrant(actor.roles, role));
      if (denied) problem("PERMISSION_DENIED", "roles", `the caller may not grant or revoke ${denied}`);
      else set.roles = JSON.stringify(next);
    }
  }

  if (input.attributes !== undefined) {
    const checked = userAttributes(input.attributes ?? []);
    if ("reason" in checked) problem("ATTRIBUTE_INVALID_DATA", "attributes", checked.reason);
    else set.attributes = JSON.stringify(checked.list);
  }
  if (input.preferences !== undefined) {
    const reason = attributeListProblem(input.preferences ?? []);
    if (reason) problem("ATTRIBUTE_INVALID_DATA", "preferences", reason);
    else set.preferences = JSON.stringify(input.preferences ?? []);
  }

  if (input.password !== undefined && input.password !== null) {
    const reason =
      mode === "change" ? "change a password with changePassword or resetPassword" : passwordProblem(input.password);
    if (reason) problem("ATTRIBUTE_INVALID_DATA", "password", reason);
  }
  return { problems, set };
}

/** The login of a new user, or why its externalId is unacceptable. */
function loginOf(externalId: string | null | undefined): { login: string } | Problem {
  const field = "externalId";
  if (!externalId) return { code: "ARG_NULL", field, reason: "externalId is required" };
  if (externalIdProblem(externalId) === "invalidChar") {
    return { code: "ARG_INVALID_CHAR", field, reason: "externalId contains a control character" };
  }
  const login = normalizeLogin(externalId);
  if (!login) return { code: "ATTRIBUTE_INVALID_FORMAT", field, reason: "externalId is an email or a phone number" };
  return { login };
}

/**
 * A user holding a role the actor could not grant (an Administrator, for an
 * AccountManager) is not the actor's to change, reset or delete: otherwise an
 * AccountManager could take over an Administrator's account.
 */
function outranked(actor: Actor, target: UserRow): Issue | undefined {
  const role = rolesOf(target).find((held) => !mayGrant(actor.roles, held));
  if (!role) return undefined;
  return issue("PERMISSION_DENIED", {
    subject: target.external_id,
    type: TYPE,
    context: `the caller may not manage a user with the role ${role}`,
  });
}

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

function itemWarning(item: Item, problem: Problem): Placed {
  const name = item.path ? `${item.path}.${problem.field}` : problem.field;
  return {
    order: item.order,
    issue: warning(problem.code, {
      subject: problem.subject ?? name,
      argumentIndex: 0,
      ...(item.path ? { attributeName: name } : {}),
      context: item.context,
      type: TYPE,
    }),
  };
}

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

function itemContext(label: string, externalId: string | null | undefined): string {
  return externalId ? `${label}: ${externalId}` : label;
}

export function userMethods(deps: Deps) {
  const { db } = deps;
  const argument = (argumentIndex: number): Place => ({ argumentIndex, type: TYPE });

  function bulkIssues(count: number, subject: string): Issue[] {
    const { bulkItems } = deps.config.limits;
    if (count === 0) return [issue("ARG_NULL", { subject, argumentIndex: 0, type: TYPE, context: "no items" })];
    if (count > bulkItems) {
      return [issue("ARG_TOO_LARGE", { subject, argumentIndex: 0, type: TYPE, context: `at most ${bulkItems} items` })];
    }
    return [];
  }

  async function takenLogins(logins: string[]): Promise<Set<string>> {
    const taken = new Set<string>();
    for (const chunk of chunks(logins)) {
      const rows = await db.q.selectFrom("users").select("login_key").where("login_key", "in", chunk).execute();
      for (const row of rows) taken.add(row.login_key);
    }
    return taken;
  }

  /**
   * The shared half of createUsers and createUsersUsingString: each item is
   * checked on its own (one warning per failed item), the passwords of the
   * survivors are hashed in parallel, and the survivors are inserted in one
   * transaction. A login taken by a concurrent call between the check and the
   * insert is skipped by ON CONFLICT and reported like any other taken login.
   */
  async function createMany(ctx: Ctx, org: OrgRow, items: Item[], placed: Placed[]): Promise<MethodResult> {
    const target: Target = { org, roles: [] };
    const drafts: Draft[] = [];
    for (const item of items) {
      const login = loginOf(item.input.externalId);
      const { problems, set } = checkUserFields(ctx.actor, item.input, "create", target);
      if (!("login" in login)) placed.push(itemWarning(item, login));
      else if (problems[0]) placed.push(itemWarning(item, problems[0]));
      else drafts.push({ item, login: login.login, set, password: item.input.password ?? undefined });
    }

    const taken = await takenLogins(drafts.map((d) => d.login));
    const exists = (draft: Draft): Placed =>
      itemWarning(draft.item, {
        code: "OBJECT_EXISTS",
        field: "externalId",
        reason: "the login is taken",
        subject: draft.login,
      });
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
      if (!(await lockOrg(tx.q, org.id))) return fail(notFound(argument(1), org.external_id));
      const inserted = new Set<string>();
      for (const chunk of chunks(rows)) {
        const done = await tx.q
          .insertInto("users")
          .values(chunk)
          .onConflict((oc) => oc.doNothing())
          .returning("id")
          .execute();
        for (const { id } of done) inserted.add(id);
      }
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

  /** Sets a password, ends the user's sessions but `keep`, and forgets its cached credentials. */
  async function setPassword(ctx: Ctx, user: UserRow, password: string, keep?: string): Promise<MethodResult> {
    const passwordHash = await deps.passwords.hash(password);
    const result = await db.write(async (tx) => {
      const updated = await tx.q
        .updateTable("users")
        .set({ password_hash: passwordHash, updated_at: ctx.now.toISOString(), modified_by: ctx.actor.externalId })
        .where("id", "=", user.id)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return fail(notFound(argument(0), user.external_id));
      let sessions = tx.q.deleteFrom("sessions").where("user_id", "=", user.id);
      if (keep) sessions = sessions.where("token_hash", "!=", keep);
      await sessions.execute();
      const changed = await tx.q.selectFrom("users").selectAll().where("id", "=", user.id).executeTakeFirstOrThrow();
      const org = await orgById(tx.q, changed.org_id);
      tx.emit({ type: "user.changed", orgPath: changed.org_path, data: presentUser(changed, org) });
      return ok();
    });
    if (result.errors.length === 0) deps.credentials.forgetUser(user.id);
    return result;
  }

  /** Why `row` cannot be deleted by the actor, or undefined. */
  async function deletionProblem(q: Querier, actor: Actor, row: UserRow): Promise<Issue | undefined> {
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
    const agent = await q.selectFrom("agent_states").select("id").where("user_id", "=", row.id).executeTakeFirst();
    if (agent) {
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
    async createUsers(ctx: Ctx, input: InputOf<"createUsers">): Promise<MethodResult> {
      const errors = bulkIssues(input.users.length, "users");
      const org = await findOrg(db.q, ctx.actor, input.org, argument(1));
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
      const org = await findOrg(db.q, ctx.actor, input.org, argument(1));
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

    async showUser(ctx: Ctx, input: InputOf<"showUser">): Promise<MethodResult> {
      const found = await findUser(db.q, ctx.actor, input.user, argument(0));
      if (!found.ok) return fail(found.error);
      return ok([presentUser(found.row, await orgById(db.q, found.row.org_id))]);
    },

    async listUsers(ctx: Ctx, input: InputOf<"listUsers">): Promise<MethodResult> {
      const org = await findOrg(db.q, ctx.actor, input.org, argument(0));
      if (!org.ok) return fail(org.error);
      const sample = input.sample ?? {};
      const login = sample.externalId ? normalizeLogin(sample.externalId) : null;
      const roles = sample.roles ?? [];
      // A sample that no user can match (an unknown role, a login that is neither email nor phone) matches nothing.
      const impossible = login === undefined || !roles.every(isRole);
      return listPage(input.options, deps.config.limits.listResults, async (offset, limit) => {
        if (impossible) return [];
        let query = db.q.selectFrom("users").selectAll().where("org_id", "=", org.row.id);
        if (login) query = query.where("login_key", "=", login);
        if (sample.firstName) query = query.where("first_name", "=", sample.firstName);
        if (sample.lastName) query = query.where("last_name", "=", sample.lastName);
        if (typeof sample.loginEnabled === "boolean") {
          query = query.where("login_enabled", "=", sample.loginEnabled ? 1 : 0);
        }
        // Roles are a JSON array of role names (letters only), so a quoted name cannot match by accident.
        for (const role of roles) query = query.where("roles", "like", `%${JSON.stringify(role)}%`);
        const rows = await query.orderBy("external_id").orderBy("id").limit(limit).offset(offset).execute();
        return rows.map((row) => presentUser(row, org.row));
      });
    },

    async changeUser(ctx: Ctx, input: InputOf<"changeUser">): Promise<MethodResult> {
      let forget: string | undefined;
      const result = await db.write(async (tx) => {
        const found = await findUser(tx.q, ctx.actor, input.user, argument(0));
        if (!found.ok) return fail(found.error);
        const row = found.row;
        const denied = outranked(ctx.actor, row);
        if (denied) return fail(denied);
        const org = await orgById(tx.q, row.org_id);
        const { problems, set } = checkUserFields(ctx.actor, input.user, "change", { org, roles: rolesOf(row) });
        if (problems.length > 0) return fail(problems.map(fieldError));
        const changes: UserUpdate = { ...set, updated_at: ctx.now.toISOString(), modified_by: ctx.actor.externalId };
        await tx.q.updateTable("users").set(changes).where("id", "=", row.id).execute();
        const changed = await tx.q.selectFrom("users").selectAll().where("id", "=", row.id).executeTakeFirstOrThrow();
        const user = presentUser(changed, org);
        tx.emit({ type: "user.changed", orgPath: changed.org_path, data: user });
        if (set.roles !== undefined || set.login_enabled !== undefined) forget = row.id;
        return ok([user]);
      });
      if (forget && result.errors.length === 0) deps.credentials.forgetUser(forget);
      return result;
    },

    async deleteUsers(ctx: Ctx, input: InputOf<"deleteUsers">): Promise<MethodResult> {
      const errors = bulkIssues(input.users.length, "users");
      if (errors.length > 0) return fail(errors);
      const deleted: string[] = [];
      const result = await db.write(async (tx) => {
        const warnings: Issue[] = [];
        const doomed = new Map<string, UserRow>();
        const found = [];
        for (const [i, ref] of input.users.entries()) {
          found.push(await findUser(tx.q, ctx.actor, ref, { ...argument(0), path: `users[${i}]` }));
        }
        // The users' orgs are locked (in a fixed order) before the checks, as
        // createAgents locks its Account: a user cannot become an agent between
        // the check and the delete.
        const orgIds = [...new Set(found.flatMap((f) => (f.ok ? [f.row.org_id] : [])))].sort();
        for (const id of orgIds) await lockOrg(tx.q, id);
        for (const [i, ref] of input.users.entries()) {
          const context = itemContext(`users[${i}]`, ref.externalId);
          const one = found[i];
          if (!one) continue;
          const problem = one.ok ? await deletionProblem(tx.q, ctx.actor, one.row) : one.error;
          if (problem) warnings.push(asWarning(problem, context));
          else if (one.ok) doomed.set(one.row.id, one.row);
        }
        const orgs = new Map<string, OrgRow>();
        for (const row of doomed.values()) {
          const org = orgs.get(row.org_id) ?? (await orgById(tx.q, row.org_id));
          orgs.set(org.id, org);
          tx.emit({ type: "user.deleted", orgPath: row.org_path, data: presentUser(row, org) });
        }
        for (const chunk of chunks([...doomed.keys()])) {
          await tx.q.deleteFrom("users").where("id", "in", chunk).execute();
        }
        deleted.push(...doomed.keys());
        return ok([], warnings);
      });
      if (result.errors.length === 0) for (const id of deleted) deps.credentials.forgetUser(id);
      return result;
    },

    async changePassword(ctx: Ctx, input: InputOf<"changePassword">): Promise<MethodResult> {
      const found = await findUser(db.q, ctx.actor, input.user, argument(0));
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
      const found = await findUser(db.q, ctx.actor, input.user, argument(0));
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
