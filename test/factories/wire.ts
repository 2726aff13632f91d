/** Parts of the objects the API answers that the suites' wire types share. */

/** An attribute, preference or configuration entry. */
export interface NameValue {
  name: string;
  value: string | null;
}

/** When and by whom a stored object was created and last changed. */
export interface Stamps {
  createdDate: string;
  updatedDate: string;
  createdBy: { externalId: string } | null;
  modifiedBy: { externalId: string } | null;
}
