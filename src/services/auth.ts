/**
 * Who is calling: `Authorization: Basic base64(externalId:password)` or
 * `Authorization: Bearer <token>` (SPEC §2). Answers an Actor or the issue to
 * report (401 NO_SESSION without credentials, AUTHENTICATION_FAILURE otherwise).
 */
import { type Issue, issue } from "../domain/errors.js";
import { isRole, type Role } from "../domain/roles.js";
import { normalizeLogin } from "../domain/text.js";
import type { UserRow } from "../storage/schema.js";
import { sessions, users } from "../storage/users.js";
import type { Actor, Deps } from "./context.js";
import { sha256 } from "./passwords.js";

export type Authenticated = { actor: Actor } | { error: Issue };

export function actorOf(user: UserRow, session?: { tokenHash: string; expiresMs: number }): Actor {
  return {
    userId: user.id,
    externalId: user.external_id,
    orgId: user.org_id,
    orgPath: user.org_path,
    roles: rolesOf(user),
    sessionTokenHash: session?.tokenHash,
    sessionExpiresMs: session?.expiresMs,
  };
}

export function rolesOf(user: Pick<UserRow, "roles">): Role[] {
  return (JSON.parse(user.roles) as string[]).filter(isRole);
}

const failure = (): Authenticated => ({ error: issue("AUTHENTICATION_FAILURE") });

export async function authenticate(deps: Deps, header: string | undefined): Promise<Authenticated> {
  if (!header || header.trim() === "") return { error: issue("NO_SESSION") };
  const space = header.indexOf(" ");
  const scheme = space > 0 ? header.slice(0, space).toLowerCase() : "";
  const credential = space > 0 ? header.slice(space + 1).trim() : "";
  if (credential === "") return failure();
  const nowMs = deps.clock.now().getTime();
  if (scheme === "basic") {
    const key = `basic:${sha256(credential)}`;
    const cached = deps.credentials.get(key, nowMs);
    if (cached) return { actor: cached };
    return deps.credentials.coalesce(key, async (): Promise<Authenticated> => {
      const ticket = deps.credentials.ticket();
      const decoded = Buffer.from(credential, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) return failure();
      const user = await verifyPassword(deps, decoded.slice(0, colon), decoded.slice(colon + 1));
      if (!user) return failure();
      const actor = actorOf(user);
      deps.credentials.set(key, actor, nowMs + deps.credentials.ttlMs, ticket);
      return { actor };
    });
  }
  if (scheme === "bearer") {
    const tokenHash = sha256(credential);
    const key = `bearer:${tokenHash}`;
    const cached = deps.credentials.get(key, nowMs);
    if (cached) return { actor: cached };
    const ticket = deps.credentials.ticket();
    const row = await sessions.userOf(deps.db, tokenHash);
    if (row?.login_enabled !== 1) return failure();
    const expiresAt = Date.parse(row.expires_at);
    if (expiresAt <= nowMs) return failure();
    const actor = actorOf(row, { tokenHash, expiresMs: expiresAt });
    deps.credentials.set(key, actor, Math.min(expiresAt, nowMs + deps.credentials.ttlMs), ticket);
    return { actor };
  }
  return failure();
}

/**
 * The user whose login and password these are, if it may sign in. An unknown
 * login, a user without a password and a disabled user cost one scrypt as a
 * wrong password does, so timing tells nobody which logins exist.
 */
export async function verifyPassword(deps: Deps, externalId: string, password: string): Promise<UserRow | undefined> {
  const login = normalizeLogin(externalId);
  const user = login ? await users.byLogin(deps.db, login) : undefined;
  const matches = await deps.passwords.verify(password, user?.password_hash ?? deps.passwords.unusable, "interactive");
  return matches && user?.login_enabled === 1 && user.password_hash ? user : undefined;
}
