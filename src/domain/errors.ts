/**
 * The error catalogue of the wire protocol (SPEC §1): every code, its message
 * template and the HTTP status an error of that code maps to. Every path that
 * reports a problem goes through `issue()`, so a code can only mean one thing.
 */

export const CATALOGUE = {
  ARG_INVALID_CHAR: { status: 400, template: "Invalid Data, argument '%s' contains invalid characters" },
  ARG_INVALID_DATA: { status: 400, template: "Invalid Data '%s'" },
  ARG_INVALID_TYPE: { status: 400, template: "Argument is of invalid type '%s'" },
  ARG_NULL: { status: 400, template: "Invalid Data, argument '%s' must be non-null" },
  ARG_TOO_LARGE: { status: 400, template: "Invalid Data, argument '%s' exceeds allowed size" },
  ATTRIBUTE_NULL: { status: 400, template: "Attribute supplied is null '%s'" },
  ATTRIBUTE_INVALID_DATA: { status: 400, template: "Invalid Data '%s'" },
  ATTRIBUTE_INVALID_FORMAT: { status: 400, template: "Attribute is not formatted correctly '%s'" },
  INVALID_OBJECT_TYPE: { status: 400, template: "The supplied object '%s' is not of the correct type" },
  INVALID_STATE: { status: 409, template: "Invalid Agent State '%s'" },
  OBJECT_EXISTS: { status: 409, template: "Object '%s' already exists" },
  OBJECT_NOT_EXISTS: { status: 404, template: "Referenced object '%s' does not exist" },
  RESULT_TOO_LARGE: { status: 400, template: "Result returned would be too large" },
  SYSTEM_LIMIT_EXCEEDED: { status: 409, template: "maximum number of %s exceeded" },
  AUTHENTICATION_FAILURE: { status: 401, template: "Authentication failure" },
  NO_SESSION: { status: 401, template: "No current session" },
  PERMISSION_DENIED: { status: 403, template: "Not permitted '%s'" },
  UNKNOWN_METHOD: { status: 404, template: "Unknown method '%s'" },
  RATE_LIMITED: { status: 429, template: "Too many requests" },
  INTERNAL_ERROR: { status: 500, template: "Internal error" },
} as const satisfies Record<string, { status: number; template: string }>;

export type Code = keyof typeof CATALOGUE;
export type Severity = "Error" | "Warning";

/** The subsystem that identified an issue (the original's `type` field). */
export type Subsystem = "Protocol" | "Security" | "Organization" | "Identity" | "ContactCenter" | "Platform";

export interface Issue {
  code: Code;
  type: Subsystem;
  message: string;
  severity: Severity;
  argumentIndex?: number;
  attributeName?: string;
  context?: string;
}

export interface IssueDetails {
  /** fills the template's `%s` */
  subject?: string;
  argumentIndex?: number;
  attributeName?: string;
  context?: string;
  type?: Subsystem;
}

/** At most this many errors are reported by one call (SPEC §1). */
export const MAX_ERRORS = 100;

export function issue(code: Code, details: IssueDetails = {}, severity: Severity = "Error"): Issue {
  const template: string = CATALOGUE[code].template;
  const out: Issue = {
    code,
    type: details.type ?? defaultSubsystem(code),
    message: template.replace("%s", details.subject ?? details.attributeName ?? ""),
    severity,
  };
  if (details.argumentIndex !== undefined) out.argumentIndex = details.argumentIndex;
  if (details.attributeName !== undefined) out.attributeName = details.attributeName;
  if (details.context !== undefined) out.context = details.context;
  return out;
}

export function warning(code: Code, details: IssueDetails = {}): Issue {
  return issue(code, details, "Warning");
}

/** An ATTRIBUTE_* (or other) issue of the contact center placed inside argument `argumentIndex`. */
export function attributeIssue(code: Code, attributeName: string, argumentIndex = 0, context?: string): Issue {
  return issue(code, {
    subject: attributeName,
    argumentIndex,
    attributeName,
    type: "ContactCenter",
    ...(context ? { context } : {}),
  });
}

function defaultSubsystem(code: Code): Subsystem {
  if (code === "AUTHENTICATION_FAILURE" || code === "NO_SESSION" || code === "PERMISSION_DENIED") return "Security";
  if (code === "INTERNAL_ERROR" || code === "RATE_LIMITED") return "Platform";
  return "Protocol";
}

/** The HTTP status of a response: 200 without errors, else the first error's. */
export function statusOf(errors: readonly Issue[]): number {
  const first = errors[0];
  return first ? CATALOGUE[first.code].status : 200;
}

/** What every method answers: the Response envelope of the original API. */
export interface MethodResult<T = unknown> {
  data: T[];
  dataOffset: number;
  errors: Issue[];
  warnings: Issue[];
}

export function ok<T>(data: T[] = [], warnings: Issue[] = [], dataOffset = 0): MethodResult<T> {
  return { data, dataOffset, errors: [], warnings };
}

export function fail<T = never>(errors: Issue | Issue[]): MethodResult<T> {
  const list = Array.isArray(errors) ? errors : [errors];
  return { data: [], dataOffset: 0, errors: list.slice(0, MAX_ERRORS), warnings: [] };
}
