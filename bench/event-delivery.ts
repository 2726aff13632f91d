/**
 * Event delivery at scale (SPEC §9): N Server-Sent Events subscribers while
 * changes commit at a fixed rate; per rate, p50/p99/max commit→receipt over all
 * deliveries, and gaps (a subscriber's seq not following its previous one).
 *
 *   node --import tsx bench/event-delivery.ts [--subscribers 1000] [--rates 100,200,400] [--seconds 10]
 *   CALLBOARD_BENCH_DATABASE_URL=postgres://… to run the server on PostgreSQL
 *
 * The server runs in its own process (`src/main.ts`, on a throw-away SQLite
 * file unless a PostgreSQL URL is given); subscribers and the writer share this
 * one. Commit time is the event's `time` (taken just before COMMIT), receipt
 * time is when its frame is read here: same machine, same clock.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const SUBSCRIBERS = Number(option("subscribers", "1000"));
const RATES = option("rates", "100,200,400,800").split(",").map(Number);
const SECONDS = Number(option("seconds", "10"));
const AGENTS = 50;
const PORT = 17_340 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = "bench-password";
const AUTH = `Basic ${Buffer.from(`admin@callboard.local:${PASSWORD}`).toString("base64")}`;

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function call(method: string, body: unknown, authorization = AUTH): Promise<{ data: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = http.request(
      `${BASE}/api/v1/${method}`,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", authorization, "content-length": Buffer.byteLength(payload) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => {
          const parsed = JSON.parse(text) as { data: Record<string, unknown>[]; errors: unknown[] };
          if (parsed.errors.length > 0) reject(new Error(`${method}: ${JSON.stringify(parsed.errors)}`));
          else resolve(parsed);
        });
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

async function startServer(): Promise<{ child: ChildProcess; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "callboard-bench-"));
  const env = {
    ...process.env,
    CALLBOARD_PORT: String(PORT),
    CALLBOARD_DATA_DIR: dir,
    CALLBOARD_ADMIN_PASSWORD: PASSWORD,
    CALLBOARD_RATE_LIMIT: "0",
    CALLBOARD_LOG_LEVEL: "warn",
    ...(process.env.CALLBOARD_BENCH_DATABASE_URL
      ? { CALLBOARD_DATABASE_URL: process.env.CALLBOARD_BENCH_DATABASE_URL }
      : {}),
  };
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 300; i++) {
    try {
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${BASE}/healthz`, (r) => {
            r.resume();
            if (r.statusCode === 200) resolve();
            else reject(new Error(String(r.statusCode)));
          })
          .on("error", reject);
      });
      return { child, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error("the server did not start");
}

interface Subscriber {
  last: number;
  gaps: number;
  received: number;
}

/** Latencies in ms, bucketed by 0.1 ms up to 10 s, so a million deliveries cost no sort. */
class Histogram {
  readonly buckets = new Uint32Array(100_001);
  count = 0;
  max = 0;
  add(ms: number): void {
    const i = Math.min(100_000, Math.max(0, Math.round(ms * 10)));
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    this.count += 1;
    if (ms > this.max) this.max = ms;
  }
  quantile(q: number): number {
    const target = Math.ceil(this.count * q);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= target) return i / 10;
    }
    return this.max;
  }
}

let histogram = new Histogram();
let measuring = false;

function subscribe(sub: Subscriber): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${BASE}/api/v1/events`,
      { headers: { authorization: AUTH }, agent: false },
      (response) => {
        if (response.statusCode !== 200) return reject(new Error(`subscribe: ${response.statusCode}`));
        response.setEncoding("utf8");
        let buffer = "";
        response.on("data", (chunk: string) => {
          const now = Date.now();
          buffer += chunk;
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf("\n\n");
            if (!frame.startsWith("id: ")) continue;
            const seq = Number(frame.slice(4, frame.indexOf("\n")));
            if (sub.last !== 0 && seq !== sub.last + 1) sub.gaps += 1;
            sub.last = seq;
            sub.received += 1;
            const at = frame.indexOf('"time":"');
            if (measuring && at >= 0) histogram.add(now - Date.parse(frame.slice(at + 8, at + 32)));
          }
        });
        resolve();
      },
    );
    request.on("error", reject);
  });
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const ent = await call("createOrg", {
      child: { externalId: "bench-ent", type: "Enterprise" },
      parent: { internalId: "root" },
    });
    const entId = ent.data[0]?.internalId as string;
    const acc = await call("createOrg", {
      child: { externalId: "bench-acc", type: "Account" },
      parent: { internalId: entId },
    });
    const accId = acc.data[0]?.internalId as string;
    const group = await call("createAgentGroup", {
      agentGroup: { externalId: "bench-grp" },
      parent: { internalId: accId },
    });
    const groupId = group.data[0]?.internalId as string;
    const logins = Array.from({ length: AGENTS }, (_, i) => `agent${i}@bench.example`);
    await call("createUsers", {
      users: logins.map((externalId) => ({ externalId, firstName: "A", lastName: "B", roles: ["Agent"] })),
      org: { internalId: accId },
    });
    const agents = await call("createAgents", {
      agents: logins.map((externalId) => ({ externalId })),
      agentGroup: { internalId: groupId },
      initialState: {},
    });
    const ids = agents.data.map((a) => a.internalId as string);

    const subs: Subscriber[] = Array.from({ length: SUBSCRIBERS }, () => ({ last: 0, gaps: 0, received: 0 }));
    for (let i = 0; i < subs.length; i += 50) await Promise.all(subs.slice(i, i + 50).map(subscribe));
    process.stdout.write(
      `event delivery: ${SUBSCRIBERS} subscribers, ${SECONDS} s per rate, ${process.env.CALLBOARD_BENCH_DATABASE_URL ? "PostgreSQL" : "SQLite"}\n`,
    );
    process.stdout.write("rate/s  sent   deliveries  p50 ms  p99 ms  max ms  gaps  errors\n");
    let n = 0;
    for (const rate of RATES) {
      histogram = new Histogram();
      for (const s of subs) s.gaps = 0;
      measuring = true;
      let sent = 0;
      let errors = 0;
      const inFlight = new Set<Promise<unknown>>();
      const started = Date.now();
      const total = rate * SECONDS;
      while (sent < total) {
        const due = started + (sent * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        n += 1;
        const id = ids[n % ids.length] as string;
        const p = call("changeAgentState", {
          agentState: { internalId: id, currentPhoneNumber: `+1555${String(n % 10_000_000).padStart(7, "0")}` },
        })
          .catch(() => {
            errors += 1;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        sent += 1;
      }
      await Promise.all(inFlight);
      await new Promise((resolve) => setTimeout(resolve, 500));
      measuring = false;
      const gaps = subs.reduce((sum, s) => sum + s.gaps, 0);
      const line = [
        String(rate).padEnd(7),
        String(sent).padEnd(6),
        String(histogram.count).padEnd(11),
        histogram.quantile(0.5).toFixed(1).padEnd(7),
        histogram.quantile(0.99).toFixed(1).padEnd(7),
        histogram.max.toFixed(0).padEnd(7),
        String(gaps).padEnd(5),
        String(errors),
      ].join(" ");
      process.stdout.write(`${line}\n`);
    }
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.once("exit", resolve));
    server.cleanup();
    agent.destroy();
  }
  process.exit(0);
}

await main();
