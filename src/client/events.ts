/**
 * The event subscription (SPEC §6): `GET /api/v1/events` as Server-Sent Events
 * over fetch, resumed by itself. After a dropped connection, a stream that
 * ends, a proxy's 502/503/504, a 429 or silence past the heartbeat, it waits
 * (the server's `retry:` hint, doubling on each failure in a row, at most 30 s)
 * and reconnects with `Last-Event-ID` set to the last seq it delivered, so
 * the consumer sees every event once, in seq order: nothing lost, nothing
 * repeated (events at or below that seq are dropped, should a server resend).
 *
 * `snapshot: true` starts with the picture of everything in scope (handed to
 * `onSnapshot` with the seq S it is consistent with), then every event after S.
 * A resume point the server no longer keeps (410) is fatal unless `onSnapshot`
 * is given: then the subscription starts over from a fresh snapshot.
 */
import type { CallboardEvent, EventType, Snapshot } from "../domain/results.js";
import { CallboardError, TransportError } from "./errors.js";
import { authorizationHeader, type ClientAuth } from "./http.js";
import { SseParser } from "./sse.js";

export type SubscriptionStatus = "connecting" | "live" | "reconnecting" | "closed";

export interface SubscribeOptions {
  /** resume after this seq (0: from the oldest event kept); without it, from the present */
  since?: number;
  /** start with a snapshot (ignored when there is a resume point) */
  snapshot?: boolean;
  types?: readonly (EventType | (string & {}))[];
  /** an agent group's internalId */
  agentGroup?: string;
  onEvent: (event: CallboardEvent) => void;
  onSnapshot?: (snapshot: Snapshot, seq: number) => void;
  onStatus?: (status: SubscriptionStatus, detail?: string) => void;
  /** a failure that ends the subscription (401, 403, 400, a 410 without onSnapshot) */
  onError?: (error: Error) => void;
  signal?: AbortSignal;
  /** first reconnection delay, until the server sends `retry:` (default 1000 ms) */
  retryMs?: number;
  /** at most this long between reconnections (default 30 s) */
  maxRetryMs?: number;
  /** reconnect when nothing, not even a heartbeat, arrived for this long (default 45 s: 3 heartbeats) */
  idleTimeoutMs?: number;
}

export interface Subscription {
  /** the seq of the last event (or snapshot) delivered */
  readonly lastEventId: number | undefined;
  readonly status: SubscriptionStatus;
  /** settles when the subscription ends: resolves on close(), rejects on a fatal error */
  readonly done: Promise<void>;
  close(): void;
}

export interface EventsTransport {
  baseUrl: string;
  auth: ClientAuth | undefined;
  fetch: typeof fetch;
}

/** Statuses after which reconnecting may help. */
const TRANSIENT = new Set([408, 425, 429, 500, 502, 503, 504]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export function subscribe(transport: EventsTransport, options: SubscribeOptions): Subscription {
  const stop = new AbortController();
  options.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  let lastEventId = options.since;
  let wantSnapshot = options.snapshot === true && options.since === undefined;
  let status: SubscriptionStatus = "connecting";
  let retryMs = options.retryMs ?? 1000;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;

  const setStatus = (next: SubscriptionStatus, detail?: string) => {
    status = next;
    options.onStatus?.(next, detail);
  };

  function url(): string {
    const query = new URLSearchParams();
    if (wantSnapshot && lastEventId === undefined) query.set("snapshot", "true");
    if (options.types?.length) query.set("types", options.types.join(","));
    if (options.agentGroup) query.set("agentGroup", options.agentGroup);
    const search = query.toString();
    return `${transport.baseUrl.replace(/\/+$/, "")}/api/v1/events${search ? `?${search}` : ""}`;
  }

  function deliver(event: string, id: string | undefined, data: string): void {
    const seq = id === undefined || id === "" ? undefined : Number(id);
    if (event === "snapshot") {
      if (seq === undefined || !Number.isFinite(seq)) throw new TransportError("a snapshot without a seq id");
      lastEventId = seq;
      wantSnapshot = false;
      options.onSnapshot?.(JSON.parse(data) as Snapshot, seq);
      return;
    }
    const parsed = JSON.parse(data) as CallboardEvent;
    const eventSeq = typeof parsed.seq === "number" ? parsed.seq : seq;
    if (eventSeq !== undefined && lastEventId !== undefined && eventSeq <= lastEventId) return;
    if (eventSeq !== undefined) lastEventId = eventSeq;
    options.onEvent(parsed);
  }

  /** One connection: answers when it ended and should be retried; throws when it must not be. */
  async function connect(): Promise<"retry"> {
    const headers: Record<string, string> = { accept: "text/event-stream", "cache-control": "no-cache" };
    if (transport.auth) headers.authorization = authorizationHeader(transport.auth);
    if (lastEventId !== undefined) headers["last-event-id"] = String(lastEventId);
    const connection = new AbortController();
    const abortConnection = () => connection.abort();
    stop.signal.addEventListener("abort", abortConnection, { once: true });
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(), idleTimeoutMs);
    };
    try {
      touch();
      let response: Response;
      try {
        response = await transport.fetch(url(), { headers, signal: connection.signal });
      } catch {
        return "retry";
      }
      if (response.status !== 200) {
        const text = await response.text().catch(() => "");
        if (TRANSIENT.has(response.status)) {
          const after = Number(response.headers.get("retry-after"));
          if (Number.isFinite(after) && after > 0) retryMs = Math.max(retryMs, after * 1000);
          return "retry";
        }
        let errors: CallboardError["errors"] = [];
        try {
          errors = (JSON.parse(text) as { errors?: CallboardError["errors"] }).errors ?? [];
        } catch {}
        const error = new CallboardError("events", response.status, errors);
        if (response.status === 410 && options.onSnapshot) {
          lastEventId = undefined;
          wantSnapshot = true;
          setStatus("reconnecting", "the resume point is gone: starting over from a snapshot");
          return "retry";
        }
        throw error;
      }
      if (!response.body) return "retry";
      setStatus("live");
      retryMs = options.retryMs ?? 1000;
      const parser = new SseParser((ms) => {
        retryMs = ms;
      });
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch {
          return "retry"; // dropped, or aborted by the idle timer or close()
        }
        if (chunk.done) return "retry";
        touch();
        // A frame that is not the contract's JSON, or a handler that throws, ends the subscription.
        for (const frame of parser.feed(decoder.decode(chunk.value, { stream: true }))) {
          deliver(frame.event, frame.id, frame.data);
        }
      }
    } finally {
      clearTimeout(idle);
      connection.abort(); // releases the socket when the subscription ends on an error
      stop.signal.removeEventListener("abort", abortConnection);
    }
  }

  const done = (async () => {
    let failures = 0;
    while (!stop.signal.aborted) {
      const started = Date.now();
      await connect();
      if (stop.signal.aborted) break;
      // A connection that stayed up a while was a success: start the backoff over.
      failures = Date.now() - started > 5_000 ? 0 : failures + 1;
      const wait = Math.min(maxRetryMs, retryMs * 2 ** Math.max(0, failures - 1));
      setStatus("reconnecting", `in ${wait} ms`);
      await sleep(wait, stop.signal);
    }
    setStatus("closed");
  })();
  done.catch((error: unknown) => {
    setStatus("closed", (error as Error).message);
    options.onError?.(error as Error);
  });

  return {
    get lastEventId() {
      return lastEventId;
    },
    get status() {
      return status;
    },
    done,
    close() {
      stop.abort();
    },
  };
}
