/**
 * `Idempotency-Key` on createSession (SPEC §1). The method is anonymous: its
 * caller is whoever the password authenticates, so the password is checked
 * first, every time, and a wrong one is a 401 whatever the key has stored; the
 * key is then the user's, like any key of a call that user makes. "The same
 * body" is the same externalId, as sent, with a password matching the same
 * stored hash: the password itself never reaches the stored request hash,
 * and after a password change the new password is another request. The
 * response is kept sealed (services/session-seal.ts) and replayed while its
 * session lives; once that session has ended the key is claimed afresh.
 */
import type { InputOf } from "../domain/methods.js";
import { verifyPassword } from "../services/auth.js";
import type { Ctx, Deps } from "../services/context.js";
import { sealedSessions } from "../services/session-seal.js";
import { openSession } from "../services/sessions.js";
import { type Answer, answerIdempotently, type IdempotencyOptions } from "./idempotency.js";

/** The answer, or undefined when the password does not authenticate (401, nothing looked up by key). */
export async function answerSessionIdempotently(
  options: IdempotencyOptions,
  deps: Deps,
  call: { ctx: Ctx; key: string; input: InputOf<"createSession"> },
): Promise<Answer | undefined> {
  const { ctx, key, input } = call;
  const user = await verifyPassword(deps, input.externalId, input.password);
  if (!user?.password_hash) return undefined;
  const form = sealedSessions(deps, user, input.password);
  const keyed = {
    caller: user.id,
    key,
    method: "createSession" as const,
    body: { externalId: input.externalId, password: user.password_hash },
    nowMs: ctx.now.getTime(),
  };
  return answerIdempotently(
    options,
    keyed,
    async () => {
      await form.prepare();
      return openSession(deps, ctx, user);
    },
    form,
  );
}
