/** References echoed inside objects (SPEC §4): `internalId` wins, else `externalId`. */

/** True when a reference echoed inside an object names `row` (or names nothing). */
export function refersTo(
  ref: { internalId?: string | null | undefined; externalId?: string | null | undefined } | null | undefined,
  row: { id: string; external_id: string },
): boolean {
  if (!ref) return true;
  if (ref.internalId) return ref.internalId === row.id;
  if (ref.externalId) return ref.externalId === row.external_id;
  return true;
}
