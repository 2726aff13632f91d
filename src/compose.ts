/**
 * Wiring: config → database → services → HTTP app. Used by main.ts and by the
 * tests, which pass their own clock, ids, password cost and database location.
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { buildApp } from "./http/app.js";
import { createMetrics, type Metrics } from "./http/metrics.js";
import { type BootstrapOutcome, bootstrap } from "./services/bootstrap.js";
import { sweepBreaks } from "./services/breaks.js";
import { type Clock, type Deps, type IdGenerator, randomId, systemClock } from "./services/context.js";
import { CredentialCache } from "./services/credentials.js";
import { createServices } from "./services/index.js";
import { expireLeases } from "./services/leases.js";
import { type PasswordHasher, scryptHasher } from "./services/passwords.js";
import { every } from "./services/periodic.js";
import { pruneEvents } from "./services/retention.js";
import { openDatabase } from "./storage/database.js";
import { KEEP_KEYS_MS, pruneKeys } from "./storage/idempotency.js";

/** How often Breaks are checked against maxBreakTime (its unit is minutes). */
const BREAK_SWEEP_MS = 5_000;
/** How often ended leases are looked for: a lease is released within 1 s of its end (SPEC §5.3). */
const LEASE_SWEEP_MS = 250;
/** How often events past their retention (counted in days) are deleted. */
const PRUNE_EVENTS_MS = 3_600_000;

export interface Overrides {
  clock?: Clock;
  newId?: IdGenerator;
  logger?: Logger;
  /**
   * false: no background sweeps (breaks, leases, retention); a test that moves
   * its own clock runs them itself, at the steps it chooses.
   */
  background?: boolean;
  passwords?: PasswordHasher;
}

export interface Runtime {
  app: FastifyInstance;
  deps: Deps;
  bootstrapped: BootstrapOutcome;
  /** the server's metrics; the event stream keeps `sseSubscribers` current */
  metrics: Metrics;
  close(): Promise<void>;
}

export async function compose(config: Config, overrides: Overrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const metrics = createMetrics();
  const db = await openDatabase({
    onTransaction: (ms, committed) => metrics.observeTransaction(ms, committed),
    url: config.databaseUrl,
    dataDir: config.dataDir,
    sync: config.sync,
    clock: () => clock.now(),
    onListenerError: (error) =>
      overrides.logger?.error({ err: error }, "publishing or numbering committed events failed"),
  });
  const deps: Deps = {
    db,
    config,
    clock,
    newId: overrides.newId ?? randomId,
    passwords: overrides.passwords ?? scryptHasher(config.passwordHashCost),
    credentials: new CredentialCache(config.credentialCacheMs),
  };
  const bootstrapped = await bootstrap(deps);
  const app = await buildApp({ ...deps, services: createServices(deps), logger: overrides.logger, metrics });
  await app.ready();
  const failed = (task: string) => (error: unknown) => overrides.logger?.error({ err: error }, `${task} failed`);
  const stopTasks =
    overrides.background === false
      ? []
      : [
          every(BREAK_SWEEP_MS, () => sweepBreaks(deps), failed("break sweep")),
          every(LEASE_SWEEP_MS, () => expireLeases(deps), failed("lease expiry")),
          every(PRUNE_EVENTS_MS, () => pruneEvents(deps), failed("event pruning")),
          every(
            PRUNE_EVENTS_MS,
            () => pruneKeys(db.q, clock.now().getTime(), KEEP_KEYS_MS),
            failed("idempotency key pruning"),
          ),
        ];
  return {
    app,
    deps,
    bootstrapped,
    metrics,
    async close() {
      for (const stop of stopTasks) stop();
      await app.close();
      await db.close();
    },
  };
}
