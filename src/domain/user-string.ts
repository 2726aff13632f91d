/**
 * The text format of createUsersUsingString (the original's "see Notes" is
 * lost; this is ours):
 *
 * ```
 * # lines starting with # and blank lines are ignored; LF or CRLF
 * externalId,firstName,lastName,role[;role...][,password]
 * ```
 *
 * The outer rules (limits, comments, control characters) are those of every
 * line format (line-records.ts). A line with more than five fields is malformed
 * (a warning for its line), never folded into the password: a stray column of a
 * spreadsheet must not become part of someone's password. So a password here
 * has no comma (createUsers, or `callboard import` from a CSV, takes any); like
 * every field it is trimmed. An empty password field means "no password".
 */
import { type LineRecord, type RecordLimits, type RecordsOutcome, splitFields, splitRecords } from "./line-records.js";

export interface UserLine {
  externalId: string;
  firstName: string;
  lastName: string;
  /** the roles as written, empty entries dropped; checked by the service */
  roles: string[];
  password?: string;
}

export type UserLineOutcome = { line: number; ok: true; user: UserLine } | { line: number; ok: false; reason: string };

export type UserStringOutcome = { ok: true; lines: UserLineOutcome[] } | Extract<RecordsOutcome, { ok: false }>;

const FIELDS = 5;
const REQUIRED_FIELDS = 4;

export function parseUserLine(record: LineRecord): UserLineOutcome {
  const fields = splitFields(record.text);
  if (fields.length > FIELDS) {
    return {
      line: record.line,
      ok: false,
      reason: `more than ${FIELDS} fields (externalId,firstName,lastName,roles[,password]; a password in this format has no comma)`,
    };
  }
  if (fields.length < REQUIRED_FIELDS) {
    return {
      line: record.line,
      ok: false,
      reason: `expected externalId,firstName,lastName,roles[,password] but found ${fields.length} field(s)`,
    };
  }
  const [externalId = "", firstName = "", lastName = "", roles = "", password = ""] = fields;
  const user: UserLine = {
    externalId,
    firstName,
    lastName,
    roles: roles
      .split(";")
      .map((role) => role.trim())
      .filter((role) => role !== ""),
  };
  if (password !== "") user.password = password;
  return { line: record.line, ok: true, user };
}

export function parseUserString(text: string, limits: RecordLimits): UserStringOutcome {
  const records = splitRecords(text, limits);
  if (!records.ok) return records;
  return { ok: true, lines: records.records.map(parseUserLine) };
}
