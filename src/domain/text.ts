/**
 * Text rules of SPEC §5: identifiers, phone numbers, emails, devices. Pure.
 */

/** C0 controls, DEL and C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const PHONE_SEPARATORS = /[\s\-.()]/g;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const MAX_EXTERNAL_ID = 255;

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

/** Why an externalId is unacceptable, or undefined when it is fine. */
export function externalIdProblem(value: string): "empty" | "tooLong" | "invalidChar" | undefined {
  if (value.length === 0) return "empty";
  if (value.length > MAX_EXTERNAL_ID) return "tooLong";
  if (hasControlCharacters(value) || !value.isWellFormed()) return "invalidChar";
  return undefined;
}

/**
 * A phone number in E.123 or E.164 form as `+` and 8–15 digits, or undefined.
 * Accepted: an optional leading `+`, digits, and the E.123 separators (space,
 * hyphen, dot, parentheses). A number without `+` is read as international.
 */
export function normalizePhone(value: string): string | undefined {
  const trimmed = value.trim();
  if (!/^\+?[\d\s\-.()]+$/.test(trimmed)) return undefined;
  if (trimmed.indexOf("+") > 0) return undefined;
  const digits = trimmed.replace(PHONE_SEPARATORS, "").replace(/^\+/, "");
  if (!/^\d{8,15}$/.test(digits) || digits.startsWith("0")) return undefined;
  return `+${digits}`;
}

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

export function normalizeEmail(value: string): string | undefined {
  const trimmed = value.trim();
  return isEmail(trimmed) ? trimmed.toLowerCase() : undefined;
}

/** A user's login: an email (lower-cased) or a phone number (normalised), else undefined. */
export function normalizeLogin(value: string): string | undefined {
  return value.includes("@") ? normalizeEmail(value) : normalizePhone(value);
}

/** A device address: phone numbers and emails normalised, anything else trimmed as given. */
export function normalizeDevice(value: string): string {
  const trimmed = value.trim();
  if (trimmed.includes("@") && !trimmed.includes(":")) return normalizeEmail(trimmed) ?? trimmed;
  return normalizePhone(trimmed) ?? trimmed;
}
