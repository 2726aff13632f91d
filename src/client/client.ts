/**
 * The typed client: one function per method, typed by the same schemas the
 * server validates with (arguments, domain/methods.ts) and answers with
 * (results, domain/results.ts). A call resolves to `{data, warnings}` when
 * `errors` is empty and throws a CallboardError carrying the issues and the
 * status otherwise; no answer at all is a TransportError.
 *
 * Retries happen only where they cannot double a change:
 * - no response (connection refused, reset, a proxy's 502/504): only for
 *   read-only methods (show…, list…) and for calls sent with an idempotency
 *   key, which the server answers from its stored response (SPEC §1);
 * - 429: after Retry-After, for any method (the call was refused unread);
 * - 503: the server is closing or not ready and did not process the call.
 */
import type { InputOf, MethodName, ResultItem } from "../domain/methods.js";
import type { IssueOut } from "../domain/results.js";
import { CallboardError, TransportError } from "./errors.js";
import { type EventsTransport, type SubscribeOptions, type Subscription, subscribe } from "./events.js";
import { authorizationHeader, type ClientAuth } from "./http.js";

export interface ClientOptions {
  /** e.g. http://127.0.0.1:7340 */
  baseUrl: string;
  auth?: ClientAuth | undefined;
  /** retries after a failure that is safe to retry (default 3) */
  retries?: number;
  /** first backoff delay when the server gave no Retry-After (default 200 ms, doubling) */
  retryDelayMs?: number;
  /** at most this long for one wait (default 30 s) */
  maxRetryDelayMs?: number;
  /** an abort after this long of one attempt (default: none) */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface CallOptions {
  /** sent as `Idempotency-Key`: a repeat answers the first response and changes nothing */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface Result<M extends MethodName> {
  data: ResultItem<M>[];
  warnings: IssueOut[];
  dataOffset: number;
}

/** The raw answer of a method: the envelope and the status, errors included. */
export interface Envelope<T = unknown> {
  status: number;
  data: T[];
  dataOffset: number;
  errors: IssueOut[];
  warnings: IssueOut[];
  /** true when the server replayed the stored response of an idempotency key */
  replayed: boolean;
  /** seconds, when the server sent Retry-After */
  retryAfter?: number;
}

/** `input` may be left out for methods without required arguments. */
type MethodArgs<M extends MethodName> =
  Record<string, never> extends InputOf<M>
    ? [input?: InputOf<M>, options?: CallOptions]
    : [input: InputOf<M>, options?: CallOptions];

export type MethodFunctions = { [M in MethodName]: (...args: MethodArgs<M>) => Promise<Result<M>> };

export interface CallboardClient extends MethodFunctions {
  /** Any method by name, answering the envelope whatever its errors (the CLI's `call`). */
  raw(method: string, body: unknown, options?: CallOptions): Promise<Envelope>;
  /** The live event stream, resumed by itself (see events.ts). */
  subscribe(options: SubscribeOptions): Subscription;
}

/** Methods that change nothing: retrying them after a lost answer is safe. */
export function isReadOnlyMethod(name: string): boolean {
  return /^(show|list)/.test(name);
}

const RETRYABLE_GATEWAY = new Set([502, 504]);

/**
 * The method names, listed here rather than taken from METHODS: METHODS is
 * built with TypeBox, whose import alone costs a CLI start 250–350 ms on this
 * machine, and the client needs only the names at run time (its types come
 * from the schemas, erased when compiled). `satisfies` makes the compiler
 * refuse a list with a method missing or one too many.
 */
const METHOD_NAMES = Object.keys({
  createSession: 1,
  deleteSession: 1,
  showCurrentSession: 1,
  createOrg: 1,
  showOrg: 1,
  listOrgs: 1,
  changeOrg: 1,
  deleteOrg: 1,
  createUsers: 1,
  createUsersUsingString: 1,
  showUser: 1,
  listUsers: 1,
  changeUser: 1,
  deleteUsers: 1,
  changePassword: 1,
  resetPassword: 1,
  createAgents: 1,
  createAgentsUsingString: 1,
  acquireAgent: 1,
  releaseAgent: 1,
  deleteAgents: 1,
  showAgentStateUsingUser: 1,
  showAgentStateUsingDevice: 1,
  listAgentStatesUsingEntity: 1,
  changeAgentState: 1,
  showAgentGroupState: 1,
  listAgentGroupStates: 1,
  changeAgentGroupState: 1,
  createAgentGroup: 1,
  deleteAgentGroup: 1,
  showAgentGroup: 1,
  changeAgentGroup: 1,
  createScheduleGroup: 1,
  deleteScheduleGroup: 1,
  showScheduleGroup: 1,
} satisfies Record<MethodName, 1>) as MethodName[];

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function isEnvelope(value: unknown): value is Omit<Envelope, "status" | "replayed"> {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.data) && Array.isArray(v.errors) && Array.isArray(v.warnings);
}

function retryAfterSeconds(response: Response): number | undefined {
  const header = response.headers.get("retry-after");
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

export function createClient(options: ClientOptions): CallboardClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const retries = options.retries ?? 3;
  const firstDelay = options.retryDelayMs ?? 200;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;

  async function attempt(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const signals = [signal, options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    return doFetch(url, { ...init, ...(signals.length ? { signal: AbortSignal.any(signals) } : {}) });
  }

  async function raw(method: string, body: unknown, call: CallOptions = {}): Promise<Envelope> {
    const url = `${baseUrl}/api/v1/${encodeURIComponent(method)}`;
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (options.auth) headers.authorization = authorizationHeader(options.auth);
    if (call.idempotencyKey !== undefined) headers["idempotency-key"] = call.idempotencyKey;
    const safeWithoutAnswer = isReadOnlyMethod(method) || call.idempotencyKey !== undefined;
    const init: RequestInit = { method: "POST", headers, body: JSON.stringify(body ?? {}) };
    for (let tryNumber = 0; ; tryNumber++) {
      const backoff = Math.min(maxDelay, firstDelay * 2 ** tryNumber);
      const canRetry = tryNumber < retries;
      let response: Response;
      try {
        response = await attempt(url, init, call.signal);
      } catch (error) {
        if (call.signal?.aborted) throw error;
        if (canRetry && safeWithoutAnswer) {
          await delay(backoff, call.signal);
          continue;
        }
        const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
        throw new TransportError(`cannot reach ${url}${cause}`);
      }
      const after = retryAfterSeconds(response);
      if (canRetry && (response.status === 429 || response.status === 503)) {
        await response.body?.cancel();
        await delay(Math.min(maxDelay, after === undefined ? backoff : after * 1000), call.signal);
        continue;
      }
      if (canRetry && safeWithoutAnswer && RETRYABLE_GATEWAY.has(response.status)) {
        await response.body?.cancel();
        await delay(backoff, call.signal);
        continue;
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
      return {
        status: response.status,
        data: parsed.data,
        dataOffset: typeof parsed.dataOffset === "number" ? parsed.dataOffset : 0,
        errors: parsed.errors,
        warnings: parsed.warnings,
        replayed: response.headers.get("idempotent-replayed") === "true",
        ...(after === undefined ? {} : { retryAfter: after }),
      };
    }
  }

  async function typed<M extends MethodName>(method: M, input: unknown, call?: CallOptions): Promise<Result<M>> {
    const envelope = await raw(method, input ?? {}, call);
    if (envelope.errors.length > 0) {
      throw new CallboardError(method, envelope.status, envelope.errors, envelope.warnings, envelope.retryAfter);
    }
    return { data: envelope.data as ResultItem<M>[], warnings: envelope.warnings, dataOffset: envelope.dataOffset };
  }

  const methods = Object.fromEntries(
    METHOD_NAMES.map((name) => [name, (input?: unknown, call?: CallOptions) => typed(name, input, call)]),
  ) as unknown as MethodFunctions;

  const transport: EventsTransport = { baseUrl, auth: options.auth, fetch: doFetch };
  return {
    ...methods,
    raw,
    subscribe: (subscription) => subscribe(transport, subscription),
  };
}
