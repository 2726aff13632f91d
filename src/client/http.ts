/**
 * The one HTTP call every client of Callboard makes: `POST /api/v1/<method>`
 * with a JSON body and Basic or Bearer credentials, answering the Response
 * envelope and the HTTP status. The CLI uses it today; the typed client is to
 * be built on it, so it stays small and makes no decision about errors: an
 * envelope with errors is a normal answer here, not an exception.
 */
import type { MethodResult } from "../domain/errors.js";

/** Basic credentials (a login and its password) or a session token. */
export type ClientAuth = { user: string; password: string } | { token: string };

export interface CallOutcome<T = unknown> {
  status: number;
  envelope: MethodResult<T>;
  /** the response's headers (Retry-After, Idempotent-Replayed…) */
  headers: Headers;
}

export interface CallOptions {
  /** extra request headers, e.g. Idempotency-Key */
  headers?: Record<string, string>;
}

/** Thrown when the server cannot be reached or does not answer with an envelope. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

export function authorizationHeader(auth: ClientAuth): string {
  if ("token" in auth) return `Bearer ${auth.token}`;
  return `Basic ${Buffer.from(`${auth.user}:${auth.password}`, "utf8").toString("base64")}`;
}

export async function callMethod<T = unknown>(
  baseUrl: string,
  auth: ClientAuth | undefined,
  method: string,
  body: unknown = {},
  options: CallOptions = {},
): Promise<CallOutcome<T>> {
  const url = `${baseUrl.replace(/\/+$/, "")}/api/v1/${encodeURIComponent(method)}`;
  const headers: Record<string, string> = {
    ...options.headers,
    "content-type": "application/json",
    accept: "application/json",
  };
  if (auth) headers.authorization = authorizationHeader(auth);
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    throw new TransportError(`cannot reach ${url}${cause}`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TransportError(`${url} answered ${response.status} without a JSON body`, response.status);
  }
  if (!isEnvelope(parsed)) {
    throw new TransportError(`${url} answered ${response.status} without a Response envelope`, response.status);
  }
  return { status: response.status, envelope: parsed as MethodResult<T>, headers: response.headers };
}

function isEnvelope(value: unknown): value is MethodResult {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.data) && Array.isArray(v.errors) && Array.isArray(v.warnings);
}
