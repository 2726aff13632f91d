/**
 * The Prometheus metrics of one server (SPEC §7), in a registry of its own (so
 * several apps in one process, as in the tests, never share series). The HTTP
 * layer records requests and acquire outcomes, the database reports each write
 * transaction, and two gauges are read from the database at scrape time.
 * `sseSubscribers` is for the event stream to keep current (inc on connect,
 * dec on close).
 */

import type { Kysely } from "kysely";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { agentsByState, lastEventSeq } from "../storage/metrics.js";
import type { Schema } from "../storage/schema.js";

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** SPEC §4's enumerations, so that every combination is exported, at 0 when empty. */
const WORK_STATES = ["LoggedOut", "NotReady", "Ready", "Break"];
const CONTACT_STATES = ["Idle", "Acquired", "Connected"];

export type AcquireOutcome = "acquired" | "none" | "error";

export interface Metrics {
  readonly registry: Registry;
  observeRequest(method: string, status: number, seconds: number): void;
  observeAcquire(outcome: AcquireOutcome): void;
  /** the database's `onTransaction` hook */
  observeTransaction(ms: number, committed: boolean): void;
  /** the open event-stream connections */
  readonly sseSubscribers: Pick<Gauge, "inc" | "dec" | "set">;
  /** where the scrape-time gauges read from */
  readFrom(q: Kysely<Schema>): void;
  /** how many event-stream subscribers this process has, read at scrape time */
  subscribersFrom(count: () => number): void;
  /** the exposition text */
  scrape(): Promise<string>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  let source: Kysely<Schema> | undefined;

  const requests = new Counter({
    name: "callboard_http_requests_total",
    help: "HTTP requests answered, by API method (or route) and status.",
    labelNames: ["method", "status"] as const,
    registers,
  });
  const latency = new Histogram({
    name: "callboard_http_request_duration_seconds",
    help: "Time from receiving a request to the end of its response, by API method (or route).",
    labelNames: ["method"] as const,
    buckets: SECONDS,
    registers,
  });
  const acquires = new Counter({
    name: "callboard_acquire_total",
    help: "acquireAgent calls by outcome: acquired (an agent), none (no agent free), error.",
    labelNames: ["outcome"] as const,
    registers,
  });
  for (const outcome of ["acquired", "none", "error"]) acquires.inc({ outcome }, 0);
  const transactions = new Histogram({
    name: "callboard_db_transaction_duration_seconds",
    help: "Duration of write transactions, by outcome (commit, rollback).",
    labelNames: ["outcome"] as const,
    buckets: SECONDS,
    registers,
  });
  const subscribers = new Gauge({
    name: "callboard_sse_subscribers",
    help: "Open event-stream connections.",
    registers,
  });
  new Gauge({
    name: "callboard_agents",
    help: "Agents by work state and contact state.",
    labelNames: ["work_state", "contact_state"] as const,
    registers,
    async collect() {
      if (!source) return;
      const counts = await agentsByState(source);
      for (const work_state of WORK_STATES)
        for (const contact_state of CONTACT_STATES) this.set({ work_state, contact_state }, 0);
      for (const c of counts) this.set({ work_state: c.workState, contact_state: c.contactState }, c.agents);
    },
  });
  new Gauge({
    name: "callboard_event_seq",
    help: "The seq of the last event appended to the event log.",
    registers,
    async collect() {
      if (source) this.set(await lastEventSeq(source));
    },
  });

  let countSubscribers: (() => number) | undefined;

  return {
    registry,
    observeRequest(method, status, seconds) {
      requests.inc({ method, status: String(status) });
      latency.observe({ method }, seconds);
    },
    observeAcquire(outcome) {
      acquires.inc({ outcome });
    },
    observeTransaction(ms, committed) {
      transactions.observe({ outcome: committed ? "commit" : "rollback" }, ms / 1000);
    },
    sseSubscribers: subscribers,
    readFrom(q) {
      source = q;
    },
    subscribersFrom(count) {
      countSubscribers = count;
    },
    async scrape() {
      if (countSubscribers) subscribers.set(countSubscribers());
      return registry.metrics();
    },
  };
}
