/**
 * The wallboard's session cookie. Browsers cannot set headers on an
 * EventSource, so `createSession?cookie=true` also answers the session token in
 * an HttpOnly, SameSite=Strict cookie, and every call accepts that cookie as a
 * bearer token when it has no Authorization header. SameSite=Strict keeps other
 * sites' pages from sending it, and methods only take application/json bodies,
 * which a cross-site form cannot send.
 */
import type { FastifyRequest } from "fastify";
import type { MethodResult } from "../domain/errors.js";

export const SESSION_COOKIE = "callboard_session";

/** The session token in a Cookie header, if any. */
export function cookieToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return value === "" ? undefined : value;
  }
  return undefined;
}

/** The credential of a request: its Authorization header, else the session cookie as a bearer token. */
export function credentialOf(headers: FastifyRequest["headers"]): string | undefined {
  const authorization = headers.authorization;
  if (authorization && authorization.trim() !== "") return authorization;
  const token = cookieToken(headers.cookie);
  return token ? `Bearer ${token}` : authorization;
}

function madeWithCookie(headers: FastifyRequest["headers"]): boolean {
  const authorization = headers.authorization;
  return !(authorization && authorization.trim() !== "") && cookieToken(headers.cookie) !== undefined;
}

/**
 * The Set-Cookie a method's answer carries, if any: the session of
 * `createSession?cookie=true` (a new one, or one replayed for an
 * Idempotency-Key), lasting as long as the session; or its removal by a
 * `deleteSession` made with it.
 */
export function sessionCookie(
  method: string,
  request: FastifyRequest,
  result: MethodResult,
  nowMs: number,
): string | undefined {
  if (result.errors.length > 0) return undefined;
  const attributes = "HttpOnly; SameSite=Strict; Path=/";
  if (method === "createSession" && (request.query as Record<string, unknown>).cookie === "true") {
    const session = result.data[0] as { internalId?: unknown; expires?: unknown } | undefined;
    if (typeof session?.internalId !== "string" || typeof session.expires !== "string") return undefined;
    const maxAge = Math.max(0, Math.floor((Date.parse(session.expires) - nowMs) / 1000));
    return `${SESSION_COOKIE}=${session.internalId}; ${attributes}; Max-Age=${maxAge}`;
  }
  if (method === "deleteSession" && madeWithCookie(request.headers))
    return `${SESSION_COOKIE}=; ${attributes}; Max-Age=0`;
  return undefined;
}
