/**
 * A createSession's response as kept for its Idempotency-Key. Tokens are
 * stored hashed (SPEC §2), yet a replay must answer the same token: so the
 * kept response holds it sealed (AES-256-GCM, bound to the user id) under a
 * key derived from the password with a salt of its own, at the cost of a
 * password hash. Only a caller who has the password opens it again; a reader
 * of the database finds no token, and no quicker way to guess the password
 * than the users table already gives. (Rejected: keeping the token as it is,
 * a bearer credential at rest for 24 hours; a key from the Idempotency-Key,
 * which is stored beside it.)
 *
 * A kept session that has since ended (deleted, or past its expiry) no longer
 * holds: `open` answers undefined and the call runs as a new createSession.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { MethodResult } from "../domain/errors.js";
import type { UserRow } from "../storage/schema.js";
import { sessions } from "../storage/users.js";
import type { Deps } from "./context.js";
import { sha256 } from "./passwords.js";

const SEALED = "sealed:";

type SessionOut = Record<string, unknown> & { internalId?: unknown };

function withToken(result: MethodResult, internalId: string): string {
  const [session, ...rest] = result.data as SessionOut[];
  // Spreading keeps the keys' order: the replay's text is the first answer's.
  return JSON.stringify({ ...result, data: [{ ...session, internalId }, ...rest] });
}

export interface SealedSessions {
  /** derives a fresh sealing key; before the writing transaction, which must not wait for a hash */
  prepare(): Promise<void>;
  seal(result: MethodResult): string;
  open(text: string): Promise<string | undefined>;
}

export function sealedSessions(deps: Deps, user: UserRow, password: string): SealedSessions {
  let fresh: { key: Buffer; params: string } | undefined;
  const aad = Buffer.from(user.id, "utf8");
  return {
    async prepare() {
      fresh = await deps.passwords.deriveKey(password);
    },

    seal(result) {
      const token = (result.data[0] as SessionOut | undefined)?.internalId;
      if (!fresh || typeof token !== "string") throw new Error("a session to seal, after prepare()");
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", fresh.key, iv).setAAD(aad);
      const sealed = Buffer.concat([cipher.update(token, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return withToken(result, `${SEALED}${fresh.params}$${iv.toString("base64url")}$${sealed.toString("base64url")}`);
    },

    async open(text) {
      const kept = JSON.parse(text) as MethodResult;
      const internalId = (kept.data[0] as SessionOut | undefined)?.internalId;
      if (typeof internalId !== "string" || !internalId.startsWith(SEALED)) return undefined;
      const parts = internalId.slice(SEALED.length).split("$");
      const [ivText, sealedText] = parts.splice(-2);
      if (ivText === undefined || sealedText === undefined) return undefined;
      const { key } = await deps.passwords.deriveKey(password, parts.join("$"));
      const sealed = Buffer.from(sealedText, "base64url");
      let token: string;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(ivText, "base64url")).setAAD(aad);
        decipher.setAuthTag(sealed.subarray(sealed.length - 16));
        token = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString();
      } catch {
        return undefined;
      }
      const expiresAt = await sessions.expiresAt(deps.db, sha256(token));
      if (expiresAt === undefined || Date.parse(expiresAt) <= deps.clock.now().getTime()) return undefined;
      return withToken(kept, token);
    },
  };
}
