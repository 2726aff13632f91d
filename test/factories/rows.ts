/**
 * Rows written straight into the tables, for the organization and identity
 * suites (they need an agent group or an agent to exist, and the Contact Center
 * methods that make them belong to another suite) and for the storage suites.
 */
import type { Tx } from "../../src/storage/database.js";
import { orgs } from "../../src/storage/orgs.js";
import type { TestApp } from "./app.js";
import { unique } from "./app.js";

/** Writes an Enterprise row (under `parentId`) and its event inside `tx`, as a write() of a test. */
export async function writeOrg(tx: Tx, externalId: string, parentId = "root"): Promise<void> {
  const now = new Date().toISOString();
  const id = unique("org");
  await orgs.insert(tx, {
    id,
    external_id: externalId,
    parent_id: parentId,
    type: "Enterprise",
    path: `/root/${id}/`,
    attributes: "[]",
    preferences: "[]",
    created_at: now,
    updated_at: now,
    created_by: null,
    modified_by: null,
  });
  tx.emit({ type: "org.created", orgPath: `/root/${id}/`, data: { externalId } });
}

async function accountRow(t: TestApp, accountId: string) {
  return t.runtime.deps.db.q.selectFrom("orgs").selectAll().where("id", "=", accountId).executeTakeFirstOrThrow();
}

/** A Standard agent group with the defaults in the Account; answers its id. */
export async function insertAgentGroup(t: TestApp, accountId: string): Promise<string> {
  const { db, newId, clock } = t.runtime.deps;
  const account = await accountRow(t, accountId);
  const now = clock.now().toISOString();
  const id = newId();
  await db.q
    .insertInto("agent_groups")
    .values({
      id,
      external_id: unique("group"),
      account_id: account.id,
      account_path: account.path,
      mode: "Standard",
      intensity: 1,
      initial_work_state: "NotReady",
      max_break_time: 0,
      current_schedule: "[]",
      tags: "[]",
      attributes: "[]",
      configuration: "[]",
      override: null,
      created_at: now,
      updated_at: now,
      created_by: null,
      modified_by: null,
    })
    .execute();
  return id;
}

/** Makes the user with this login a logged-out agent of a new group in the Account. */
export async function insertAgent(t: TestApp, accountId: string, login: string): Promise<void> {
  const { db, newId, clock } = t.runtime.deps;
  const account = await accountRow(t, accountId);
  const user = await db.q.selectFrom("users").selectAll().where("login_key", "=", login).executeTakeFirstOrThrow();
  const groupId = await insertAgentGroup(t, accountId);
  const now = clock.now().toISOString();
  await db.q
    .insertInto("agent_states")
    .values({
      id: newId(),
      user_id: user.id,
      account_id: account.id,
      account_path: account.path,
      agent_group_id: groupId,
      schedule_group_id: null,
      work_state: "LoggedOut",
      requested_work_state: null,
      contact_state: "Idle",
      device: null,
      phone_number: null,
      work_state_start: now,
      contact_state_start: now,
      break_alerted: 0,
      version: 1,
      created_at: now,
      updated_at: now,
      created_by: null,
      modified_by: null,
    })
    .execute();
}
