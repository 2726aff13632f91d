/**
 * The composition root: config → logger → database → services → HTTP → listen.
 * SIGTERM and SIGINT close the listener, let in-flight requests finish, then
 * close the database.
 */
import { pino } from "pino";
import { compose } from "./compose.js";
import { ConfigError, loadConfig } from "./config.js";

/** How long in-flight handlers may run on after SIGTERM, past the request timeout. */
const SHUTDOWN_GRACE_MS = 300_000;

export async function serve(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { service: "callboard" } });
  const runtime = await compose(config, { logger });
  if (runtime.bootstrapped.generatedPassword) {
    // Printed once, on the first start against an empty database.
    process.stdout.write(
      `\nCallboard administrator: ${config.adminUser}\npassword (shown once): ${runtime.bootstrapped.generatedPassword}\n\n`,
    );
  }
  const address = await runtime.app.listen({ port: config.port, host: config.host });
  logger.info(
    { address, database: runtime.deps.db.dialect, dataDir: config.databaseUrl ? undefined : config.dataDir },
    "callboard listening",
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    // Keep-alive connections that fall idle after their last response would
    // hold the close open until they time out: close them as they go idle.
    const sweep = setInterval(() => runtime.app.server.closeIdleConnections(), 100);
    // The request timeout bounds reading requests, not running handlers (a
    // createUsers of 1,000 hashes for tens of seconds and is still answered):
    // the deadline only guards against a hang.
    const deadline = setTimeout(() => {
      logger.error("shutdown did not finish in time");
      process.exit(1);
    }, config.requestTimeoutMs + SHUTDOWN_GRACE_MS);
    deadline.unref();
    runtime.close().then(
      () => {
        clearInterval(sweep);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await serve();
}
