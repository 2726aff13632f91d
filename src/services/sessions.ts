/**
 * Security methods: createSession, deleteSession, showCurrentSession (SPEC §2).
 * A session's token is returned once, as the Session's internalId, and stored
 * only as its SHA-256.
 */
import { fail, issue, type MethodResult, ok } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { orgs } from "../storage/orgs.js";
import type { OrgRow, UserRow } from "../storage/schema.js";
import { sessions, users } from "../storage/users.js";
import { verifyPassword } from "./auth.js";
import type { Ctx, Deps } from "./context.js";
import { newToken, sha256 } from "./passwords.js";
import { presentUser } from "./present.js";

/** The session, or NO_SESSION when its user was deleted meanwhile. */
function answer(session: Awaited<ReturnType<typeof presentSession>> | undefined): MethodResult {
  return session ? ok([session]) : fail(issue("NO_SESSION"));
}

function presentSession(user: UserRow, org: OrgRow, token: string | null, expires: string | null) {
  return { internalId: token, user: presentUser(user, org), expires };
}

/**
 * A new session of a user whose password was checked: the Session is answered
 * by the writing transaction itself, so an Idempotency-Key's stored response
 * (http/session-idempotency.ts) is the session it created.
 */
export async function openSession(deps: Deps, ctx: Ctx, user: UserRow): Promise<MethodResult> {
  const token = newToken();
  const expires = new Date(ctx.now.getTime() + deps.config.sessionTtlSeconds * 1000).toISOString();
  const row = { token_hash: sha256(token), user_id: user.id, created_at: ctx.now.toISOString(), expires_at: expires };
  return deps.db.write(async (tx) => {
    await sessions.insert(tx, row);
    // Read again: the user may have changed or gone since its password was checked.
    const current = await users.byId(tx, user.id);
    if (!current) return fail(issue("NO_SESSION"));
    return ok([presentSession(current, await orgs.byId(tx, current.org_id), token, expires)]);
  });
}

export function sessionMethods(deps: Deps) {
  const { db } = deps;

  async function sessionOf(userId: string, token: string | null, expires: string | null) {
    const user = await users.byId(db, userId);
    if (!user) return undefined;
    const org = await orgs.byId(db, user.org_id);
    return presentSession(user, org, token, expires);
  }

  return {
    async createSession(ctx: Ctx, input: InputOf<"createSession">): Promise<MethodResult> {
      const user = await verifyPassword(deps, input.externalId, input.password);
      if (!user) return fail(issue("AUTHENTICATION_FAILURE"));
      return openSession(deps, ctx, user);
    },

    async deleteSession(ctx: Ctx): Promise<MethodResult> {
      const tokenHash = ctx.actor.sessionTokenHash;
      if (!tokenHash) return fail(issue("NO_SESSION", { context: "the call was not made with a session token" }));
      await db.write(async (tx) => {
        await sessions.delete(tx, tokenHash);
        return ok();
      });
      deps.credentials.forgetKey(`bearer:${tokenHash}`);
      return ok();
    },

    async showCurrentSession(ctx: Ctx): Promise<MethodResult> {
      const tokenHash = ctx.actor.sessionTokenHash;
      if (!tokenHash) return answer(await sessionOf(ctx.actor.userId, null, null));
      const expiresAt = await sessions.expiresAt(db, tokenHash);
      if (!expiresAt) return fail(issue("NO_SESSION"));
      return answer(await sessionOf(ctx.actor.userId, ctx.sessionToken ?? null, expiresAt));
    },
  };
}
