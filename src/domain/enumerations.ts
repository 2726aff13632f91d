/** A type guard for the values of one enumeration, given as its list of values. */
export function oneOf<T extends string>(values: readonly T[]): (value: unknown) => value is T {
  return (value): value is T => (values as readonly unknown[]).includes(value);
}
