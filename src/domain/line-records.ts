/**
 * The text formats of createAgentsUsingString and createUsersUsingString share
 * their outer rules: LF or CRLF line ends; blank lines and lines starting with
 * `#` ignored; a byte limit (UTF-8) and a record limit; no control characters
 * anywhere (TAB, NUL, a lone CR...). A leading byte-order mark is dropped. This
 * splits such a text into numbered records; each format splits its fields.
 */
import { hasControlCharacters } from "./text.js";

export interface LineRecord {
  /** 1-based line number in the text, for warnings' context */
  line: number;
  text: string;
}

export type RecordsOutcome =
  | { ok: true; records: LineRecord[] }
  | { ok: false; code: "ARG_NULL" | "ARG_TOO_LARGE" | "ARG_INVALID_CHAR"; reason: string };

export interface RecordLimits {
  maxBytes: number;
  maxRecords: number;
}

export function splitRecords(text: string, limits: RecordLimits): RecordsOutcome {
  if (Buffer.byteLength(text, "utf8") > limits.maxBytes) {
    return { ok: false, code: "ARG_TOO_LARGE", reason: `more than ${limits.maxBytes} bytes` };
  }
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = body.split(/\r?\n/);
  const records: LineRecord[] = [];
  for (const [index, raw] of lines.entries()) {
    if (hasControlCharacters(raw) || !raw.isWellFormed()) {
      return { ok: false, code: "ARG_INVALID_CHAR", reason: `line ${index + 1} contains a control character` };
    }
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    records.push({ line: index + 1, text: trimmed });
    if (records.length > limits.maxRecords) {
      return { ok: false, code: "ARG_TOO_LARGE", reason: `more than ${limits.maxRecords} records` };
    }
  }
  if (records.length === 0) return { ok: false, code: "ARG_NULL", reason: "no records" };
  return { ok: true, records };
}

/**
 * Splits a record at every comma into trimmed fields. Each format refuses a
 * record with more fields than it has; none folds the surplus into its last.
 */
export function splitFields(text: string): string[] {
  return text.split(",").map((part) => part.trim());
}
