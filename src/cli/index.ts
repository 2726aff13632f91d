/**
 * The `callboard` command. `serve` runs the server in this process; every other
 * command is a client of the HTTP API and goes through `src/client/`, never to
 * the database, so the CLI can do nothing a remote caller could not.
 *
 * The client commands read CALLBOARD_URL, CALLBOARD_USER and CALLBOARD_PASSWORD
 * (SPEC §7). They are the CLI's own settings, not the server's, which is why
 * they are read here and not in src/config.ts.
 *
 * Exit codes: 0 when the call succeeded (errors empty, warnings allowed), 1 when
 * the server answered with errors, 2 when no answer was obtained (bad JSON
 * argument, unreadable file, server unreachable).
 */
import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { createClient } from "../client/client.js";
import type { ClientAuth } from "../client/http.js";
import { packageVersion } from "../version.js";
import { registerAgentsCommand } from "./agents-command.js";
import { registerDemo } from "./demo.js";
import { addImportCommand } from "./import.js";
import { commandRunner } from "./outcome.js";
import { DEFAULT_URL, missingCredentials, UsageProblem } from "./settings.js";
import { registerWatchCommand } from "./watch-command.js";

export { DEFAULT_URL };

type Env = Record<string, string | undefined>;

export interface ClientSettings {
  url: string;
  auth: ClientAuth | undefined;
}

export function clientSettings(env: Env): ClientSettings {
  const user = env.CALLBOARD_USER;
  return {
    url: env.CALLBOARD_URL || DEFAULT_URL,
    auth: user ? { user, password: env.CALLBOARD_PASSWORD ?? "" } : undefined,
  };
}

/** The body of `call`: JSON text, or `@path` to read it from a file. */
async function readBody(argument: string | undefined): Promise<unknown> {
  let text = argument ?? "{}";
  let origin = "the json argument";
  if (text.startsWith("@")) {
    const path = text.slice(1);
    origin = path;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new UsageProblem(`cannot read ${path}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageProblem(`${origin} is not valid JSON: ${(error as Error).message}`);
  }
}

export interface Io {
  env: Env;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** receives the exit code the command wants */
  exit: (code: number) => void;
  serve: () => Promise<void>;
  /** a signal aborted on SIGINT/SIGTERM, for long-running commands (watch) */
  interrupted?: () => AbortSignal;
}

export function buildProgram(io: Io): Command {
  const program = new Command()
    .name("callboard")
    .description("Callboard: a contact center's agent roster and agent state server.")
    .version(packageVersion())
    .showHelpAfterError();
  const run = commandRunner(io);

  program
    .command("serve")
    .description("Run the server (configured by the CALLBOARD_* environment variables).")
    .action(async () => {
      await io.serve();
    });

  program
    .command("call")
    .description(
      "Call one API method and print the Response envelope. Uses CALLBOARD_URL " +
        `(default ${DEFAULT_URL}), CALLBOARD_USER and CALLBOARD_PASSWORD (Basic auth).`,
    )
    .argument("<method>", "the method name, e.g. showCurrentSession")
    .argument("[json]", "the arguments as a JSON object, or @file to read them from a file", "{}")
    .option("--idempotency-key <key>", "sent as Idempotency-Key: a repeat changes nothing")
    .addHelpText(
      "after",
      "\nExit code: 0 when errors is empty, 1 when the server answered with errors, 2 when there was no answer.",
    )
    .action((method: string, json: string, options: { idempotencyKey?: string }) =>
      run(async () => {
        const settings = clientSettings(io.env);
        const body = await readBody(json);
        const client = createClient({ baseUrl: settings.url, auth: settings.auth, retries: 0 });
        const call = options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {};
        const { data, dataOffset, errors, warnings } = await client.raw(method, body, call);
        io.stdout(`${JSON.stringify({ data, dataOffset, errors, warnings }, null, 2)}\n`);
        const hint = missingCredentials(io.env);
        if (hint && (errors[0]?.code === "NO_SESSION" || errors[0]?.code === "AUTHENTICATION_FAILURE"))
          io.stderr(`callboard: ${hint}\n`);
        return errors.length === 0 ? 0 : 1;
      }),
    );

  registerAgentsCommand(program, io, run);
  registerWatchCommand(program, io, run);

  addImportCommand(program, { ...io, isTty: process.stderr.isTTY }, clientSettings);
  registerDemo(program, io);

  return program;
}

/** Entry point of bin/callboard.js. */
export async function run(argv: readonly string[]): Promise<void> {
  const program = buildProgram({
    interrupted: () => {
      const interrupt = new AbortController();
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => interrupt.abort());
      return interrupt.signal;
    },
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    exit: (code) => {
      process.exitCode = code;
    },
    serve: async () => {
      // Imported here so that `callboard call` does not load the server's dependencies.
      const { serve } = await import("../main.js");
      await serve();
    },
  });
  await program.parseAsync([...argv]);
}
