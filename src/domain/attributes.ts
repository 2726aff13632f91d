/**
 * Attribute[] (and preferences, configuration): `{name, value}` string pairs,
 * each name at most once (SPEC §4).
 */
export interface NamedValue {
  name: string;
  value?: string | null | undefined;
}

/** Longest attribute name and value, in characters (code points). */
export const ATTRIBUTE_LIMITS = { name: 255, value: 4000 } as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const length = (text: string) => [...text].length;

/**
 * The first problem of an attribute list (an empty, over-long or duplicated
 * name, a control character in a name, an over-long value) as a reason;
 * undefined when the list is fine.
 */
export function attributeListProblem(list: readonly NamedValue[]): string | undefined {
  const seen = new Set<string>();
  for (const { name, value } of list) {
    if (name.trim() === "") return "an attribute name is empty";
    if (CONTROL.test(name)) return "an attribute name contains a control character";
    if (length(name) > ATTRIBUTE_LIMITS.name)
      return `an attribute name has at most ${ATTRIBUTE_LIMITS.name} characters`;
    if (typeof value === "string" && length(value) > ATTRIBUTE_LIMITS.value) {
      return `attribute '${name}' has a value longer than ${ATTRIBUTE_LIMITS.value} characters`;
    }
    if (seen.has(name)) return `attribute '${name}' is given more than once`;
    seen.add(name);
  }
  return undefined;
}

export function attributeValue(
  list: readonly NamedValue[] | null | undefined,
  name: string,
): string | null | undefined {
  return list?.find((a) => a.name === name)?.value;
}

/** Replaces or adds `name` (value null removes it). */
export function withAttribute(list: readonly NamedValue[], name: string, value: string | null): NamedValue[] {
  const rest = list.filter((a) => a.name !== name);
  return value === null ? rest : [...rest, { name, value }];
}
