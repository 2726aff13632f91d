/**
 * Attribute[] (and preferences, configuration): `{name, value}` string pairs,
 * each name at most once (SPEC §4).
 */
export interface NamedValue {
  name: string;
  value?: string | null | undefined;
}

/** The first name given twice, or an empty name, as a problem; undefined when the list is fine. */
export function attributeListProblem(list: readonly NamedValue[]): string | undefined {
  const seen = new Set<string>();
  for (const { name } of list) {
    if (name.trim() === "") return "an attribute name is empty";
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
