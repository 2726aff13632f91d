/**
 * Users and their sessions. A user row is locked (`lockForChange`) by every
 * read-then-write of it: changeUser, setting a password, deletion.
 */
import { insertMany } from "./bulk.js";
import { type Handle, locked } from "./locks.js";
import type { Page } from "./orgs.js";
import { prepare } from "./prepared.js";
import type { SessionRow, UserRow, UserUpdate } from "./schema.js";
import { under } from "./scope.js";

/** rows per INSERT or IN list: well below SQLite's 32,766 bound parameters */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

// Sign-in reads these on every uncached call.
const byLogin = prepare((q, login: string) => q.selectFrom("users").selectAll().where("login_key", "=", login));
const bySession = prepare((q, tokenHash: string) =>
  q
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .selectAll("users")
    .select("sessions.expires_at")
    .where("sessions.token_hash", "=", tokenHash),
);

export interface UserSample {
  login?: string | null | undefined;
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  loginEnabled?: boolean | null | undefined;
  roles: readonly string[];
}

export const users = {
  async byId(h: Handle, id: string): Promise<UserRow | undefined> {
    return h.q.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  },

  async byLogin(h: Handle, login: string): Promise<UserRow | undefined> {
    return byLogin.first(h.q, login);
  },

  async inScopeByLogin(h: Handle, scope: string, login: string): Promise<UserRow | undefined> {
    return h.q
      .selectFrom("users")
      .selectAll()
      .where("login_key", "=", login)
      .where(under("org_path", scope))
      .executeTakeFirst();
  },

  /** Locks the user until commit; answers it as it is now, or undefined when it is gone. */
  async lockForChange(h: Handle, id: string): Promise<UserRow | undefined> {
    return locked(h.q, h.q.selectFrom("users").selectAll().where("id", "=", id), "update").executeTakeFirst();
  },

  /** The users of an org with these logins, locked against deletion until commit (they become agents). */
  async keepForAgents(h: Handle, orgId: string, logins: readonly string[]): Promise<UserRow[]> {
    const out: UserRow[] = [];
    for (const chunk of chunks(logins)) {
      const query = h.q.selectFrom("users").selectAll().where("login_key", "in", chunk).where("org_id", "=", orgId);
      out.push(...(await locked(h.q, query, "keyShare").execute()));
    }
    return out;
  },

  async takenLogins(h: Handle, logins: readonly string[]): Promise<Set<string>> {
    const taken = new Set<string>();
    for (const chunk of chunks(logins)) {
      const rows = await h.q.selectFrom("users").select("login_key").where("login_key", "in", chunk).execute();
      for (const row of rows) taken.add(row.login_key);
    }
    return taken;
  },

  /** Inserts the rows whose login is free; answers the ids inserted (a taken login is skipped, not an error). */
  async insertNew(h: Handle, rows: readonly UserRow[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (const chunk of chunks(rows)) {
      const done = await h.q
        .insertInto("users")
        .values(chunk)
        .onConflict((oc) => oc.doNothing())
        .returning("id")
        .execute();
      for (const { id } of done) inserted.add(id);
    }
    return inserted;
  },

  /** The first user of the system, with its org (bootstrap). */
  async insertOne(h: Handle, row: UserRow): Promise<void> {
    await insertMany(h.q, h.dialect, "users", [row]);
  },

  async update(h: Handle, id: string, set: UserUpdate): Promise<void> {
    await h.q.updateTable("users").set(set).where("id", "=", id).execute();
  },

  async setAttributes(h: Handle, id: string, attributes: string, at: string, by: string): Promise<void> {
    await h.q.updateTable("users").set({ attributes, updated_at: at, modified_by: by }).where("id", "=", id).execute();
  },

  async deleteMany(h: Handle, ids: readonly string[]): Promise<void> {
    for (const chunk of chunks(ids)) await h.q.deleteFrom("users").where("id", "in", chunk).execute();
  },

  async list(h: Handle, orgId: string, sample: UserSample, page: Page): Promise<UserRow[]> {
    let query = h.q.selectFrom("users").selectAll().where("org_id", "=", orgId);
    if (sample.login) query = query.where("login_key", "=", sample.login);
    if (sample.firstName) query = query.where("first_name", "=", sample.firstName);
    if (sample.lastName) query = query.where("last_name", "=", sample.lastName);
    if (typeof sample.loginEnabled === "boolean")
      query = query.where("login_enabled", "=", sample.loginEnabled ? 1 : 0);
    // Roles are a JSON array of role names (letters only), so a quoted name cannot match by accident.
    for (const role of sample.roles) query = query.where("roles", "like", `%${JSON.stringify(role)}%`);
    return query.orderBy("external_id").orderBy("id").limit(page.limit).offset(page.offset).execute();
  },
};

export const sessions = {
  async insert(h: Handle, row: SessionRow): Promise<void> {
    await h.q.insertInto("sessions").values(row).execute();
  },

  async delete(h: Handle, tokenHash: string): Promise<void> {
    await h.q.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
  },

  /** Ends every session of a user but `keep` (a password change keeps the caller's own). */
  async deleteForUser(h: Handle, userId: string, keep?: string): Promise<void> {
    let query = h.q.deleteFrom("sessions").where("user_id", "=", userId);
    if (keep) query = query.where("token_hash", "!=", keep);
    await query.execute();
  },

  async expiresAt(h: Handle, tokenHash: string): Promise<string | undefined> {
    const row = await h.q
      .selectFrom("sessions")
      .select("expires_at")
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return row?.expires_at;
  },

  /** The user of a session, with the session's expiry. */
  async userOf(h: Handle, tokenHash: string): Promise<(UserRow & { expires_at: string }) | undefined> {
    return bySession.first(h.q, tokenHash);
  },
};
