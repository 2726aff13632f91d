/**
 * The fields of a User a caller sets (SPEC §3), checked without I/O: what
 * each may hold, which roles a caller may grant, the login a new user gets.
 * The answer is the column values to store, or the problems found.
 */
import { isRegistrationMethod, REGISTRATION_METHODS } from "./agent-state.js";
import { attributeListProblem, type NamedValue } from "./attributes.js";
import type { Code } from "./errors.js";
import { refersTo } from "./references.js";
import { isRole, ROLES, type Role } from "./roles.js";
import { canonicalZoneName } from "./schedule.js";
import type { UserInput } from "./schemas.js";
import { externalIdProblem, normalizeEmail, normalizeLogin, normalizePhone } from "./text.js";

const PASSWORD_LENGTH = { min: 8, max: 256 };

/** The user columns a caller's fields set. */
export interface UserChanges {
  login_enabled?: number;
  first_name?: string;
  last_name?: string;
  email?: string | null;
  time_zone?: string | null;
  locale?: string | null;
  roles?: string;
  default_phone_number?: string | null;
  attributes?: string;
  preferences?: string;
}

/** Whether an actor may give or take away `role`: an Administrator any, an AccountManager all but Administrator. */
export function mayGrant(actorRoles: readonly Role[], role: Role): boolean {
  if (actorRoles.includes("Administrator")) return true;
  return actorRoles.includes("AccountManager") && role !== "Administrator";
}

export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length >= PASSWORD_LENGTH.min && length <= PASSWORD_LENGTH.max) return undefined;
  return `a password has ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters`;
}

/** A BCP 47 tag; the Java spelling `en_US` of the original API is accepted and kept as given. */
function validLocale(value: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(value.replace(/_/g, "-")).length === 1 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A problem with one field of a user, placed later: a warning for a bulk item, an error for changeUser. */
export interface Problem {
  code: Code;
  field: string;
  reason: string;
  /** what the message names, when not the field (an object, for OBJECT_EXISTS) */
  subject?: string;
}

/** What a user's fields are checked against: its org, and its roles before the call (none when new). */
export interface Target {
  org: { id: string; external_id: string };
  roles: readonly Role[];
}

export type Mode = "create" | "change";

/** User attributes: unique names, a known registrationMethod, a phone number to register (stored normalised). */
function userAttributes(list: readonly NamedValue[]): { list: NamedValue[] } | { reason: string } {
  const duplicate = attributeListProblem(list);
  if (duplicate) return { reason: duplicate };
  const out: NamedValue[] = [];
  for (const { name, value } of list) {
    if (value === null || value === undefined) {
      out.push({ name, value: null });
    } else if (name === "registrationMethod" && !isRegistrationMethod(value)) {
      return { reason: `registrationMethod is one of ${REGISTRATION_METHODS.join(", ")}` };
    } else if (name === "registrationPhoneNumber") {
      const phone = normalizePhone(value);
      if (!phone) return { reason: "registrationPhoneNumber is not a phone number" };
      out.push({ name, value: phone });
    } else {
      out.push({ name, value });
    }
  }
  return { list: out };
}

const OPTIONAL_TEXT = [
  {
    field: "email",
    column: "email",
    normalize: normalizeEmail,
    code: "ATTRIBUTE_INVALID_FORMAT",
    reason: "not an email",
  },
  {
    field: "defaultPhoneNumber",
    column: "default_phone_number",
    normalize: normalizePhone,
    code: "ATTRIBUTE_INVALID_FORMAT",
    reason: "not a phone number",
  },
  {
    field: "timeZone",
    column: "time_zone",
    normalize: canonicalZoneName,
    code: "ATTRIBUTE_INVALID_DATA",
    reason: "not an IANA time zone",
  },
  { field: "locale", column: "locale", normalize: validLocale, code: "ATTRIBUTE_INVALID_DATA", reason: "not a locale" },
] as const;

/**
 * Checks every field a caller may set on a user and answers the column values
 * to store. In "create" mode a missing required field is a problem; in
 * "change" mode an absent field stays as it is. null clears an optional field.
 */
export function checkUserFields(actorRoles: readonly Role[], input: UserInput, mode: Mode, target: Target) {
  const problems: Problem[] = [];
  const set: UserChanges = {};
  const problem = (code: Code, field: string, reason: string) => problems.push({ code, field, reason });

  if (input.org && !refersTo(input.org, target.org)) {
    problem("ATTRIBUTE_INVALID_DATA", "org", "a user's org is given by the org argument and cannot change");
  }
  if (input.loginEnabled === null && mode === "change") problem("ATTRIBUTE_NULL", "loginEnabled", "true or false");
  else if (typeof input.loginEnabled === "boolean") set.login_enabled = input.loginEnabled ? 1 : 0;

  for (const [field, column] of [
    ["firstName", "first_name"],
    ["lastName", "last_name"],
  ] as const) {
    const value = input[field];
    if (value === undefined && mode === "change") continue;
    const name = value?.trim();
    const bad = name ? externalIdProblem(name) : "empty";
    if (bad === "empty") problem("ATTRIBUTE_NULL", field, `${field} is required`);
    else if (bad === "invalidChar") problem("ARG_INVALID_CHAR", field, `${field} contains a control character`);
    else if (bad === "tooLong") problem("ATTRIBUTE_INVALID_DATA", field, `${field} is longer than 255 characters`);
    else set[column] = name;
  }

  for (const { field, column, normalize, code, reason } of OPTIONAL_TEXT) {
    const value = input[field];
    if (value === undefined) continue;
    const normal = value === null ? null : normalize(value);
    if (normal === undefined) problem(code, field, reason);
    else set[column] = normal;
  }

  if (input.roles !== undefined || mode === "create") {
    const roles = input.roles ?? [];
    const unknown = roles.find((role) => !isRole(role));
    if (roles.length === 0) problem("ATTRIBUTE_NULL", "roles", "at least one role is required");
    else if (unknown !== undefined)
      problem("ATTRIBUTE_INVALID_DATA", "roles", `'${unknown}' is not a role: ${ROLES.join(", ")}`);
    else {
      const next = [...new Set(roles)] as Role[];
      const changed = [
        ...next.filter((r) => !target.roles.includes(r)),
        ...target.roles.filter((r) => !next.includes(r)),
      ];
      const denied = changed.find((role) => !mayGrant(actorRoles, role));
      if (denied) problem("PERMISSION_DENIED", "roles", `the caller may not grant or revoke ${denied}`);
      else set.roles = JSON.stringify(next);
    }
  }

  if (input.attributes !== undefined) {
    const checked = userAttributes(input.attributes ?? []);
    if ("reason" in checked) problem("ATTRIBUTE_INVALID_DATA", "attributes", checked.reason);
    else set.attributes = JSON.stringify(checked.list);
  }
  if (input.preferences !== undefined) {
    const reason = attributeListProblem(input.preferences ?? []);
    if (reason) problem("ATTRIBUTE_INVALID_DATA", "preferences", reason);
    else set.preferences = JSON.stringify(input.preferences ?? []);
  }

  if (input.password !== undefined && input.password !== null) {
    const reason =
      mode === "change" ? "change a password with changePassword or resetPassword" : passwordProblem(input.password);
    if (reason) problem("ATTRIBUTE_INVALID_DATA", "password", reason);
  }
  return { problems, set };
}

/** The login of a new user, or why its externalId is unacceptable. */
export function loginOf(externalId: string | null | undefined): { login: string } | Problem {
  const field = "externalId";
  if (!externalId) return { code: "ARG_NULL", field, reason: "externalId is required" };
  if (externalIdProblem(externalId) === "invalidChar") {
    return { code: "ARG_INVALID_CHAR", field, reason: "externalId contains a control character" };
  }
  const login = normalizeLogin(externalId);
  if (!login) return { code: "ATTRIBUTE_INVALID_FORMAT", field, reason: "externalId is an email or a phone number" };
  return { login };
}
