/**
 * `npm run bench` — the workloads of SPEC §9, each against its baseline in the
 * same run. The machine is shared, so rates mean little and ratios mean what
 * they say only when both sides see the same machine: after a warm-up, each
 * round measures the baseline and the product one after the other (the order
 * alternating between rounds), and the line reports the median of the per-round
 * ratios with their min–max. Server, baseline and load generator are separate
 * processes.
 *
 *   npm run bench                      # every workload (~6 minutes)
 *   npm run bench -- --quick           # fewer, shorter rounds (~1 minute)
 *   npm run bench -- --only show-state,acquire-release
 *   npm run bench -- --json bench-result.json
 *
 * PostgreSQL workloads run on CALLBOARD_BENCH_PG_URL (default the local test
 * database), each in a fresh schema that is dropped afterwards.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  ADMIN_AUTH,
  call,
  contactCenter,
  median,
  must,
  PG_URL,
  ROOT,
  runJson,
  type Server,
  startBare,
  startCallboard,
} from "./lib.js";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const ONLY = option("only")?.split(",");
const JSON_FILE = option("json");
const ROUNDS = QUICK ? 3 : 5;
const SECONDS = QUICK ? 2 : 5;
const WARM_SECONDS = QUICK ? 1 : 3;
const CONNECTIONS = 32;

interface LoadResult {
  rate: number;
  pairs: number;
  requests: number;
  non2xx: number;
  errors: number;
  p99ms: number;
}

interface Round {
  product: number;
  baseline: number;
  ratio: number;
}

interface Outcome {
  name: string;
  ratio: number | null;
  min: number | null;
  max: number | null;
  target: string;
  ok: boolean;
  unit: string;
  rounds: Round[];
  notes: Record<string, unknown>;
}

const outcomes: Outcome[] = [];

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function report(outcome: Outcome): void {
  outcomes.push(outcome);
  const range = outcome.min === null || outcome.max === null ? "" : ` (${fmt(outcome.min)}–${fmt(outcome.max)})`;
  const ratio = outcome.ratio === null ? "n/a" : fmt(outcome.ratio);
  const notes = Object.entries(outcome.notes)
    .map(([k, v]) => `${k}=${typeof v === "number" ? fmt(v) : String(v)}`)
    .join(" ");
  process.stdout.write(
    `${outcome.name}: ratio=${ratio}${range} target=${outcome.target} ${outcome.ok ? "ok" : "SHORT"}${notes ? `  [${notes}]` : ""}\n`,
  );
}

/**
 * Alternating rounds: even rounds measure the baseline first, odd rounds the
 * product first. `ratio` turns one round's two figures into its ratio.
 */
async function rounds(
  product: () => Promise<number>,
  baseline: () => Promise<number>,
  ratio: (product: number, baseline: number) => number,
): Promise<Round[]> {
  const out: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let p: number;
    let b: number;
    if (i % 2 === 0) {
      b = await baseline();
      p = await product();
    } else {
      p = await product();
      b = await baseline();
    }
    out.push({ product: p, baseline: b, ratio: ratio(p, b) });
  }
  return out;
}

function summarise(
  name: string,
  target: string,
  unit: string,
  all: Round[],
  meets: (ratio: number) => boolean,
  notes: Record<string, unknown> = {},
): Outcome {
  const ratios = all.map((r) => r.ratio);
  const ratio = median(ratios);
  return {
    name,
    ratio,
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    target,
    ok: meets(ratio),
    unit,
    rounds: all,
    notes,
  };
}

/**
 * A timed run stops connections between their acquire and their release, and
 * leaves those agents Acquired: release every agent before the next run, or
 * the pool drains round after round.
 */
async function releaseAll(base: string, agentIds: readonly string[]): Promise<void> {
  for (let i = 0; i < agentIds.length; i += 16) {
    await Promise.all(
      agentIds.slice(i, i + 16).map((internalId) => call(base, "releaseAgent", { agentState: { internalId } })),
    );
  }
}

function load(input: Record<string, unknown>): Promise<LoadResult> {
  return runJson<LoadResult>("bench/load.ts", { connections: CONNECTIONS, ...input });
}

function wanted(name: string): boolean {
  return !ONLY || ONLY.includes(name);
}

async function withServers<T>(start: () => Promise<Server[]>, body: (servers: Server[]) => Promise<T>): Promise<T> {
  const servers = await start();
  try {
    return await body(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

// --- SQLite over HTTP -------------------------------------------------------

async function httpWorkloads(): Promise<void> {
  if (!wanted("show-state") && !wanted("acquire-release")) return;
  await withServers(
    async () => [await startCallboard(), await startBare()],
    async ([server, bare]) => {
      if (!server || !bare) throw new Error("servers did not start");
      const fixture = await contactCenter(server.base, { users: 64, agents: 64, ready: true });
      const bareLoad = (seconds: number) =>
        load({ urls: [bare.base], seconds, kind: "json", method: "showAgentStateUsingUser", body: { agent: {} } });

      if (wanted("show-state")) {
        const show = (seconds: number) =>
          load({
            urls: [server.base],
            seconds,
            kind: "json",
            method: "showAgentStateUsingUser",
            body: { agent: { externalId: fixture.logins[0] } },
            authorization: ADMIN_AUTH,
          });
        await show(WARM_SECONDS);
        await bareLoad(WARM_SECONDS);
        let failures = 0;
        const all = await rounds(
          async () => {
            const r = await show(SECONDS);
            failures += r.non2xx + r.errors;
            return r.rate;
          },
          async () => (await bareLoad(SECONDS)).rate,
          (p, b) => p / b,
        );
        report(
          summarise("show-state", "≥0.65", "req/s", all, (r) => r >= 0.65, {
            "req/s": median(all.map((r) => r.product)),
            "bare req/s": median(all.map((r) => r.baseline)),
            failures,
          }),
        );
      }

      if (wanted("acquire-release")) {
        const pairs = async (seconds: number) => {
          await releaseAll(server.base, fixture.agentIds);
          return load({
            urls: [server.base],
            seconds,
            kind: "pairs",
            groupId: fixture.groupId,
            authorization: ADMIN_AUTH,
          });
        };
        // The bare route driven by the same client: it answers an internalId, which the
        // client then releases, so the client's own cost per request is the same on both sides.
        const barePairs = (seconds: number) => load({ urls: [bare.base], seconds, kind: "pairs", groupId: "bare" });
        await pairs(WARM_SECONDS);
        await barePairs(WARM_SECONDS);
        let failures = 0;
        const all = await rounds(
          async () => {
            const r = await pairs(SECONDS);
            failures += r.non2xx + r.errors;
            return r.pairs * 2;
          },
          async () => (await barePairs(SECONDS)).rate,
          (p, b) => p / b,
        );
        report(
          summarise("acquire-release", "≥0.5", "req/s", all, (r) => r >= 0.5, {
            "pairs/s": median(all.map((r) => r.product / 2)),
            "bare req/s": median(all.map((r) => r.baseline)),
            failures,
          }),
        );
      }
    },
  );
}

// --- createAgents of 1,000 --------------------------------------------------

async function createAgentsWorkload(): Promise<void> {
  if (!wanted("create-agents")) return;
  const dir = mkdtempSync(join(tmpdir(), "callboard-bench-create-"));
  try {
    await withServers(
      async () => [await startCallboard({ dataDir: dir })],
      async ([server]) => {
        if (!server) throw new Error("server did not start");
        const fixture = await contactCenter(server.base, { users: 1000, agents: 0, ready: false });
        const body = {
          agents: fixture.logins.map((externalId) => ({ externalId })),
          agentGroup: { internalId: fixture.groupId },
          initialState: {},
        };
        const once = async (): Promise<number> => {
          const started = process.hrtime.bigint();
          const reply = await call(server.base, "createAgents", body);
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          if (reply.errors.length || reply.warnings.length || reply.data.length !== 1000)
            throw new Error(`createAgents: ${JSON.stringify(reply.errors.concat(reply.warnings).slice(0, 3))}`);
          await must(server.base, "deleteAgents", { agents: body.agents });
          return ms;
        };
        const repeats = 3;
        const product = async () => {
          const ms: number[] = [];
          for (let i = 0; i < repeats; i++) ms.push(await once());
          return median(ms);
        };
        const baseline = async () =>
          median(
            (
              await runJson<{ ms: number[] }>("bench/raw-insert.ts", {
                file: join(dir, "callboard.db"),
                groupId: fixture.groupId,
                logins: fixture.logins,
                repeats,
              })
            ).ms,
          );
        await product();
        await baseline();
        const all = await rounds(product, baseline, (p, b) => p / b);
        const ms = median(all.map((r) => r.product));
        const perSecond = 1000 / (ms / 1000);
        report(
          summarise("create-agents", "≤5 and ≥20000 agents/s", "ms", all, (r) => r <= 5 && perSecond >= 20_000, {
            ms,
            "raw ms": median(all.map((r) => r.baseline)),
            "agents/s": perSecond,
          }),
        );
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- PostgreSQL --------------------------------------------------------------

async function freshSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `cb_bench_${process.pid}_${Date.now()}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  const options = encodeURIComponent(`-c search_path=${schema}`);
  return {
    url: `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}options=${options}`,
    drop: () => admin(`drop schema ${schema} cascade`),
  };
}

async function postgresWorkloads(): Promise<void> {
  if (!wanted("pg-acquire-release") && !wanted("pg-writes-events")) return;
  const schema = await freshSchema();
  try {
    await withServers(
      async () => {
        const first = await startCallboard({ databaseUrl: schema.url });
        return [first, await startCallboard({ databaseUrl: schema.url })];
      },
      async (servers) => {
        const [one] = servers;
        if (!one) throw new Error("servers did not start");
        const fixture = await contactCenter(one.base, { users: 64, agents: 64, ready: true });
        const client = new pg.Client({ connectionString: schema.url });
        await client.connect();
        const { rows } = await client.query<{ account_path: string }>(
          "select account_path from agent_states where agent_group_id = $1 limit 1",
          [fixture.groupId],
        );
        await client.end();
        const path = rows[0]?.account_path ?? "";
        const direct = (mode: string, seconds: number) =>
          Promise.all(
            [0, 1].map((i) =>
              runJson<{ rate: number }>("bench/pg-direct.ts", {
                url: schema.url,
                mode,
                accountPath: path,
                groupId: fixture.groupId,
                agentIds: fixture.agentIds,
                connections: CONNECTIONS / 2,
                seconds,
                offset: i * (CONNECTIONS / 2),
              }),
            ),
          ).then((results) => results.reduce((sum, r) => sum + r.rate, 0));

        if (wanted("pg-acquire-release")) {
          const pairs = async (seconds: number) => {
            await releaseAll(one.base, fixture.agentIds);
            return load({
              urls: servers.map((s) => s.base),
              seconds,
              kind: "pairs",
              groupId: fixture.groupId,
              authorization: ADMIN_AUTH,
            });
          };
          await pairs(WARM_SECONDS);
          await releaseAll(one.base, fixture.agentIds);
          await direct("pairs", WARM_SECONDS);
          let failures = 0;
          const all = await rounds(
            async () => {
              const r = await pairs(SECONDS);
              failures += r.non2xx + r.errors;
              return r.pairs;
            },
            async () => {
              await releaseAll(one.base, fixture.agentIds);
              return direct("pairs", SECONDS);
            },
            (p, b) => p / b,
          );
          report(
            summarise("pg-acquire-release", "≥0.5", "pairs/s", all, (r) => r >= 0.5, {
              "pairs/s": median(all.map((r) => r.product)),
              "plain pg pairs/s": median(all.map((r) => r.baseline)),
              failures,
            }),
          );
        }

        if (wanted("pg-writes-events")) {
          await direct("writes-events", WARM_SECONDS);
          await direct("writes", WARM_SECONDS);
          const all = await rounds(
            () => direct("writes-events", SECONDS),
            () => direct("writes", SECONDS),
            (p, b) => p / b,
          );
          report(
            summarise("pg-writes-events", "≥0.7", "tx/s", all, (r) => r >= 0.7, {
              "with events tx/s": median(all.map((r) => r.product)),
              "without tx/s": median(all.map((r) => r.baseline)),
            }),
          );
        }
      },
    );
  } finally {
    await schema.drop();
  }
}

// --- event delivery (main's bench/event-delivery.ts) ------------------------

async function eventDelivery(): Promise<void> {
  if (!wanted("event-delivery")) return;
  const { spawn } = await import("node:child_process");
  const subscribers = QUICK ? "200" : "1000";
  const rates = QUICK ? "100" : "100,200,400";
  const seconds = QUICK ? "3" : "5";
  const text = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/event-delivery.ts",
        "--subscribers",
        subscribers,
        "--rates",
        rates,
        "--seconds",
        seconds,
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`event-delivery exited ${code}`))));
  });
  const rows = text
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((cells) => cells.length === 8 && cells.every((n) => Number.isFinite(n)));
  const at = (rate: number) => rows.find((r) => r[0] === rate);
  const base = at(100) ?? rows[0];
  const p99 = base?.[4] ?? Number.NaN;
  const gaps = rows.reduce((sum, r) => sum + (r[6] ?? 0), 0);
  const within = rows.filter((r) => (r[4] ?? Infinity) <= 50).map((r) => r[0] ?? 0);
  outcomes.push({
    name: "event-delivery",
    ratio: null,
    min: null,
    max: null,
    target: "p99≤50ms, 0 gaps",
    ok: p99 <= 50 && gaps === 0,
    unit: "ms",
    rounds: [],
    notes: { subscribers: Number(subscribers), rows },
  });
  process.stdout.write(
    `event-delivery: p99=${fmt(p99)}ms at ${base?.[0] ?? "?"}/s gaps=${gaps} subscribers=${subscribers} target=p99≤50ms,0 gaps ${
      p99 <= 50 && gaps === 0 ? "ok" : "SHORT"
    }  [p99 ≤ 50 ms up to ${within.length ? Math.max(...within) : 0}/s of ${rates}]\n`,
  );
}

// The server under test is the compiled one that `npm start` runs: build it from this checkout.
if (!process.env.CALLBOARD_BENCH_ENTRY)
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });

const started = new Date();
process.stdout.write(
  `callboard bench${QUICK ? " --quick" : ""}: ${started.toISOString()} ${hostname()} ${cpus().length}× ${cpus()[0]?.model ?? "?"} node ${process.version}; ${ROUNDS} rounds of ${SECONDS} s after a ${WARM_SECONDS} s warm-up, ${CONNECTIONS} connections\n`,
);
// A workload that cannot run (PostgreSQL out of connections on a shared server…) is
// reported as such; the others still run.
for (const workload of [httpWorkloads, createAgentsWorkload, postgresWorkloads, eventDelivery]) {
  try {
    await workload();
  } catch (error) {
    process.stdout.write(`${workload.name}: did not run: ${(error as Error).message.split("\n")[0]}\n`);
    outcomes.push({
      name: workload.name,
      ratio: null,
      min: null,
      max: null,
      target: "",
      ok: false,
      unit: "",
      rounds: [],
      notes: { error: String(error) },
    });
  }
}
const summary = {
  command: `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`,
  date: started.toISOString(),
  machine: { host: hostname(), cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  rounds: ROUNDS,
  seconds: SECONDS,
  workloads: outcomes,
};
if (JSON_FILE) writeFileSync(JSON_FILE, `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(0);
