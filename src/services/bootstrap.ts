/**
 * First start against an empty database (SPEC §2): the SuperEnterprise `root`
 * and its Administrator. The root org has a fixed id, so instances starting
 * together on one PostgreSQL database cannot create two: the loser's insert
 * fails on the primary key and it finds the work done.
 */
import { randomBytes } from "node:crypto";
import { ok } from "../domain/errors.js";
import { normalizeLogin } from "../domain/text.js";
import { orgs } from "../storage/orgs.js";
import { users } from "../storage/users.js";
import type { Deps } from "./context.js";

export const ROOT_ORG_ID = "root";

export interface BootstrapOutcome {
  created: boolean;
  /** the generated administrator password, when none was configured */
  generatedPassword?: string;
}

export async function bootstrap(deps: Deps): Promise<BootstrapOutcome> {
  const { db, config } = deps;
  const existing = await orgs.findById(db, ROOT_ORG_ID);
  if (existing) return { created: false };
  const login = normalizeLogin(config.adminUser);
  if (!login) throw new Error(`CALLBOARD_ADMIN_USER must be an email address or a phone number: '${config.adminUser}'`);
  const generatedPassword = config.adminPassword ? undefined : randomBytes(12).toString("base64url");
  const passwordHash = await deps.passwords.hash(config.adminPassword ?? generatedPassword ?? "");
  const now = deps.clock.now().toISOString();
  try {
    await db.write(async (tx) => {
      await orgs.insert(tx, {
        id: ROOT_ORG_ID,
        external_id: "root",
        parent_id: null,
        type: "SuperEnterprise",
        path: `/${ROOT_ORG_ID}/`,
        attributes: "[]",
        preferences: "[]",
        created_at: now,
        updated_at: now,
        created_by: null,
        modified_by: null,
      });
      await users.insertOne(tx, {
        id: deps.newId(),
        external_id: config.adminUser,
        login_key: login,
        org_id: ROOT_ORG_ID,
        org_path: `/${ROOT_ORG_ID}/`,
        login_enabled: 1,
        first_name: "Callboard",
        last_name: "Administrator",
        email: login.includes("@") ? login : null,
        time_zone: null,
        locale: null,
        roles: JSON.stringify(["Administrator"]),
        default_phone_number: login.startsWith("+") ? login : null,
        attributes: "[]",
        preferences: "[]",
        password_hash: passwordHash,
        created_at: now,
        updated_at: now,
        created_by: null,
        modified_by: null,
      });
      return ok();
    });
  } catch (error) {
    const again = await orgs.findById(db, ROOT_ORG_ID);
    if (again) return { created: false };
    throw error;
  }
  return generatedPassword ? { created: true, generatedPassword } : { created: true };
}
