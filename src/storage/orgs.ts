/**
 * Orgs. `lockForChange` is the lock every writer that creates or deletes
 * things under an org takes first (child orgs, users, agent groups, agents and
 * their devices and phone numbers), so limits and uniqueness checks that
 * follow cannot interleave with another writer's.
 */
import { type Handle, locked } from "./locks.js";
import { prepare } from "./prepared.js";
import type { OrgRow } from "./schema.js";
import { under } from "./scope.js";

const byId = prepare((q, id: string) => q.selectFrom("orgs").selectAll().where("id", "=", id));

export interface OrgMatch {
  externalId: string;
  type?: string | null | undefined;
  parentId?: string | undefined;
}

export const orgs = {
  async byId(h: Handle, id: string): Promise<OrgRow> {
    const row = await byId.first(h.q, id);
    if (!row) throw new Error(`org ${id} is missing`);
    return row;
  },

  async findById(h: Handle, id: string): Promise<OrgRow | undefined> {
    return byId.first(h.q, id);
  },

  async inScopeById(h: Handle, scope: string, id: string): Promise<OrgRow | undefined> {
    return h.q.selectFrom("orgs").selectAll().where("id", "=", id).where(under("path", scope)).executeTakeFirst();
  },

  /** Up to two orgs in scope matching the externalId (two means ambiguous). */
  async inScopeByExternalId(h: Handle, scope: string, match: OrgMatch): Promise<OrgRow[]> {
    let query = h.q
      .selectFrom("orgs")
      .selectAll()
      .where("external_id", "=", match.externalId)
      .where(under("path", scope));
    if (match.type) query = query.where("type", "=", match.type);
    if (match.parentId !== undefined) query = query.where("parent_id", "=", match.parentId);
    return query.limit(2).execute();
  },

  /** Locks the org until commit; answers it as it is now, or undefined when it is gone. */
  async lockForChange(h: Handle, id: string): Promise<OrgRow | undefined> {
    return locked(h.q, h.q.selectFrom("orgs").selectAll().where("id", "=", id), "update").executeTakeFirst();
  },

  /** Whether a child of `parentId` has this externalId, and how many children of `type` it has. */
  async childrenOf(h: Handle, parentId: string, externalId: string, type: string) {
    const taken = await h.q
      .selectFrom("orgs")
      .select("id")
      .where("parent_id", "=", parentId)
      .where("external_id", "=", externalId)
      .executeTakeFirst();
    const { count } = await h.q
      .selectFrom("orgs")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("parent_id", "=", parentId)
      .where("type", "=", type)
      .executeTakeFirstOrThrow();
    return { taken: taken !== undefined, count: Number(count) };
  },

  async list(h: Handle, parentId: string, sample: { externalId?: string | null; type?: string | null }, page: Page) {
    let query = h.q.selectFrom("orgs").selectAll().where("parent_id", "=", parentId);
    if (sample.externalId) query = query.where("external_id", "=", sample.externalId);
    if (sample.type) query = query.where("type", "=", sample.type);
    return query.orderBy("external_id").orderBy("id").limit(page.limit).offset(page.offset).execute();
  },

  /** What an org still holds (run under its lock): child orgs, users, agent groups. */
  async holdings(h: Handle, id: string): Promise<string[]> {
    const [children, users, groups] = await Promise.all([
      h.q.selectFrom("orgs").select("id").where("parent_id", "=", id).limit(1).executeTakeFirst(),
      h.q.selectFrom("users").select("id").where("org_id", "=", id).limit(1).executeTakeFirst(),
      h.q.selectFrom("agent_groups").select("id").where("account_id", "=", id).limit(1).executeTakeFirst(),
    ]);
    return [children && "child orgs", users && "users", groups && "agent groups"].filter(
      (hold): hold is string => typeof hold === "string",
    );
  },

  async insert(h: Handle, row: OrgRow): Promise<void> {
    await h.q.insertInto("orgs").values(row).execute();
  },

  async updateLists(h: Handle, row: Pick<OrgRow, "id" | "attributes" | "preferences" | "updated_at" | "modified_by">) {
    await h.q
      .updateTable("orgs")
      .set({
        attributes: row.attributes,
        preferences: row.preferences,
        updated_at: row.updated_at,
        modified_by: row.modified_by,
      })
      .where("id", "=", row.id)
      .execute();
  },

  async delete(h: Handle, id: string): Promise<void> {
    await h.q.deleteFrom("orgs").where("id", "=", id).execute();
  },
};

export interface Page {
  offset: number;
  limit: number;
}
