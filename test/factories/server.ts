/**
 * Real ports for the tests that need HTTP on the wire: the production app
 * listening on 127.0.0.1 (a fresh database, as startApp), and small fake
 * servers whose every request the test scripts and records.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startApp, type TestApp } from "./app.js";

export interface LiveApp extends TestApp {
  url: string;
}

export async function startLiveApp(options: Parameters<typeof startApp>[0] = {}): Promise<LiveApp> {
  const t = await startApp(options);
  const url = await t.runtime.app.listen({ port: 0, host: "127.0.0.1" });
  return Object.assign(t, { url });
}

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface FakeServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** A server that answers request n (0-based) with `handlers[n]` (the last one again after the end). */
export async function fakeServer(
  handlers: ((request: IncomingMessage, response: ServerResponse, seen: Seen) => void)[],
): Promise<FakeServer> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      const entry = { method: request.method ?? "", url: request.url ?? "", headers: request.headers, body };
      seen.push(entry);
      const handler = handlers[Math.min(seen.length - 1, handlers.length - 1)];
      handler?.(request, response, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers an envelope as the server would. */
export function answer(status: number, envelope: Record<string, unknown>, headers: Record<string, string> = {}) {
  return (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify({ data: [], dataOffset: 0, errors: [], warnings: [], ...envelope }));
  };
}

/** Cuts the connection without an answer. */
export function hangUp(request: IncomingMessage) {
  request.socket.destroy();
}
