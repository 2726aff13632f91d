/**
 * `callboard import <file.csv> --account <externalId> [--group <externalId>] [--dry-run]`
 * (SPEC §7): users from a spreadsheet, and with `--group` agents of that group.
 *
 * The CSV is read by csv-parse (RFC 4180: quoted fields, commas and line
 * breaks inside quotes, UTF-8 with or without BOM) with a header row naming
 * known columns in any order; an unknown column stops the import before
 * anything is sent. Every row is checked here first (the rules a dry run can
 * check without the server); the good rows go to createUsers in chunks within
 * the item and byte limits, then (with `--group`) to createAgentsUsingString.
 * Each chunk carries an Idempotency-Key derived from the file, the target and
 * the chunk's content, so a re-run after a failure (or a retry after a lost
 * answer) replays what was done instead of doubling it, and does what was not.
 *
 * All server calls go through `ImportApi` (one place, over src/client).
 * Exit: 0 all rows done, 1 some rows failed, 2 nothing could be done.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { parse } from "csv-parse/sync";
import { type CallOutcome, type ClientAuth, callMethod, TransportError } from "../client/http.js";
import { isRegistrationMethod, REGISTRATION_METHODS } from "../domain/agent-state.js";
import type { Issue } from "../domain/errors.js";
import { isRole, ROLES } from "../domain/roles.js";
import { canonicalZoneName } from "../domain/schedule.js";
import { hasControlCharacters, isEmail, normalizeLogin, normalizePhone } from "../domain/text.js";

export const COLUMNS = [
  "externalId",
  "firstName",
  "lastName",
  "roles",
  "password",
  "email",
  "timeZone",
  "registrationMethod",
  "currentPhoneNumber",
  "scheduleGroup",
] as const;
type Column = (typeof COLUMNS)[number];
const AGENT_COLUMNS: readonly Column[] = ["registrationMethod", "currentPhoneNumber", "scheduleGroup"];

/** A problem that stops the import before or instead of any change (exit 2). */
export class ImportProblem extends Error {}

export interface CsvRow {
  /** the line of the file the row starts on (the header is line 1) */
  line: number;
  values: Partial<Record<Column, string>>;
  /** how many fields the row has (more than the header's columns is a problem) */
  fields: number;
}

/** Parses the file: its columns and rows, each with the line it starts on. */
export function readCsv(bytes: Buffer): { columns: Column[]; rows: CsvRow[] } {
  let records: string[][];
  try {
    records = parse(bytes, { bom: true, relax_column_count: true }) as string[][];
  } catch (error) {
    throw new ImportProblem(`the file is not valid CSV: ${(error as Error).message}`);
  }
  // Line numbers: csv-parse's own count is off after blank CRLF lines, so count
  // the line breaks of each record (inside quoted fields too) ourselves.
  let line = 1;
  const numbered = records.map((record) => {
    const at = line;
    line += 1 + record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
    return { line: at, record };
  });
  const isBlank = (record: string[]) => record.every((field) => field.trim() === "");
  const headerAt = numbered.findIndex((r) => !isBlank(r.record));
  const header = numbered[headerAt];
  if (!header) throw new ImportProblem("the file is empty: it needs a header row naming its columns");
  const known = new Map(COLUMNS.map((c) => [c.toLowerCase(), c]));
  const columns: Column[] = [];
  const unknown: string[] = [];
  for (const name of header.record) {
    const column = known.get(name.trim().toLowerCase());
    if (!column) unknown.push(name.trim() === "" ? "(an empty column name)" : `'${name.trim()}'`);
    else if (columns.includes(column)) throw new ImportProblem(`the column ${column} appears twice in the header`);
    else columns.push(column);
  }
  if (unknown.length > 0) {
    throw new ImportProblem(
      `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} in the header (line ${header.line}); the columns are ${COLUMNS.join(", ")}`,
    );
  }
  if (!columns.includes("externalId")) throw new ImportProblem("the header has no externalId column");
  const rows: CsvRow[] = [];
  for (const { line: at, record } of numbered.slice(headerAt + 1)) {
    if (isBlank(record)) continue;
    const values: CsvRow["values"] = {};
    for (const [i, column] of columns.entries()) values[column] = record[i]?.trim() ?? "";
    rows.push({ line: at, values, fields: record.length });
  }
  return { columns, rows };
}

type RowState = "created" | "existing" | "failed";

interface ImportRow {
  line: number;
  externalId: string;
  login: string;
  user: Record<string, unknown>;
  agent: { registrationMethod: string; currentPhoneNumber: string; scheduleGroup: string };
  state?: RowState;
  /** what became of its user and (with --group) its agent */
  userState?: "created" | "existing";
  agentState?: "created" | "existing";
  reasons: string[];
}

/** The checks a row passes before it is sent; answers its problems. */
function rowProblems(row: CsvRow, columns: number): string[] {
  const v = row.values;
  if (row.fields > columns) return [`${row.fields} fields, but the header names ${columns} columns`];
  const problems: string[] = [];
  const externalId = v.externalId ?? "";
  if (externalId === "") problems.push("externalId is empty");
  else if (!normalizeLogin(externalId))
    problems.push(`externalId '${externalId}' is neither an email address nor a phone number`);
  if (!v.firstName) problems.push("firstName is empty");
  if (!v.lastName) problems.push("lastName is empty");
  for (const role of splitRoles(v.roles ?? "")) {
    if (!isRole(role)) problems.push(`'${role}' is not a role (${ROLES.join(", ")})`);
  }
  if (v.password && ([...v.password].length < 8 || [...v.password].length > 256)) {
    problems.push("a password has 8 to 256 characters");
  }
  if (v.email && !isEmail(v.email)) problems.push(`email '${v.email}' is not an email address`);
  if (v.timeZone && !canonicalZoneName(v.timeZone)) problems.push(`timeZone '${v.timeZone}' is not an IANA time zone`);
  if (v.registrationMethod && !isRegistrationMethod(v.registrationMethod)) {
    problems.push(`registrationMethod '${v.registrationMethod}' is not one of ${REGISTRATION_METHODS.join(", ")}`);
  }
  if (v.currentPhoneNumber && !normalizePhone(v.currentPhoneNumber)) {
    problems.push(`currentPhoneNumber '${v.currentPhoneNumber}' is not a phone number`);
  }
  // The agent fields travel in createAgentsUsingString's line format.
  for (const column of AGENT_COLUMNS) {
    const value = v[column] ?? "";
    if (value.includes(",") || hasControlCharacters(value))
      problems.push(`${column} may not contain a comma or a control character`);
  }
  for (const column of COLUMNS) {
    const value = v[column] ?? "";
    if (hasControlCharacters(value) || !value.isWellFormed()) {
      if (!AGENT_COLUMNS.includes(column)) problems.push(`${column} contains a control character or a line break`);
    }
  }
  return problems;
}

function splitRoles(text: string): string[] {
  return text
    .split(/[;|]/)
    .map((role) => role.trim())
    .filter((role) => role !== "");
}

function toImportRow(row: CsvRow, defaultRoles: string[]): ImportRow {
  const v = row.values;
  const externalId = v.externalId ?? "";
  const roles = splitRoles(v.roles ?? "");
  const user: Record<string, unknown> = {
    externalId,
    firstName: v.firstName ?? "",
    lastName: v.lastName ?? "",
    roles: roles.length > 0 ? roles : defaultRoles,
  };
  if (v.password) user.password = v.password;
  if (v.email) user.email = v.email;
  if (v.timeZone) user.timeZone = v.timeZone;
  return {
    line: row.line,
    externalId,
    login: normalizeLogin(externalId) ?? externalId,
    user,
    agent: {
      registrationMethod: v.registrationMethod ?? "",
      currentPhoneNumber: v.currentPhoneNumber ?? "",
      scheduleGroup: v.scheduleGroup ?? "",
    },
    reasons: [],
  };
}

/** The server, as the import uses it: every call in one place, over src/client. */
export interface ImportApi {
  call(method: string, body: unknown, idempotencyKey?: string): Promise<CallOutcome<Record<string, unknown>>>;
}

export function httpImportApi(url: string, auth: ClientAuth | undefined): ImportApi {
  return {
    call: (method, body, idempotencyKey) =>
      callMethod<Record<string, unknown>>(url, auth, method, body, {
        headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
      }),
  };
}

export interface ImportOptions {
  account: string;
  group?: string | undefined;
  dryRun: boolean;
  /** CALLBOARD_MAX_BULK_ITEMS, CALLBOARD_BODY_LIMIT, CALLBOARD_MAX_STRING_BYTES as the server has them */
  maxItems: number;
  maxBodyBytes: number;
  maxStringBytes: number;
  /** shows a progress bar (on a terminal only) */
  progress: boolean;
  /** waits between retries; tests pass a fast one */
  sleep?: (ms: number) => Promise<void>;
}

export interface ImportReport {
  rows: number;
  created: number;
  existing: number;
  failed: { line: number; externalId: string; reason: string }[];
  /** lines of output for the person running it */
  text: string[];
  exitCode: 0 | 1 | 2;
}

const describeIssue = (found: Issue) => `${found.code}: ${found.message}${found.context ? ` (${found.context})` : ""}`;
/**
 * A server warning about one item, without the item's place in the chunk
 * (`users[3]: x`, `line 3: x`): the row's line in the file says where.
 */
function itemReason(found: Issue, row: { externalId: string; login: string }): string {
  let context = (found.context ?? "").replace(/^(users\[\d+\]|line \d+)(: |$)/, "");
  for (const id of [row.externalId, row.login]) {
    if (context === id) context = "";
    else if (context.startsWith(`${id}: `)) context = context.slice(id.length + 2);
  }
  return `${found.code}: ${found.message}${context ? ` (${context})` : ""}`;
}

const sha = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

/** Splits `items` into chunks of at most `maxItems` whose `size` adds up to at most `maxBytes`. */
function chunksOf<T>(items: T[], maxItems: number, maxBytes: number, size: (item: T) => number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && (current.length >= maxItems || bytes + n > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

class Abort extends Error {}

export async function importCsv(bytes: Buffer, api: ImportApi, options: ImportOptions): Promise<ImportReport> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { columns, rows: csvRows } = readCsv(bytes);
  const notes: string[] = [];
  if (!options.group && columns.some((c) => AGENT_COLUMNS.includes(c))) {
    notes.push(`note: ${AGENT_COLUMNS.filter((c) => columns.includes(c)).join(", ")} are used only with --group`);
  }
  const account = { externalId: options.account, type: "Account" };
  const orgFound = await api.call("showOrg", { org: account });
  if (orgFound.envelope.errors[0]) {
    throw new ImportProblem(`the Account '${options.account}': ${describeIssue(orgFound.envelope.errors[0])}`);
  }
  const agentGroup = options.group ? { externalId: options.group, parent: account } : undefined;
  if (agentGroup) {
    const groupFound = await api.call("showAgentGroup", { agentGroup });
    if (groupFound.envelope.errors[0]) {
      throw new ImportProblem(`the agent group '${options.group}': ${describeIssue(groupFound.envelope.errors[0])}`);
    }
  }

  const defaultRoles = options.group ? ["Agent"] : [];
  const rows = csvRows.map((row) => {
    const imported = toImportRow(row, defaultRoles);
    const problems = rowProblems(row, columns.length);
    if (problems.length > 0) {
      imported.state = "failed";
      imported.reasons.push(...problems);
    }
    return imported;
  });
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    if (row.state === "failed") continue;
    const seen = firstLine.get(row.login);
    if (seen !== undefined) {
      row.state = "failed";
      row.reasons.push(`externalId ${row.externalId} is also on line ${seen}`);
    } else firstLine.set(row.login, row.line);
  }

  const phases = options.group ? 2 : 1;
  const bar = options.progress
    ? new SingleBar({ format: "{phase} [{bar}] {value}/{total} rows", hideCursor: true })
    : undefined;
  bar?.start(rows.length * phases, 0, { phase: "users " });
  const fileKey = sha(
    Buffer.concat([bytes, Buffer.from(`\u0000${options.account}\u0000${options.group ?? ""}`)]),
  ).slice(0, 24);

  /**
   * One chunk's call, retried with its key when the answer was lost or the
   * server asks to wait. `earlier` says whether the answer is one stored by an
   * earlier run: a replay of a call whose answer this run lost is this run's.
   */
  async function send(method: string, body: unknown, key: string) {
    let lost = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await api.call(method, body, key);
        const retry =
          outcome.status === 429 || outcome.status >= 500 || outcome.envelope.errors[0]?.code === "INVALID_STATE";
        if (!retry || attempt >= 6) {
          return { outcome, earlier: !lost && outcome.headers.get("idempotent-replayed") === "true" };
        }
        const after = Number(outcome.headers.get("retry-after"));
        await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : 500 * 2 ** attempt);
      } catch (error) {
        if (!(error instanceof TransportError) || attempt >= 6) throw error;
        lost = true;
        await sleep(500 * 2 ** attempt);
      }
    }
  }

  /** Marks a row failed with `reason`, or adds the reason to its others. */
  const failRow = (row: ImportRow, reason: string) => {
    row.state = "failed";
    row.reasons.push(reason);
  };

  try {
    if (!options.dryRun) {
      // Users: the good rows, in chunks within the item and byte limits.
      const pending = rows.filter((r) => r.state !== "failed");
      const byteBudget = options.maxBodyBytes - 1024;
      const chunks = chunksOf(
        pending,
        options.maxItems,
        byteBudget,
        (r) => Buffer.byteLength(JSON.stringify(r.user)) + 1,
      );
      for (const [index, chunk] of chunks.entries()) {
        const body = { users: chunk.map((r) => r.user), org: account };
        const key = `callboard-import-${fileKey}-users-${index}-${sha(JSON.stringify(body)).slice(0, 16)}`;
        const { outcome, earlier: replayed } = await send("createUsers", body, key);
        const [error] = outcome.envelope.errors;
        if (error) {
          if (outcome.status === 401 || outcome.status === 403) throw new Abort(`createUsers: ${describeIssue(error)}`);
          for (const row of chunk) failRow(row, `createUsers: ${describeIssue(error)}`);
          continue;
        }
        const created = new Set(
          outcome.envelope.data.map((u) => normalizeLogin(String(u.externalId ?? "")) ?? String(u.externalId)),
        );
        const exists = new Set<number>();
        for (const found of outcome.envelope.warnings) {
          const at = /^users\[(\d+)\]/.exec(found.context ?? "");
          const row = at ? chunk[Number(at[1])] : undefined;
          if (!row) continue;
          if (found.code === "OBJECT_EXISTS") exists.add(Number(at?.[1]));
          else failRow(row, itemReason(found, row));
        }
        for (const [i, row] of chunk.entries()) {
          if (row.state === "failed") continue;
          if (created.has(row.login)) row.state = replayed ? "existing" : "created";
          else if (exists.has(i)) row.state = "existing";
          if (row.state === "created" || row.state === "existing") row.userState = row.state;
          else failRow(row, "createUsers did not create it and gave no reason");
        }
        bar?.increment(chunk.length);
      }
      bar?.update(rows.length, { phase: "agents" });

      // Agents: the rows whose users are there, as createAgentsUsingString lines.
      if (agentGroup) {
        const agents = rows.filter((r) => r.state !== "failed");
        const line = (r: ImportRow) =>
          [r.externalId, r.agent.registrationMethod, r.agent.currentPhoneNumber, r.agent.scheduleGroup]
            .join(",")
            .replace(/,+$/, "");
        const agentChunks = chunksOf(
          agents,
          options.maxItems,
          options.maxStringBytes - 2,
          (r) => Buffer.byteLength(line(r)) + 1,
        );
        for (const [index, chunk] of agentChunks.entries()) {
          const body = { agents: chunk.map(line).join("\n"), agentGroup, initialState: {} };
          const key = `callboard-import-${fileKey}-agents-${index}-${sha(JSON.stringify(body)).slice(0, 16)}`;
          const { outcome, earlier: replayed } = await send("createAgentsUsingString", body, key);
          const [error] = outcome.envelope.errors;
          if (error) {
            if (outcome.status === 401 || outcome.status === 403)
              throw new Abort(`createAgentsUsingString: ${describeIssue(error)}`);
            for (const row of chunk) failRow(row, `createAgentsUsingString: ${describeIssue(error)}`);
            continue;
          }
          const existingAgents = new Set<number>();
          for (const found of outcome.envelope.warnings) {
            const at = /^line (\d+)/.exec(found.context ?? "");
            const n = at ? Number(at[1]) - 1 : -1;
            const row = chunk[n];
            if (!row) continue;
            if (found.code === "OBJECT_EXISTS") existingAgents.add(n);
            else {
              const made = row.userState === "created" ? "its user was created but not made an agent: " : "";
              failRow(row, `${made}${itemReason(found, row)}`);
            }
          }
          for (const [i, row] of chunk.entries()) {
            if (row.state === "failed") continue;
            // A row is created when its user or its agent was made by this run.
            if (!existingAgents.has(i) && !replayed) row.state = "created";
            row.agentState = existingAgents.has(i) || replayed ? "existing" : "created";
          }
          bar?.increment(chunk.length);
        }
      }
    } else {
      // A dry run writes nothing: the rows' checks above, and which users are there already.
      const there = new Set<string>();
      for (let offset = 0; ; offset += 1000) {
        const page = await api.call("listUsers", { org: account, options: { offset, limit: 1000 } });
        if (page.envelope.errors[0]) throw new Abort(`listUsers: ${describeIssue(page.envelope.errors[0])}`);
        for (const u of page.envelope.data)
          there.add(normalizeLogin(String(u.externalId ?? "")) ?? String(u.externalId));
        if (page.envelope.data.length < 1000) break;
      }
      for (const row of rows) if (row.state !== "failed") row.state = there.has(row.login) ? "existing" : "created";
      bar?.update(rows.length * phases);
    }
  } catch (error) {
    bar?.stop();
    if (error instanceof Abort) throw new ImportProblem(error.message);
    if (error instanceof TransportError) {
      const done = rows.filter((r) => r.state === "created" || r.state === "existing").length;
      throw new ImportProblem(
        `${error.message}${done > 0 ? ` (after ${done} rows were done: run the same import again to finish; it will not double them)` : ""}`,
      );
    }
    throw error;
  }
  bar?.stop();

  const failed = rows
    .filter((r) => r.state === "failed")
    .map((r) => ({ line: r.line, externalId: r.externalId, reason: r.reasons.join("; ") }));
  const created = rows.filter((r) => r.state === "created").length;
  const existing = rows.filter((r) => r.state === "existing").length;
  const verb = options.dryRun ? "would be created" : "created";
  const count = (state: "created" | "existing", of: "userState" | "agentState") =>
    rows.filter((r) => r[of] === state).length;
  const phasesLine =
    agentGroup && !options.dryRun
      ? [
          `  users: ${count("created", "userState")} created, ${count("existing", "userState")} already there; ` +
            `agents: ${count("created", "agentState")} made, ${count("existing", "agentState")} already agents`,
        ]
      : [];
  const text = [
    ...notes,
    `${options.dryRun ? "dry run, nothing written: " : ""}${rows.length} rows: ${created} ${verb}, ${existing} already there, ${failed.length} failed`,
    ...phasesLine,
    ...failed.map((f) => `  line ${f.line}${f.externalId ? ` (${f.externalId})` : ""}: ${f.reason}`),
  ];
  const exitCode = failed.length === 0 ? 0 : failed.length < rows.length ? 1 : 2;
  return { rows: rows.length, created, existing, failed, text, exitCode };
}

type Env = Record<string, string | undefined>;

export interface ImportIo {
  env: Env;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  exit: (code: number) => void;
  /** whether stderr is a terminal (the progress bar's) */
  isTty?: boolean;
}

const limit = (env: Env, name: string, fallback: number) => {
  const value = Number(env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

/** Registers `import` on the program. */
export function addImportCommand(
  program: Command,
  io: ImportIo,
  settings: (env: Env) => { url: string; auth: ClientAuth | undefined },
): void {
  program
    .command("import")
    .description(
      "Create the users of a CSV file (header row; columns " +
        `${COLUMNS.join(", ")}, in any order) in an Account, and with --group make them agents of that group. ` +
        "A re-run of the same file neither doubles nor skips anything.",
    )
    .argument("<file>", "the CSV file (UTF-8, with or without BOM)")
    .requiredOption("--account <externalId>", "the Account the users belong to")
    .option("--group <externalId>", "the agent group of the Account to make them agents of")
    .option("--dry-run", "check every row and report, without writing anything", false)
    .addHelpText(
      "after",
      "\nUses CALLBOARD_URL, CALLBOARD_USER and CALLBOARD_PASSWORD.\n" +
        "Exit code: 0 every row done, 1 some rows failed (each is listed with its line), 2 nothing could be done.",
    )
    .action(async (file: string, flags: { account: string; group?: string; dryRun: boolean }) => {
      const { url, auth } = settings(io.env);
      if (!auth) {
        io.stderr("callboard: set CALLBOARD_USER and CALLBOARD_PASSWORD (and CALLBOARD_URL) to import\n");
        io.exit(2);
        return;
      }
      try {
        let bytes: Buffer;
        try {
          bytes = await readFile(file);
        } catch (error) {
          throw new ImportProblem(`cannot read ${file}: ${(error as Error).message}`);
        }
        const report = await importCsv(bytes, httpImportApi(url, auth), {
          account: flags.account,
          group: flags.group,
          dryRun: flags.dryRun,
          maxItems: limit(io.env, "CALLBOARD_MAX_BULK_ITEMS", 1000),
          maxBodyBytes: limit(io.env, "CALLBOARD_BODY_LIMIT", 2 * 1024 * 1024),
          maxStringBytes: limit(io.env, "CALLBOARD_MAX_STRING_BYTES", 100_000),
          progress: io.isTty === true,
        });
        io.stdout(`${report.text.join("\n")}\n`);
        io.exit(report.exitCode);
      } catch (error) {
        if (error instanceof ImportProblem || error instanceof TransportError) {
          io.stderr(`callboard import: ${error.message}\n`);
          io.exit(2);
          return;
        }
        throw error;
      }
    });
}
