/**
 * One EventSource on `GET /api/v1/events?snapshot=true` (SPEC §6), the cookie
 * authenticating it, and what a browser's EventSource does not do by itself.
 *
 * - A dropped connection: the browser reconnects on its own and sends
 *   Last-Event-ID, so the stream resumes after the last event it saw.
 * - Any non-200 answer (410 resume point too old, 401, a proxy's 502, a 503 while
 *   the server restarts): the browser gives up for good (readyState CLOSED). The
 *   board then asks the JSON door what the matter is and opens a new EventSource:
 *   from the last seq it applied, or, after a 410, from a new snapshot.
 *
 * Events are not applied as they arrive: they are queued and handed over in one
 * batch per animation frame, so 100 changes a second cost at most one render a
 * frame (and, in a hidden tab, where frames stop, a timer takes over).
 */
import type { BoardEvent, Snapshot } from "./types.js";

export type StreamStatus = "connecting" | "live" | "reconnecting" | "signedOut";

export type StreamItem = { kind: "snapshot"; seq: number; snapshot: Snapshot } | { kind: "event"; event: BoardEvent };

/** The event types that change what the board shows. */
export const BOARD_EVENT_TYPES = [
  "agentState.changed",
  "agentState.deleted",
  "agentState.breakExceeded",
  "agentGroupState.changed",
  "agentGroup.created",
  "agentGroup.changed",
  "agentGroup.deleted",
] as const;

export interface StreamOptions {
  onBatch: (items: StreamItem[]) => void;
  onStatus: (status: StreamStatus) => void;
  path?: string;
}

const MAX_BACKOFF_MS = 10_000;
/** A hidden tab gets no animation frames; batches still flow at this pace. */
const HIDDEN_FLUSH_MS = 250;

export class BoardStream {
  private source: EventSource | undefined;
  private lastSeq: number | undefined;
  private queue: StreamItem[] = [];
  private frame: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly path: string;

  constructor(private readonly options: StreamOptions) {
    this.path = options.path ?? "/api/v1/events";
  }

  start(): void {
    this.open(true);
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = undefined;
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    clearTimeout(this.retry);
  }

  private open(snapshot: boolean): void {
    if (this.stopped) return;
    this.source?.close();
    const url =
      snapshot || this.lastSeq === undefined ? `${this.path}?snapshot=true` : `${this.path}?since=${this.lastSeq}`;
    const source = new EventSource(url);
    this.source = source;
    this.options.onStatus(this.lastSeq === undefined ? "connecting" : "reconnecting");
    source.onopen = () => {
      if (source !== this.source) return;
      this.failures = 0;
      this.options.onStatus("live");
    };
    source.onerror = () => {
      if (source !== this.source) return;
      if (source.readyState === EventSource.CLOSED) this.gaveUp();
      else this.options.onStatus("reconnecting");
    };
    source.addEventListener("snapshot", (message) => {
      if (source !== this.source) return;
      const seq = Number((message as MessageEvent<string>).lastEventId);
      const snapshot = JSON.parse((message as MessageEvent<string>).data) as Snapshot;
      this.lastSeq = seq;
      // Whatever was queued is older than the snapshot, which already contains it.
      this.queue = [{ kind: "snapshot", seq, snapshot }];
      this.schedule();
    });
    for (const type of BOARD_EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        if (source !== this.source) return;
        const event = JSON.parse((message as MessageEvent<string>).data) as BoardEvent;
        if (this.lastSeq === undefined || event.seq > this.lastSeq) this.lastSeq = event.seq;
        this.queue.push({ kind: "event", event });
        this.schedule();
      });
    }
  }

  /** The browser will not retry this one: find out why, then open a new stream. */
  private gaveUp(): void {
    this.source?.close();
    this.source = undefined;
    this.options.onStatus("reconnecting");
    this.failures++;
    const wait = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.failures, 6)) * (0.75 + Math.random() / 2);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.diagnose().then(
        (next) => {
          if (next === "signedOut") {
            this.stop();
            this.options.onStatus("signedOut");
          } else this.open(next === "snapshot");
        },
        () => this.gaveUp(),
      );
    }, wait);
  }

  private async diagnose(): Promise<"resume" | "snapshot" | "signedOut"> {
    if (this.lastSeq === undefined) return "snapshot";
    let status: number;
    try {
      const probe = await fetch(`${this.path}?since=${this.lastSeq}&format=json&limit=1`, {
        credentials: "same-origin",
        headers: { accept: "application/json" },
      });
      status = probe.status;
      await probe.body?.cancel();
    } catch {
      // Unreachable: try the stream again; its failure brings us back here.
      return "resume";
    }
    if (status === 401) return "signedOut";
    // Too old (410), or past what the server has (400: its database was replaced): start afresh.
    if (status === 410 || status === 400) return "snapshot";
    return "resume";
  }

  private schedule(): void {
    if (this.frame !== undefined || this.timer !== undefined) return;
    this.frame = requestAnimationFrame(() => this.flush());
    this.timer = setTimeout(() => this.flush(), HIDDEN_FLUSH_MS);
  }

  private flush(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.frame = undefined;
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    this.options.onBatch(items);
  }
}
