/**
 * `callboard demo`: a live board in ten seconds. Starts the server on a
 * throw-away embedded database (a temp directory, removed on exit), seeds it
 * through the HTTP API like any client would, and runs a simulated dialer and
 * simulated agents against that same API, each with its own session and role:
 *
 * - an Enterprise, an Account, a Supervisor (the sign-in printed) and a dialer user;
 * - "inbound" (Standard, a window around now with an allocatedCount, a 1-minute
 *   maxBreakTime so "break exceeded" shows up) with a schedule group "early-shift",
 *   and "outbound" (Enhanced, open around the clock);
 * - 50 agents: users with the Agent role who log in, go Ready, take breaks
 *   (some too long), step away and log out, each calling changeAgentState for itself;
 * - the dialer: acquireAgent Connected to a caller's number, releaseAgent after a
 *   random talk time, with the acquisition id as its fence.
 *
 * The demo is a client of the API (src/client/http.ts); only starting the server
 * is in-process, as `serve` does.
 */
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { type ClientAuth, callMethod } from "../client/http.js";

export const DEMO_SUPERVISOR = "supervisor@demo.callboard.local";
export const DEMO_PASSWORD = "callboard-demo";

export interface DemoOptions {
  port: number;
  host: string;
  agents: number;
  /** ms scale of the simulation: 1 is real time as a demo wants it; tests go faster */
  pace?: number;
  log?: (text: string) => void;
  /** aborts the start (Ctrl-C while seeding): what was made is closed and deleted */
  signal?: AbortSignal;
}

export interface Demo {
  url: string;
  supervisor: { externalId: string; password: string };
  accountId: string;
  /** the throw-away database's directory, removed by stop() */
  dataDir: string;
  groups: { internalId: string; externalId: string }[];
  stop(): Promise<void>;
}

type Ref = { internalId: string; externalId: string };

class DemoFailure extends Error {}

function newClient(url: string, auth: ClientAuth, signal?: AbortSignal) {
  return async <T = Record<string, unknown>>(method: string, body: unknown): Promise<T[]> => {
    if (signal?.aborted) throw new DemoFailure("stopped while starting");
    const { envelope } = await callMethod<T>(url, auth, method, body);
    if (envelope.errors.length > 0)
      throw new DemoFailure(`${method}: ${envelope.errors.map((e) => `${e.code} ${e.message}`).join("; ")}`);
    return envelope.data;
  };
}

const FIRST = ["Ada", "Ben", "Chloé", "Dev", "Emeka", "Fatima", "Gus", "Hana", "Ivan", "Jun", "Kofi", "Lena", "Mateo"];
const LAST = ["Okafor", "Lindqvist", "Tanaka", "Moreau", "Silva", "Novak", "Haddad", "Kim", "Byrne", "Rossi", "Patel"];

const between = (low: number, high: number) => low + Math.random() * (high - low);
const hhmm = (date: Date) => date.toISOString().slice(11, 16);

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const pace = options.pace ?? 1;
  const log = options.log ?? (() => undefined);
  const dataDir = mkdtempSync(join(tmpdir(), "callboard-demo-"));
  const adminPassword = randomBytes(12).toString("base64url");
  // Imported here so that the other commands do not load the server's dependencies.
  const { loadConfig } = await import("../config.js");
  const { compose } = await import("../compose.js");
  const config = loadConfig({
    CALLBOARD_DATA_DIR: dataDir,
    CALLBOARD_PORT: String(options.port),
    CALLBOARD_HOST: options.host,
    CALLBOARD_ADMIN_PASSWORD: adminPassword,
    // A throw-away database on this machine: a cheap hash makes 50 sign-ins instant.
    CALLBOARD_PASSWORD_HASH_COST: "1024",
    CALLBOARD_LOG_LEVEL: "warn",
  });
  const runtime = await compose(config);
  let stopped = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, task: () => Promise<void>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopped) return;
      task().catch((error: unknown) => {
        if (!stopped) log(`demo: ${(error as Error).message}\n`);
      });
    }, ms * pace);
    timers.add(timer);
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const address = await runtime.app.listen({ port: config.port, host: config.host });
    const url = address.replace("://[::1]", "://localhost");
    const admin = newClient(url, { user: config.adminUser, password: adminPassword }, options.signal);

    const [enterprise] = await admin<Ref>("createOrg", {
      child: { externalId: "Demo Enterprise" },
      parent: { internalId: "root" },
    });
    const [account] = await admin<Ref>("createOrg", {
      child: { externalId: "Demo Contact Center" },
      parent: { internalId: enterprise!.internalId },
    });
    const org = { internalId: account!.internalId };
    const now = new Date();
    const [inbound] = await admin<Ref>("createAgentGroup", {
      agentGroup: {
        externalId: "inbound",
        mode: "Standard",
        initialWorkState: "Ready",
        maxBreakTime: 1,
        currentSchedule: [
          {
            startTime: hhmm(new Date(now.getTime() - 3600_000)),
            endTime: hhmm(new Date(now.getTime() + 8 * 3600_000)),
            timeZone: "UTC",
            allocatedCount: 20,
          },
        ],
      },
      parent: org,
    });
    const [outbound] = await admin<Ref>("createAgentGroup", {
      agentGroup: {
        externalId: "outbound",
        mode: "Enhanced",
        initialWorkState: "NotReady",
        maxBreakTime: 2,
        currentSchedule: [{ open24: true, timeZone: "UTC" }],
      },
      parent: org,
    });
    const [shift] = await admin<Ref>("createScheduleGroup", {
      scheduleGroup: {
        externalId: "early-shift",
        schedule: [
          {
            startTime: hhmm(new Date(now.getTime() - 3600_000)),
            endTime: hhmm(new Date(now.getTime() + 4 * 3600_000)),
            timeZone: "UTC",
          },
        ],
      },
      parent: { internalId: inbound!.internalId },
    });

    const people = Array.from({ length: options.agents }, (_, i) => ({
      externalId: `agent${String(i + 1).padStart(2, "0")}@demo.callboard.local`,
      firstName: FIRST[i % FIRST.length]!,
      lastName: LAST[(i * 7) % LAST.length]!,
      roles: ["Agent"],
      password: DEMO_PASSWORD,
    }));
    await admin("createUsers", {
      users: [
        {
          externalId: DEMO_SUPERVISOR,
          firstName: "Sam",
          lastName: "Supervisor",
          roles: ["Supervisor"],
          password: DEMO_PASSWORD,
        },
        {
          externalId: "dialer@demo.callboard.local",
          firstName: "Dialer",
          lastName: "Bot",
          roles: ["Supervisor"],
          password: DEMO_PASSWORD,
        },
        ...people,
      ],
      org,
    });
    const inboundCount = Math.ceil(options.agents * 0.6);
    const states: { internalId: string; externalId: string }[] = [];
    const early = await admin<{ internalId: string; agent: { externalId: string } }>("createAgents", {
      agents: people.slice(0, Math.ceil(inboundCount / 3)).map((p) => ({ externalId: p.externalId })),
      agentGroup: { internalId: inbound!.internalId },
      initialState: { currentScheduleGroup: { internalId: shift!.internalId } },
    });
    const rest = await admin<{ internalId: string; agent: { externalId: string } }>("createAgents", {
      agents: people.slice(Math.ceil(inboundCount / 3), inboundCount).map((p) => ({ externalId: p.externalId })),
      agentGroup: { internalId: inbound!.internalId },
      initialState: {},
    });
    const out = await admin<{ internalId: string; agent: { externalId: string } }>("createAgents", {
      agents: people.slice(inboundCount).map((p) => ({ externalId: p.externalId })),
      agentGroup: { internalId: outbound!.internalId },
      initialState: {},
    });
    for (const s of [...early, ...rest, ...out])
      states.push({ internalId: s.internalId, externalId: s.agent.externalId });

    // --- simulated agents: each signs in and calls changeAgentState for itself
    for (const [index, state] of states.entries()) {
      if (options.signal?.aborted) throw new DemoFailure("stopped while starting");
      const [session] = await callMethod<{ internalId: string }>(url, undefined, "createSession", {
        externalId: state.externalId,
        password: DEMO_PASSWORD,
      }).then((r) => r.envelope.data);
      const self = newClient(url, { token: session!.internalId });
      const change = (fields: Record<string, unknown>) =>
        self("changeAgentState", { agentState: { internalId: state.internalId, ...fields } });
      // Most agents are at work at once (the board is alive from the first second);
      // a few arrive later.
      const arrival = index % 8 === 7 ? between(5_000, 30_000) : between(0, 2_000);
      const live = async () => {
        const roll = Math.random();
        if (roll < 0.08) {
          await change({ requestedWorkState: "Break" });
          // Most breaks fit; some run past maxBreakTime, for the board to flag.
          later(roll < 0.02 ? between(70_000, 100_000) : between(8_000, 25_000), async () => {
            await change({ requestedWorkState: "Ready" });
            later(between(5_000, 20_000), live);
          });
        } else if (roll < 0.16) {
          await change({ requestedWorkState: "NotReady" });
          later(between(4_000, 15_000), async () => {
            await change({ requestedWorkState: "Ready" });
            later(between(5_000, 20_000), live);
          });
        } else if (roll < 0.19) {
          await change({ requestedAction: "Logout" });
          later(between(10_000, 30_000), async () => {
            await change({ requestedAction: "Login", requestedWorkState: "Ready" });
            later(between(5_000, 20_000), live);
          });
        } else later(between(5_000, 20_000), live);
      };
      later(arrival, async () => {
        await change({ requestedAction: "Login", requestedWorkState: "Ready" });
        later(between(5_000, 20_000), live);
      });
    }

    // --- the dialer: one contact at a time per line, several lines per group
    const dialer = newClient(url, { user: "dialer@demo.callboard.local", password: DEMO_PASSWORD });
    const line = (group: Ref) => {
      const attempt = async () => {
        const caller = `+1555${String(randomInt(0, 10_000_000)).padStart(7, "0")}`;
        const [held] = await dialer<{ internalId: string; acquisition: { id: string } | null }>("acquireAgent", {
          agentState: {
            agentGroup: { internalId: group.internalId },
            currentContactState: "Connected",
            currentDevice: { externalId: caller },
          },
        });
        if (!held) {
          later(between(1_000, 3_000), attempt);
          return;
        }
        later(between(4_000, 25_000), async () => {
          await dialer("releaseAgent", {
            agentState: {
              internalId: held.internalId,
              acquisition: held.acquisition ? { id: held.acquisition.id } : undefined,
            },
          });
          later(between(300, 2_000), attempt);
        });
      };
      later(between(1_500, 3_000), attempt);
    };
    for (let i = 0; i < 12; i++) line(inbound!);
    for (let i = 0; i < 8; i++) line(outbound!);

    return {
      url,
      supervisor: { externalId: DEMO_SUPERVISOR, password: DEMO_PASSWORD },
      accountId: account!.internalId,
      dataDir,
      groups: [inbound!, outbound!],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface DemoIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Registers `callboard demo` on the program. */
export function registerDemo(program: Command, io: DemoIo): void {
  program
    .command("demo")
    .description(
      "Start a throw-away server with a seeded contact center, a simulated dialer and 50 simulated agents; " +
        "prints the wallboard URL and a sign-in. Ctrl-C ends it and deletes its data.",
    )
    .option("--port <port>", "listen port (default CALLBOARD_PORT or 7340)")
    .option("--agents <n>", "how many agents", "50")
    .action(async (options: { port?: string; agents: string }) => {
      const port = Number(options.port ?? io.env.CALLBOARD_PORT ?? 7340);
      const agents = Number(options.agents);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port: ${options.port}`);
      if (!Number.isInteger(agents) || agents < 1 || agents > 1000) throw new Error("--agents: 1 to 1000");
      io.stdout("Starting the Callboard demo (a throw-away database)…\n");
      // Ctrl-C while seeding still deletes the throw-away data.
      const starting = new AbortController();
      const abort = () => starting.abort();
      process.on("SIGINT", abort);
      process.on("SIGTERM", abort);
      let demo: Demo;
      try {
        demo = await startDemo({
          port,
          host: io.env.CALLBOARD_HOST || "127.0.0.1",
          agents,
          log: io.stderr,
          signal: starting.signal,
        });
      } catch (error) {
        if (starting.signal.aborted) {
          process.exitCode = 130;
          return;
        }
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
        io.stderr(`callboard demo: port ${port} is in use: choose another with --port or CALLBOARD_PORT\n`);
        process.exitCode = 2;
        return;
      } finally {
        process.off("SIGINT", abort);
        process.off("SIGTERM", abort);
      }
      io.stdout(
        [
          "",
          `  Wallboard:  ${demo.url}/`,
          `  Sign in:    ${demo.supervisor.externalId}`,
          `  Password:   ${demo.supervisor.password}`,
          "",
          `  ${agents} simulated agents and a dialer are at work. Ctrl-C to stop (the data is deleted).`,
          "",
        ].join("\n"),
      );
      await new Promise<void>((resolve) => {
        const end = () => {
          process.off("SIGINT", end);
          process.off("SIGTERM", end);
          demo.stop().then(resolve, resolve);
        };
        process.on("SIGINT", end);
        process.on("SIGTERM", end);
      });
    });
}
