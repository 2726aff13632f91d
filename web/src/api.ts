/**
 * The board's calls to the JSON API. Same origin, so the HttpOnly session
 * cookie set by `createSession?cookie=true` rides along on every call and on
 * the event stream; the page itself never sees the token.
 */
import type { AgentGroupState, AgentState, Issue } from "./types.js";

export interface Envelope<T> {
  data: T[];
  errors: Issue[];
  warnings: Issue[];
}

export interface Answer<T> {
  status: number;
  envelope: Envelope<T>;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function describe(issue: Issue): string {
  return issue.context ? `${issue.message} (${issue.context})` : issue.message;
}

/** Calls a method; an envelope with errors becomes an ApiError carrying the first. */
export async function call<T>(method: string, body: unknown, query = ""): Promise<T[]> {
  let response: Response;
  try {
    response = await fetch(`/api/v1/${method}${query}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError("The server cannot be reached.", 0, undefined);
  }
  let envelope: Envelope<T>;
  try {
    envelope = (await response.json()) as Envelope<T>;
  } catch {
    throw new ApiError(`The server answered ${response.status} without a JSON body.`, response.status, undefined);
  }
  const first = envelope.errors?.[0];
  if (first) throw new ApiError(describe(first), response.status, first.code);
  return envelope.data;
}

export interface SessionUser {
  externalId: string;
  firstName?: string | null;
  lastName?: string | null;
  roles?: string[];
}

interface Session {
  user: SessionUser;
  expires: string | null;
}

/**
 * The page cannot read its HttpOnly cookie, so it remembers (not the token,
 * only the fact) that it signed in: a fresh visitor is shown the form without a
 * 401 round trip, which the browser would log as an error.
 */
const SIGNED_IN = "callboard.signedIn";

function remember(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN, "1");
    else localStorage.removeItem(SIGNED_IN);
  } catch {
    // storage disabled: every load then asks the server
  }
}

function mayBeSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN) === "1";
  } catch {
    return true;
  }
}

export async function signIn(externalId: string, password: string): Promise<SessionUser> {
  const [session] = await call<Session>("createSession", { externalId, password }, "?cookie=true");
  if (!session) throw new ApiError("The server answered no session.", 200, undefined);
  remember(true);
  return session.user;
}

/** The signed-in user, or null when the cookie is missing or no longer valid. */
export async function currentUser(): Promise<SessionUser | null> {
  if (!mayBeSignedIn()) return null;
  try {
    const [session] = await call<Session>("showCurrentSession", {});
    return session?.user ?? null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      remember(false);
      return null;
    }
    throw error;
  }
}

export async function signOut(): Promise<void> {
  remember(false);
  await call("deleteSession", {});
}

/** The server ended the session (expired, deleted, user disabled). */
export function forgetSession(): void {
  remember(false);
}

export type BoardAction = "Ready" | "NotReady" | "Break" | "Logout" | "Login";

export async function changeAgentState(agentId: string, action: BoardAction): Promise<AgentState | undefined> {
  const agentState =
    action === "Logout" || action === "Login"
      ? { internalId: agentId, requestedAction: action }
      : { internalId: agentId, requestedWorkState: action };
  const [state] = await call<AgentState>("changeAgentState", { agentState });
  return state;
}

export async function showAgentGroupState(agentGroupId: string): Promise<AgentGroupState | undefined> {
  const [state] = await call<AgentGroupState>("showAgentGroupState", { agentGroup: { internalId: agentGroupId } });
  return state;
}
