/**
 * What the benchmarks share: servers in their own processes, JSON calls, the
 * contact-center fixture, child processes that answer one JSON line, and the
 * arithmetic of rounds (median and range of per-pair ratios).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const PASSWORD = "bench-password";
export const ADMIN_AUTH = `Basic ${Buffer.from(`admin@callboard.local:${PASSWORD}`).toString("base64")}`;
export const PG_URL = process.env.CALLBOARD_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
    server.on("error", reject);
  });
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 8 });

export interface Reply {
  status: number;
  data: Record<string, unknown>[];
  errors: unknown[];
  warnings: unknown[];
}

export function call(base: string, method: string, body: unknown, authorization = ADMIN_AUTH): Promise<Reply> {
  return new Promise((resolveCall, reject) => {
    const payload = JSON.stringify(body);
    const request = http.request(
      `${base}/api/v1/${method}`,
      {
        method: "POST",
        agent: keepAlive,
        headers: { "content-type": "application/json", authorization, "content-length": Buffer.byteLength(payload) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => {
          try {
            resolveCall({ status: response.statusCode ?? 0, ...(JSON.parse(text) as Omit<Reply, "status">) });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

/** Calls and insists on no errors. */
export async function must(base: string, method: string, body: unknown): Promise<Reply> {
  const reply = await call(base, method, body);
  if (reply.errors.length > 0) throw new Error(`${method}: ${JSON.stringify(reply.errors)}`);
  return reply;
}

export async function waitHealthy(base: string, child?: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child && child.exitCode !== null) throw new Error(`the server at ${base} exited (${child.exitCode})`);
    const ok = await new Promise<boolean>((done) => {
      http
        .get(`${base}/healthz`, (r) => {
          r.resume();
          done(r.statusCode === 200);
        })
        .on("error", () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server at ${base} did not start`);
}

export interface Server {
  base: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
}

/**
 * Callboard in its own process, on a fresh SQLite directory or the given
 * PostgreSQL URL. `dataDir` lets two processes share one SQLite file.
 */
export async function startCallboard(options: { databaseUrl?: string; dataDir?: string } = {}): Promise<Server> {
  const port = await freePort();
  const ownDir = options.databaseUrl || options.dataDir ? undefined : mkdtempSync(join(tmpdir(), "callboard-bench-"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    CALLBOARD_PORT: String(port),
    CALLBOARD_HOST: "127.0.0.1",
    CALLBOARD_DATA_DIR: options.dataDir ?? ownDir,
    CALLBOARD_ADMIN_PASSWORD: PASSWORD,
    CALLBOARD_RATE_LIMIT: "0",
    CALLBOARD_LOG_LEVEL: "warn",
    CALLBOARD_PASSWORD_HASH_COST: "1024",
    CALLBOARD_DATABASE_URL: options.databaseUrl,
  };
  if (!options.databaseUrl) delete env.CALLBOARD_DATABASE_URL;
  // What `npm start` runs: the compiled server (bench/run.ts builds it first).
  const entry = process.env.CALLBOARD_BENCH_ENTRY ?? "dist/main.js";
  const argv = entry.endsWith(".ts") ? ["--import", "tsx", entry] : [entry];
  const child = spawn(process.execPath, [...(process.env.CALLBOARD_BENCH_NODE_ARGS?.split(" ") ?? []), ...argv], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base, child);
  return {
    base,
    port,
    child,
    async stop() {
      await stopChild(child);
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

/** The baseline: a bare route of the same framework, in its own process. */
export async function startBare(): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "bench/bare-server.ts", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base, child);
  return { base, port, child, stop: () => stopChild(child) };
}

/** Runs a bench/ script in its own process with one JSON argument; answers its last stdout line as JSON. */
export function runJson<T>(script: string, input: unknown): Promise<T> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(input)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`${script} exited ${code}: ${out}`));
      try {
        resolveRun(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} answered no JSON: ${out}`));
      }
    });
  });
}

export interface Fixture {
  accountId: string;
  groupId: string;
  logins: string[];
  agentIds: string[];
}

let fixtures = 0;

/** An Account with one agent group, `users` Agent users, the first `agents` of them agents (Ready if asked). */
export async function contactCenter(
  base: string,
  options: { users: number; agents: number; ready: boolean },
): Promise<Fixture> {
  fixtures += 1;
  const tag = `${process.pid}-${fixtures}`;
  const ent = await must(base, "createOrg", {
    child: { externalId: `bench-ent-${tag}`, type: "Enterprise" },
    parent: { internalId: "root" },
  });
  const acc = await must(base, "createOrg", {
    child: { externalId: `bench-acc-${tag}`, type: "Account" },
    parent: { internalId: ent.data[0]?.internalId },
  });
  const accountId = acc.data[0]?.internalId as string;
  const group = await must(base, "createAgentGroup", {
    agentGroup: { externalId: `bench-grp-${tag}` },
    parent: { internalId: accountId },
  });
  const groupId = group.data[0]?.internalId as string;
  const logins = Array.from({ length: options.users }, (_, i) => `agent${i}-${tag}@bench.example`);
  for (let i = 0; i < logins.length; i += 1000) {
    await must(base, "createUsers", {
      users: logins
        .slice(i, i + 1000)
        .map((externalId) => ({ externalId, firstName: "A", lastName: "B", roles: ["Agent"] })),
      org: { internalId: accountId },
    });
  }
  let agentIds: string[] = [];
  if (options.agents > 0) {
    const agents = await must(base, "createAgents", {
      agents: logins.slice(0, options.agents).map((externalId) => ({ externalId })),
      agentGroup: { internalId: groupId },
      initialState: options.ready ? { currentWorkState: "Ready" } : {},
    });
    agentIds = agents.data.map((a) => a.internalId as string);
  }
  return { accountId, groupId, logins, agentIds };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
