/**
 * Migrations as an in-code list, applied in order at start, each in its own
 * transaction together with its row in schema_migrations. Several instances may
 * start at once on one PostgreSQL database: the first statement of each
 * migration transaction takes a transaction-scoped advisory lock, so they apply
 * one after another and the later ones find the work done. On SQLite the
 * `BEGIN IMMEDIATE` of every transaction does the same.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { DialectName } from "./database.js";
import { createIdempotencyKeyTable } from "./idempotency.js";
import { isPostgres } from "./locks.js";
import type { Schema } from "./schema.js";

interface Migration {
  name: string;
  up(db: Transaction<Schema>): Promise<void>;
}

const text = "text";
const int = "integer";

const MIGRATIONS: Migration[] = [
  {
    name: "0001_foundation",
    async up(db) {
      await db.schema
        .createTable("orgs")
        .addColumn("id", text, (c) => c.primaryKey())
        .addColumn("external_id", text, (c) => c.notNull())
        .addColumn("parent_id", text, (c) => c.references("orgs.id"))
        .addColumn("type", text, (c) => c.notNull())
        .addColumn("path", text, (c) => c.notNull())
        .addColumn("attributes", text, (c) => c.notNull())
        .addColumn("preferences", text, (c) => c.notNull())
        .addColumn("created_at", text, (c) => c.notNull())
        .addColumn("updated_at", text, (c) => c.notNull())
        .addColumn("created_by", text)
        .addColumn("modified_by", text)
        .execute();
      await db.schema
        .createIndex("orgs_parent_external")
        .on("orgs")
        .columns(["parent_id", "external_id"])
        .unique()
        .execute();
      await db.schema.createIndex("orgs_path").on("orgs").column("path").execute();

      await db.schema
        .createTable("users")
        .addColumn("id", text, (c) => c.primaryKey())
        .addColumn("external_id", text, (c) => c.notNull())
        .addColumn("login_key", text, (c) => c.notNull().unique())
        .addColumn("org_id", text, (c) => c.notNull().references("orgs.id"))
        .addColumn("org_path", text, (c) => c.notNull())
        .addColumn("login_enabled", int, (c) => c.notNull())
        .addColumn("first_name", text, (c) => c.notNull())
        .addColumn("last_name", text, (c) => c.notNull())
        .addColumn("email", text)
        .addColumn("time_zone", text)
        .addColumn("locale", text)
        .addColumn("roles", text, (c) => c.notNull())
        .addColumn("default_phone_number", text)
        .addColumn("attributes", text, (c) => c.notNull())
        .addColumn("preferences", text, (c) => c.notNull())
        .addColumn("password_hash", text)
        .addColumn("created_at", text, (c) => c.notNull())
        .addColumn("updated_at", text, (c) => c.notNull())
        .addColumn("created_by", text)
        .addColumn("modified_by", text)
        .execute();
      await db.schema.createIndex("users_org").on("users").column("org_id").execute();
      await db.schema.createIndex("users_org_path").on("users").columns(["org_path", "login_key"]).execute();

      await db.schema
        .createTable("sessions")
        .addColumn("token_hash", text, (c) => c.primaryKey())
        .addColumn("user_id", text, (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("created_at", text, (c) => c.notNull())
        .addColumn("expires_at", text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

      await db.schema
        .createTable("agent_groups")
        .addColumn("id", text, (c) => c.primaryKey())
        .addColumn("external_id", text, (c) => c.notNull())
        .addColumn("account_id", text, (c) => c.notNull().references("orgs.id"))
        .addColumn("account_path", text, (c) => c.notNull())
        .addColumn("mode", text, (c) => c.notNull())
        .addColumn("intensity", "double precision", (c) => c.notNull())
        .addColumn("initial_work_state", text, (c) => c.notNull())
        .addColumn("max_break_time", int, (c) => c.notNull())
        .addColumn("current_schedule", text, (c) => c.notNull())
        .addColumn("tags", text, (c) => c.notNull())
        .addColumn("attributes", text, (c) => c.notNull())
        .addColumn("configuration", text, (c) => c.notNull())
        .addColumn("override", text)
        .addColumn("created_at", text, (c) => c.notNull())
        .addColumn("updated_at", text, (c) => c.notNull())
        .addColumn("created_by", text)
        .addColumn("modified_by", text)
        .execute();
      await db.schema
        .createIndex("agent_groups_account_external")
        .on("agent_groups")
        .columns(["account_id", "external_id"])
        .unique()
        .execute();

      await db.schema
        .createTable("schedule_groups")
        .addColumn("id", text, (c) => c.primaryKey())
        .addColumn("external_id", text)
        .addColumn("agent_group_id", text, (c) => c.notNull().references("agent_groups.id").onDelete("cascade"))
        .addColumn("schedule", text, (c) => c.notNull())
        .addColumn("attributes", text, (c) => c.notNull())
        .addColumn("created_at", text, (c) => c.notNull())
        .addColumn("updated_at", text, (c) => c.notNull())
        .addColumn("created_by", text)
        .addColumn("modified_by", text)
        .execute();
      await db.schema
        .createIndex("schedule_groups_group_external")
        .on("schedule_groups")
        .columns(["agent_group_id", "external_id"])
        .unique()
        .execute();

      await db.schema
        .createTable("agent_states")
        .addColumn("id", text, (c) => c.primaryKey())
        .addColumn("user_id", text, (c) => c.notNull().unique().references("users.id"))
        .addColumn("account_id", text, (c) => c.notNull().references("orgs.id"))
        .addColumn("account_path", text, (c) => c.notNull())
        .addColumn("agent_group_id", text, (c) => c.notNull().references("agent_groups.id"))
        .addColumn("schedule_group_id", text, (c) => c.references("schedule_groups.id"))
        .addColumn("work_state", text, (c) => c.notNull())
        .addColumn("requested_work_state", text)
        .addColumn("contact_state", text, (c) => c.notNull())
        .addColumn("device", text)
        .addColumn("phone_number", text)
        .addColumn("work_state_start", text, (c) => c.notNull())
        .addColumn("contact_state_start", text, (c) => c.notNull())
        .addColumn("break_alerted", int, (c) => c.notNull())
        .addColumn("version", int, (c) => c.notNull())
        .addColumn("created_at", text, (c) => c.notNull())
        .addColumn("updated_at", text, (c) => c.notNull())
        .addColumn("created_by", text)
        .addColumn("modified_by", text)
        .execute();
      await db.schema
        .createIndex("agent_states_pool")
        .on("agent_states")
        .columns(["agent_group_id", "work_state", "contact_state", "contact_state_start"])
        .execute();
      await db.schema
        .createIndex("agent_states_schedule_group")
        .on("agent_states")
        .column("schedule_group_id")
        .execute();
      await db.schema.createIndex("agent_states_account").on("agent_states").column("account_id").execute();
      await db.schema
        .createIndex("agent_states_device")
        .on("agent_states")
        .columns(["account_id", "device"])
        .unique()
        .execute();
      await db.schema
        .createIndex("agent_states_phone")
        .on("agent_states")
        .columns(["account_id", "phone_number"])
        .unique()
        .execute();

      await db.schema
        .createTable("events")
        .addColumn("seq", "bigint", (c) => c.primaryKey())
        .addColumn("type", text, (c) => c.notNull())
        .addColumn("time", text, (c) => c.notNull())
        .addColumn("org_path", text, (c) => c.notNull())
        .addColumn("data", text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("events_time").on("events").column("time").execute();

      await db.schema
        .createTable("counters")
        .addColumn("name", text, (c) => c.primaryKey())
        .addColumn("value", "bigint", (c) => c.notNull())
        .execute();
      await db.insertInto("counters").values({ name: "events", value: 0 }).execute();
    },
  },
  {
    name: "0002_revocations",
    async up(db) {
      // Revoked credentials, for the other processes on one SQLite file (PostgreSQL instances hear a NOTIFY).
      await db.schema
        .createTable("revocations")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("user_id", text)
        .addColumn("cache_key", text)
        .addColumn("origin", text, (c) => c.notNull())
        .addColumn("time", text, (c) => c.notNull())
        .execute();
    },
  },
  {
    name: "0003_leases",
    async up(db) {
      // Acquisition leases (SPEC §5.3): the acquisition's id fences late releases;
      // the expiry sweep finds the held agents whose lease has ended by its index.
      await db.schema.alterTable("agent_states").addColumn("acquisition_id", text).execute();
      await db.schema.alterTable("agent_states").addColumn("lease_expires", text).execute();
      await db.schema.createIndex("agent_states_lease").on("agent_states").column("lease_expires").execute();
      await db.schema.alterTable("events").addColumn("reason", text).execute();
    },
  },
  { name: "0004_idempotency_keys", up: createIdempotencyKeyTable },
  {
    name: "0005_acquire_index",
    async up(db) {
      // The eligible-agent query's whole ORDER BY (contact_state_start, then id)
      // in its index: the first row found is the answer, with no sort of the pool.
      await db.schema.dropIndex("agent_states_pool").execute();
      await db.schema
        .createIndex("agent_states_eligible")
        .on("agent_states")
        .columns(["agent_group_id", "work_state", "contact_state", "contact_state_start", "id"])
        .execute();
    },
  },
  {
    name: "0006_event_outbox",
    async up(db) {
      // PostgreSQL: writers append their events here, unnumbered; the sequencer
      // moves them into `events` with their seq (event-sequencer.ts). SQLite
      // numbers in the writing transaction and has no use for it.
      if (!isPostgres(db)) return;
      await sql`create table event_outbox (
        ticket bigserial primary key,
        type text not null,
        time text not null,
        org_path text not null,
        data text not null,
        reason text
      )`.execute(db);
    },
  },
];

/** An arbitrary constant that names Callboard's migration lock on PostgreSQL. */
const PG_MIGRATION_LOCK = 734_001;

export async function migrate(db: Kysely<Schema>, dialect: DialectName): Promise<string[]> {
  const applied: string[] = [];
  if (dialect === "postgres") {
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`.execute(trx);
      await sql`create table if not exists schema_migrations (name text primary key, applied_at text not null)`.execute(
        trx,
      );
    });
  } else {
    await sql`create table if not exists schema_migrations (name text primary key, applied_at text not null)`.execute(
      db,
    );
  }
  for (const migration of MIGRATIONS) {
    await db.transaction().execute(async (trx) => {
      if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`.execute(trx);
      const done = await trx
        .selectFrom("schema_migrations")
        .select("name")
        .where("name", "=", migration.name)
        .executeTakeFirst();
      if (done) return;
      await migration.up(trx);
      await trx
        .insertInto("schema_migrations")
        .values({ name: migration.name, applied_at: new Date().toISOString() })
        .execute();
      applied.push(migration.name);
    });
  }
  return applied;
}
