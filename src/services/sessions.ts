/**
 * Security methods: createSession, deleteSession, showCurrentSession (SPEC §2).
 * A session's token is returned once, as the Session's internalId, and stored
 * only as its SHA-256.
 */
import { fail, issue, type MethodResult, ok } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { verifyPassword } from "./auth.js";
import type { Ctx, Deps } from "./context.js";
import { orgById } from "./lookup.js";
import { newToken, sha256 } from "./passwords.js";
import { presentUser } from "./present.js";

export function sessionMethods(deps: Deps) {
  const { db } = deps;

  async function sessionOf(userId: string, token: string | null, expires: string | null) {
    const user = await db.q.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
    const org = await orgById(db.q, user.org_id);
    return { internalId: token, user: presentUser(user, org), expires };
  }

  return {
    async createSession(ctx: Ctx, input: InputOf<"createSession">): Promise<MethodResult> {
      const user = await verifyPassword(deps, input.externalId, input.password);
      if (!user) return fail(issue("AUTHENTICATION_FAILURE"));
      const token = newToken();
      const expires = new Date(ctx.now.getTime() + deps.config.sessionTtlSeconds * 1000).toISOString();
      await db.q
        .insertInto("sessions")
        .values({ token_hash: sha256(token), user_id: user.id, created_at: ctx.now.toISOString(), expires_at: expires })
        .execute();
      return ok([await sessionOf(user.id, token, expires)]);
    },

    async deleteSession(ctx: Ctx): Promise<MethodResult> {
      const tokenHash = ctx.actor.sessionTokenHash;
      if (!tokenHash) return fail(issue("NO_SESSION", { context: "the call was not made with a session token" }));
      await db.q.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
      deps.credentials.forgetKey(`bearer:${tokenHash}`);
      return ok();
    },

    async showCurrentSession(ctx: Ctx): Promise<MethodResult> {
      const tokenHash = ctx.actor.sessionTokenHash;
      if (!tokenHash) return ok([await sessionOf(ctx.actor.userId, null, null)]);
      const session = await db.q
        .selectFrom("sessions")
        .select("expires_at")
        .where("token_hash", "=", tokenHash)
        .executeTakeFirst();
      if (!session) return fail(issue("NO_SESSION"));
      return ok([await sessionOf(ctx.actor.userId, ctx.sessionToken ?? null, session.expires_at)]);
    },
  };
}
