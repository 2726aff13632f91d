/**
 * The PostgreSQL baselines of SPEC §9, in their own process: the statements
 * Callboard's services run, sent through plain `pg` (no HTTP, no Kysely, no
 * service code), by `connections` concurrent loops over a pool of 10 (the
 * server's pool size), for `seconds`. Answers one JSON line.
 *
 * mode "pairs": acquireAgent then releaseAgent, each one transaction, with its
 *   event appended the way database.ts appends it (a row of the outbox, which
 *   the servers' sequencer numbers, as it numbers their own).
 * mode "writes" / "writes-events": changeAgentState's write (the row read
 *   under its lock, the compare-and-set update, the row read again for the
 *   answer) through Callboard's own
 *   `db.write`, this process being one instance, without or with its event:
 *   the difference is the event append alone (outbox and sequencer).
 */
import { sql } from "kysely";
import pg from "pg";
import { ok } from "../src/domain/errors.js";
import { type Database, openDatabase } from "../src/storage/database.js";

interface Input {
  url: string;
  mode: "pairs" | "writes" | "writes-events";
  accountPath: string;
  groupId: string;
  agentIds: string[];
  connections: number;
  seconds: number;
  /** where this process's loops start in agentIds (two processes write different agents) */
  offset?: number;
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;
const pool = new pg.Pool({ connectionString: input.url, max: 10 });

const APPEND = "insert into event_outbox (type, time, org_path, data) values ($1, $2, $3, $4)";

const READ_STATE = `select s.*, u.external_id as user_external_id, u.first_name as user_first_name,
  u.last_name as user_last_name, u.login_enabled as user_login_enabled, u.attributes as user_attributes,
  g.external_id as group_external_id, g.max_break_time as group_max_break_time,
  g.initial_work_state as group_initial_work_state, sg.external_id as schedule_group_external_id
  from agent_states as s inner join users as u on u.id = s.user_id
  inner join agent_groups as g on g.id = s.agent_group_id
  left join schedule_groups as sg on sg.id = s.schedule_group_id`;

let retries = 0;

/** One transaction; a deadlock (40P01) is retried, as a server's caller would retry it. */
async function tx(client: pg.PoolClient, body: () => Promise<boolean>): Promise<boolean> {
  for (;;) {
    await client.query("begin");
    try {
      const done = await body();
      await client.query("commit");
      return done;
    } catch (error) {
      await client.query("rollback");
      if ((error as { code?: string }).code !== "40P01") throw error;
      retries += 1;
    }
  }
}

async function acquire(client: pg.PoolClient): Promise<string | undefined> {
  let taken: string | undefined;
  await tx(client, async () => {
    const now = new Date().toISOString();
    await client.query("select * from agent_groups where id = $1 and account_path like $2", [
      input.groupId,
      `${input.accountPath}%`,
    ]);
    await client.query("select * from agent_groups where id = $1 for share", [input.groupId]);
    const found = await client.query<{ id: string }>(
      `select s.id from agent_states as s inner join users as u on u.id = s.user_id
       where s.agent_group_id = $1 and s.work_state = 'Ready' and s.contact_state = 'Idle' and u.login_enabled = 1
       order by s.contact_state_start, s.id limit 1 for update of s skip locked`,
      [input.groupId],
    );
    const id = found.rows[0]?.id;
    if (!id) return false;
    await client.query(
      `update agent_states set contact_state = 'Acquired', contact_state_start = $1, device = null,
       version = version + 1, updated_at = $1, modified_by = 'admin' where id = $2 and contact_state = 'Idle' and work_state = 'Ready'`,
      [now, id],
    );
    const row = await client.query(`${READ_STATE} where s.id = $1`, [id]);
    await client.query(APPEND, ["agentState.changed", now, input.accountPath, JSON.stringify(row.rows[0])]);
    taken = id;
    return true;
  });
  return taken;
}

async function release(client: pg.PoolClient, id: string): Promise<void> {
  await tx(client, async () => {
    const now = new Date().toISOString();
    const locked = await client.query<{ version: number }>(
      `${READ_STATE} where s.account_path like $1 and s.id = $2 for update of s`,
      [`${input.accountPath}%`, id],
    );
    const version = locked.rows[0]?.version;
    await client.query(
      `update agent_states set contact_state = 'Idle', contact_state_start = $1, device = null,
       version = version + 1, updated_at = $1, modified_by = 'admin' where id = $2 and version = $3`,
      [now, id, version],
    );
    const row = await client.query(`${READ_STATE} where s.id = $1`, [id]);
    await client.query(APPEND, ["agentState.changed", now, input.accountPath, JSON.stringify(row.rows[0])]);
    return true;
  });
}

async function write(db: Database, id: string, phone: string, withEvent: boolean): Promise<void> {
  await db.write(async (tx) => {
    const now = new Date().toISOString();
    const locked = await sql<{
      version: number;
    }>`${sql.raw(READ_STATE)} where s.account_path like ${`${input.accountPath}%`} and s.id = ${id} for update of s`.execute(
      tx.q,
    );
    const version = locked.rows[0]?.version;
    await sql`update agent_states set phone_number = ${phone}, version = version + 1, updated_at = ${now} where id = ${id} and version = ${version}`.execute(
      tx.q,
    );
    // The row after the change: the call's answer, and its event's data.
    const row = await sql`${sql.raw(READ_STATE)} where s.id = ${id}`.execute(tx.q);
    if (withEvent) tx.emit({ type: "agentState.changed", orgPath: input.accountPath, data: row.rows[0] });
    return ok();
  });
}

const db = input.mode === "pairs" ? undefined : await openDatabase({ url: input.url, dataDir: "", sync: "normal" });
let operations = 0;
const deadline = Date.now() + input.seconds * 1000;

async function loop(index: number): Promise<void> {
  let n = 0;
  while (Date.now() < deadline) {
    if (db) {
      // Each loop writes its own agent, so the rows do not contend: only the event append may.
      // Each agent's numbers are its own (a phone number is held by one agent per Account).
      const which = (index + (input.offset ?? 0)) % input.agentIds.length;
      const id = input.agentIds[which] as string;
      n += 1;
      const phone = `+1555${String(which).padStart(3, "0")}${String(n % 10_000).padStart(4, "0")}`;
      await write(db, id, phone, input.mode === "writes-events");
      operations += 1;
      continue;
    }
    const client = await pool.connect();
    try {
      if (input.mode === "pairs") {
        const id = await acquire(client);
        if (id) {
          await release(client, id);
          operations += 1;
        }
      }
    } finally {
      client.release();
    }
  }
}

const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: input.connections }, (_, i) => loop(i)));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
await pool.end();
await db?.close();
process.stdout.write(`${JSON.stringify({ rate: operations / seconds, operations, retries })}\n`);
