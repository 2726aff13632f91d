/**
 * The server's timeouts (SPEC §1, §10): `CALLBOARD_REQUEST_TIMEOUT_MS` bounds
 * reading a request (its headers, and the whole request with its body) and how
 * long a connection may sit idle; it never bounds a handler that is running.
 *
 * Node's http server enforces `headersTimeout` and `requestTimeout` only while
 * a request is being read (a request whose body has arrived leaves the list it
 * checks), but it checks that list every `connectionsCheckingInterval` (30 s by
 * default), and `headersTimeout` defaults to 60 s whatever `requestTimeout`
 * says: slow headers were cut at ~60 s and slow bodies at up to ~90 s against
 * a documented 30 s. Fastify's `connectionTimeout` is a socket inactivity
 * timeout, which also fires while a handler computes and nothing is sent: it
 * cut a long createUsers after 30 s and the client saw an empty reply while the
 * server went on to commit. So it stays 0, and the idle timeout of a kept-alive
 * connection is `keepAliveTimeout`.
 */
import type { ServerOptions } from "node:http";

export interface TimeoutOptions {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  http: ServerOptions;
}

export function serverTimeouts(timeoutMs: number): TimeoutOptions {
  return {
    requestTimeout: timeoutMs,
    keepAliveTimeout: timeoutMs,
    connectionTimeout: 0,
    http: {
      requestTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      // How late a cut may come, past the timeout: a tenth of it, 1 s at most.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeoutMs / 10))),
    },
  };
}
