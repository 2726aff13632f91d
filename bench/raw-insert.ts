/**
 * The createAgents baseline of SPEC §9, in its own process: the same 1,000
 * agent_states rows Callboard writes for the same users, inserted with raw
 * better-sqlite3 (one prepared statement, one transaction) into the server's
 * own database file while the server is idle, then deleted. Answers the
 * milliseconds of each insert as one JSON line.
 */
import { randomBytes } from "node:crypto";
import BetterSqlite3 from "better-sqlite3";

interface Input {
  file: string;
  groupId: string;
  logins: string[];
  repeats: number;
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;
const db = new BetterSqlite3(input.file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 10000");
db.pragma("foreign_keys = ON");

const group = db.prepare("select id, account_id from agent_groups where id = ?").get(input.groupId) as {
  id: string;
  account_id: string;
};
const account = db.prepare("select path from orgs where id = ?").get(group.account_id) as { path: string };
const userIds = input.logins.map(
  (login) => (db.prepare("select id from users where login_key = ?").get(login) as { id: string }).id,
);
const insert = db.prepare(`insert into agent_states (id, user_id, account_id, account_path, agent_group_id,
  schedule_group_id, work_state, requested_work_state, contact_state, device, phone_number, work_state_start,
  contact_state_start, break_alerted, version, created_at, updated_at, created_by, modified_by)
  values (?, ?, ?, ?, ?, null, 'LoggedOut', null, 'Idle', null, null, ?, ?, 0, 1, ?, ?, ?, ?)`);
const insertAll = db.transaction((now: string) => {
  for (const userId of userIds) {
    insert.run(
      randomBytes(12).toString("hex"),
      userId,
      group.account_id,
      account.path,
      group.id,
      now,
      now,
      now,
      now,
      "admin@callboard.local",
      "admin@callboard.local",
    );
  }
});
const removeAll = db.prepare("delete from agent_states where agent_group_id = ?");

const ms: number[] = [];
for (let i = 0; i < input.repeats; i++) {
  const started = process.hrtime.bigint();
  insertAll.immediate(new Date().toISOString());
  ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  removeAll.run(group.id);
}
db.close();
process.stdout.write(`${JSON.stringify({ ms })}\n`);
