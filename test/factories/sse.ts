/**
 * A Server-Sent Events client over a real socket (app.inject does not stream),
 * parsing frames as they arrive, and helpers to listen on a free port.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";

export interface Frame {
  id?: string;
  event: string;
  data: string;
}

export interface WireEvent {
  seq: number;
  type: string;
  time: string;
  account: { internalId: string; externalId: string | null } | null;
  data: Record<string, unknown>;
}

/** Listens on a free port of 127.0.0.1 (once per app) and answers the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  const address = app.server.address() as AddressInfo | null;
  if (address) return `http://127.0.0.1:${address.port}`;
  await app.listen({ port: 0, host: "127.0.0.1" });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export class SseStream {
  readonly frames: Frame[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  ended = false;
  readonly #waiters = new Set<() => void>();
  #buffer = "";
  #frame: { id?: string; event?: string; data: string[] } = { data: [] };
  readonly endedAt: Promise<void>;

  constructor(
    readonly status: number,
    readonly headers: http.IncomingHttpHeaders,
    readonly response: http.IncomingMessage,
    readonly body: string,
  ) {
    response.setEncoding("utf8");
    this.endedAt = new Promise((resolve) => {
      const done = () => {
        this.ended = true;
        this.#notify();
        resolve();
      };
      response.on("end", done);
      response.on("close", done);
      response.on("error", done);
    });
    response.on("data", (chunk: string) => this.#feed(chunk));
  }

  /** The events (not the snapshot) received so far. */
  get events(): WireEvent[] {
    return this.frames.filter((f) => f.event !== "snapshot").map((f) => JSON.parse(f.data) as WireEvent);
  }

  get lastId(): string | undefined {
    return this.frames[this.frames.length - 1]?.id;
  }

  #feed(chunk: string): void {
    this.#buffer += chunk;
    for (;;) {
      const nl = this.#buffer.indexOf("\n");
      if (nl < 0) break;
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      this.#line(line);
    }
    this.#notify();
  }

  #line(line: string): void {
    if (line === "") {
      if (this.#frame.data.length > 0) {
        this.frames.push({
          id: this.#frame.id,
          event: this.#frame.event ?? "message",
          data: this.#frame.data.join("\n"),
        });
      }
      this.#frame = { data: [] };
      return;
    }
    if (line.startsWith(":")) {
      this.comments.push(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") this.#frame.id = value;
    else if (field === "event") this.#frame.event = value;
    else if (field === "data") this.#frame.data.push(value);
    else if (field === "retry") this.retry = Number(value);
  }

  #notify(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Waits until `done()` holds (checked on every chunk), or fails after `ms`. */
  async until(done: () => boolean, ms = 10_000, what = "the stream"): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) {
          cleanup();
          resolve();
        } else if (this.ended) {
          cleanup();
          reject(new Error(`${what}: the stream ended first (${this.frames.length} frames)`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${what}: not within ${ms} ms (${this.frames.length} frames)`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }

  close(): void {
    this.response.destroy();
  }
}

/** Opens `GET path` and answers once the headers (and, for a non-200, the body) arrived. */
export function openStream(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}${path}`, { headers, agent: false }, (response) => {
      const status = response.statusCode ?? 0;
      if (status !== 200 || !String(response.headers["content-type"]).startsWith("text/event-stream")) {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolve(new SseStream(status, response.headers, response, body)));
        return;
      }
      resolve(new SseStream(status, response.headers, response, ""));
    });
    request.on("error", reject);
  });
}
