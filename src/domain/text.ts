/**
 * Text rules of SPEC §5: identifiers, phone numbers, emails, devices. Pure.
 */

/** C0 controls, DEL and C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The E.123 separators: space, hyphen, dot and the parentheses of an area code. */
const PHONE_SEPARATORS = /[ \-.()]/g;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const MAX_EXTERNAL_ID = 255;
const MAX_PHONE_TEXT = 64;

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

/** Why an externalId is unacceptable, or undefined when it is fine. */
export function externalIdProblem(value: string): "empty" | "tooLong" | "invalidChar" | undefined {
  if (value.length === 0) return "empty";
  // Characters are code points: an emoji is one character, not two UTF-16 units.
  if (value.length > MAX_EXTERNAL_ID && codePointCount(value) > MAX_EXTERNAL_ID) return "tooLong";
  if (hasControlCharacters(value) || !value.isWellFormed()) return "invalidChar";
  return undefined;
}

function codePointCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * A phone number in E.123 or E.164 form as `+` and 8–15 digits, or undefined.
 * Accepted: an optional leading `+`, ASCII digits, and the E.123 separators
 * (space, hyphen, dot, balanced parentheses). A number without `+` is read as
 * international (country code first); a national number (leading 0) is
 * rejected, since its country is unknown. The E.123 trunk-prefix notation
 * "+44 (0)20 7946 0958" drops the "(0)": it is dialled only inside the country,
 * and keeping it would store a different number (+440207…).
 */
export function normalizePhone(value: string): string | undefined {
  const trimmed = value.trim();
  // Nothing E.123 writes is this long; the bound also keeps the patterns below cheap.
  if (trimmed.length > MAX_PHONE_TEXT) return undefined;
  if (!/^\+?[\d \-.()]+$/.test(trimmed)) return undefined;
  if (!/^[^()]*(\([^()]*\)[^()]*)*$/.test(trimmed)) return undefined;
  const international = trimmed.startsWith("+") ? trimmed.replace(/^(\+[\d \-.]+?)\(0\)/, "$1 ") : trimmed;
  const digits = international.replace(PHONE_SEPARATORS, "").replace(/^\+/, "");
  if (!/^\d{8,15}$/.test(digits) || digits.startsWith("0")) return undefined;
  return `+${digits}`;
}

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value) && !hasControlCharacters(value) && value.isWellFormed();
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
