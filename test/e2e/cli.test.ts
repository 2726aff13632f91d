/**
 * The `callboard` command as a user runs it (SPEC §7): the compiled bin in a
 * child process, against the live server on a real port (and a scripted SSE
 * server for `watch`). And the typed client as another TypeScript project
 * imports it: `callboard/client`, compiled JavaScript with declarations.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ADMIN, makeAccount, makeUser } from "../factories/app.js";
import { makeAgents, makeGroup } from "../factories/contact-center.js";
import { fakeServer, type LiveApp, startLiveApp } from "../factories/server.js";

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/callboard.js");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** `npm run build`: incremental, a no-op (but for the stamp the bin checks) when dist/ is current. */
const build = () => exec("npm", ["run", "build"], { cwd: ROOT });

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Outcome> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

describe("the callboard command", () => {
  let live: LiveApp;
  let auth: Record<string, string>;
  before(async () => {
    // The bin runs dist/ when it is current: build it (incremental, a no-op when it is).
    await build();
    live = await startLiveApp();
    auth = { CALLBOARD_URL: live.url, CALLBOARD_USER: ADMIN.user, CALLBOARD_PASSWORD: ADMIN.password };
  });
  after(() => live.close());

  it("--version prints the package version, from the compiled dist/, starting well under a second", async (t) => {
    const runs: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await cli(["--version"], { CALLBOARD_SHOW_BUILD: "1" });
      assert.equal(outcome.code, 0);
      assert.equal(outcome.stdout, `${VERSION}\n`);
      assert.equal(outcome.stderr, "callboard: running dist\n");
      runs.push(outcome.ms);
      const started = performance.now();
      await exec(process.execPath, ["-e", ""]);
      bare.push(performance.now() - started);
    }
    const fastest = Math.min(...runs);
    const node = Math.min(...bare);
    t.diagnostic(
      `callboard --version: ${runs.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}; bare node: ${node.toFixed(0)} ms`,
    );
    // Against a bare node start in the same moment, so a busy machine does not fail it:
    // the compiled CLI adds tens of milliseconds; tsx would add over a second.
    assert.ok(fastest < node + 500, `fastest start ${fastest.toFixed(0)} ms, bare node ${node.toFixed(0)} ms`);
  });

  it("runs the sources through tsx when told to (as when dist/ is missing or older than a source)", async () => {
    const outcome = await cli(["--version"], { CALLBOARD_SHOW_BUILD: "1", CALLBOARD_FROM_SOURCE: "1" });
    assert.equal(outcome.code, 0);
    assert.equal(outcome.stdout, `${VERSION}\n`);
    assert.equal(outcome.stderr, "callboard: running src\n");
  });

  it("--help works on every command", async () => {
    for (const args of [[], ["call"], ["agents"], ["agents", "list"], ["watch"], ["serve"]]) {
      const outcome = await cli([...args, "--help"]);
      assert.equal(outcome.code, 0, args.join(" "));
      assert.match(outcome.stdout, /^Usage: callboard/, args.join(" "));
    }
    const top = (await cli(["--help"])).stdout;
    for (const command of ["serve", "call", "agents", "watch"]) assert.match(top, new RegExp(`\\n  ${command}\\b`));
    assert.match((await cli(["agents", "list", "--help"])).stdout, /--group <externalId>[\s\S]*--json/);
    assert.match((await cli(["watch", "--help"])).stdout, /--group <externalId>[\s\S]*--types <types>/);
  });

  it("names CALLBOARD_USER and CALLBOARD_PASSWORD when they are missing, and sends nothing", async () => {
    const none = await cli(["agents", "list", "--group", "sales"], { CALLBOARD_URL: live.url });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /set CALLBOARD_USER and CALLBOARD_PASSWORD/);
    const half = await cli(["watch"], { CALLBOARD_URL: live.url, CALLBOARD_USER: ADMIN.user });
    assert.equal(half.code, 2);
    assert.match(half.stderr, /set CALLBOARD_PASSWORD to/);
    assert.doesNotMatch(half.stderr, /CALLBOARD_USER/);
    const call = await cli(["call", "showCurrentSession"], { CALLBOARD_URL: live.url });
    assert.equal(call.code, 1);
    assert.match(call.stderr, /set CALLBOARD_USER and CALLBOARD_PASSWORD/);
  });

  it("agents list --group prints a table of the group's agents and their states", async () => {
    const { accountId } = await makeAccount(live);
    const group = await makeGroup(live, accountId);
    const agents = await makeAgents(live, accountId, group.internalId, 3);
    await live.call("changeAgentState", {
      agentState: { internalId: agents[1]?.state.internalId, requestedAction: "Login", requestedWorkState: "Ready" },
    });
    const outcome = await cli(["agents", "list", "--group", group.externalId], auth);
    assert.equal(outcome.code, 0, outcome.stderr);
    const lines = outcome.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^AGENT +NAME +WORK STATE +CONTACT +DEVICE +PHONE +IN STATE +SHIFT$/);
    assert.equal(lines.length, 5);
    for (const agent of agents) assert.ok(outcome.stdout.includes(agent.state.agent.externalId));
    const ready = lines.find((line) => line.startsWith(agents[1]?.state.agent.externalId ?? "?")) ?? "";
    assert.match(ready, /Test User +Ready +Idle +- +- +\d+s +-$/);
    assert.equal(lines[4], "3 agents: 2 LoggedOut, 1 Ready");
  });

  it("agents list --json prints the AgentState objects", async () => {
    const { accountId } = await makeAccount(live);
    const group = await makeGroup(live, accountId);
    const agents = await makeAgents(live, accountId, group.internalId, 2);
    const outcome = await cli(["agents", "list", "--group", group.externalId, "--json"], auth);
    assert.equal(outcome.code, 0, outcome.stderr);
    const states = JSON.parse(outcome.stdout) as { internalId: string; currentWorkState: string }[];
    assert.deepEqual(states.map((s) => s.internalId).sort(), agents.map((a) => a.state.internalId).sort());
  });

  it("answers exit 1 with the server's error, exit 2 when there is no server", async () => {
    const missing = await cli(["agents", "list", "--group", "no-such-group"], auth);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /404 OBJECT_NOT_EXISTS/);
    const { accountId } = await makeAccount(live);
    const agent = await makeUser(live, accountId, ["Agent"]);
    const denied = await cli(["agents", "list", "--group", "x"], {
      ...auth,
      CALLBOARD_USER: agent.user,
      CALLBOARD_PASSWORD: agent.password,
    });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /403 PERMISSION_DENIED/);
    const gone = await cli(["agents", "list", "--group", "x"], { ...auth, CALLBOARD_URL: "http://127.0.0.1:9" });
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /cannot reach/);
  });

  it("call keeps working: the envelope on stdout, exit 0 or 1", async () => {
    const ok = await cli(["call", "showCurrentSession"], auth);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(
      (JSON.parse(ok.stdout) as { data: { user: { externalId: string } }[] }).data[0]?.user.externalId,
      ADMIN.user,
    );
    const unknown = await cli(["call", "showCurentSession", "{}"], auth);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /did you mean 'showCurrentSession'/);
  });

  it("watch prints one line per event and resumes by itself after a 502", async () => {
    const event = (seq: number) => ({
      seq,
      type: "agentState.changed",
      time: "2026-03-02T12:00:00.000Z",
      account: { internalId: "a1", externalId: "acme" },
      data: { ...wireState, version: seq },
    });
    const frames = (...seqs: number[]) =>
      seqs.map((seq) => `id: ${seq}\nevent: agentState.changed\ndata: ${JSON.stringify(event(seq))}\n\n`).join("");
    let streams = 0;
    const server = await fakeServer([
      (request: IncomingMessage, response: ServerResponse) => {
        if (request.method === "POST") {
          response.writeHead(200, { "content-type": "application/json" });
          response.end(JSON.stringify({ data: [{ internalId: "g-1" }], dataOffset: 0, errors: [], warnings: [] }));
          return;
        }
        streams += 1;
        if (streams === 2) {
          response.writeHead(502, { "content-type": "text/html" });
          response.end("bad gateway");
          return;
        }
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(`retry: 10\n${streams === 1 ? frames(1, 2) : frames(3)}`);
        if (streams === 1) setTimeout(() => request.socket.destroy(), 20);
      },
    ]);
    const child = spawn(process.execPath, [BIN, "watch", "--group", "sales", "--types", "agentState.changed"], {
      env: { PATH: process.env.PATH, CALLBOARD_URL: server.url, CALLBOARD_USER: "u", CALLBOARD_PASSWORD: "p" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      const deadline = Date.now() + 10_000;
      while (stdout.split("\n").length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(stdout.trimEnd().split("\n"), [
        "2026-03-02T12:00:00.000Z #1 agentState.changed [acme] ann@example.com Ready/Acquired device +15550100 v1",
        "2026-03-02T12:00:00.000Z #2 agentState.changed [acme] ann@example.com Ready/Acquired device +15550100 v2",
        "2026-03-02T12:00:00.000Z #3 agentState.changed [acme] ann@example.com Ready/Acquired device +15550100 v3",
      ]);
      assert.match(stderr, /reconnecting/);
      const streamRequests = server.seen.filter((s) => s.method === "GET");
      assert.equal(streamRequests[0]?.url, "/api/v1/events?types=agentState.changed&agentGroup=g-1");
      assert.deepEqual(
        streamRequests.map((s) => s.headers["last-event-id"]),
        [undefined, "2", "2"],
      );
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      child.kill("SIGINT");
      assert.equal(await exited, 0);
    } finally {
      child.kill("SIGKILL");
      await server.close();
    }
  });
});

const wireState = {
  internalId: "s1",
  agent: { externalId: "ann@example.com", firstName: "Ann", lastName: "Lee", loginEnabled: true, attributes: [] },
  agentGroup: { internalId: "g-1", externalId: "sales" },
  currentScheduleGroup: null,
  currentWorkState: "Ready",
  requestedWorkState: null,
  currentContactState: "Acquired",
  currentDevice: { externalId: "+15550100" },
  currentPhoneNumber: null,
  workStateStartTime: "2026-03-02T12:00:00.000Z",
  contactStateStartTime: "2026-03-02T12:00:00.000Z",
  breakExceeded: false,
  version: 1,
  createdDate: "2026-03-02T12:00:00.000Z",
  updatedDate: "2026-03-02T12:00:00.000Z",
  createdBy: null,
  modifiedBy: null,
};

describe("callboard/client in another TypeScript project", () => {
  let live: LiveApp;
  const dir = mkdtempSync(join(tmpdir(), "callboard-consumer-"));
  before(async () => {
    await build();
    live = await startLiveApp();
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules/callboard"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", type: "module", private: true }));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["consumer.ts"],
      }),
    );
    writeFileSync(
      join(dir, "consumer.ts"),
      [
        'import { CallboardError, createClient, type AgentGroup, type CallboardEvent } from "callboard/client";',
        "const cb = createClient({ baseUrl: process.argv[2] ?? '', auth: { user: 'u', password: 'p' } });",
        "export async function groups(): Promise<AgentGroup[]> {",
        "  const { data } = await cb.showAgentGroup({ agentGroup: { externalId: 'sales' } });",
        "  const intensity: number | undefined = data[0]?.intensity;",
        "  void intensity;",
        "  return data;",
        "}",
        "export function line(e: CallboardEvent): string {",
        "  return e.type === 'agentState.changed' ? e.data.currentWorkState : e.type;",
        "}",
        "export const isError = (e: unknown) => e instanceof CallboardError && e.status === 404;",
        "declare const process: { argv: string[] };",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "tsconfig.wrong.json"),
      JSON.stringify({ extends: "./tsconfig.json", files: ["wrong.ts"] }),
    );
    writeFileSync(
      join(dir, "wrong.ts"),
      [
        'import { createClient } from "callboard/client";',
        "const cb = createClient({ baseUrl: '' });",
        "// intensity is a number: a string must not compile",
        "export const p = cb.changeAgentGroup({ agentGroup: { intensity: 'high' } });",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "run.mjs"),
      [
        'import { createClient } from "callboard/client";',
        "const [url, user, password] = process.argv.slice(2);",
        "const { data } = await createClient({ baseUrl: url, auth: { user, password } }).showCurrentSession();",
        "console.log(data[0].user.externalId);",
      ].join("\n"),
    );
  });
  after(async () => {
    await live.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tsc = (...args: string[]) =>
    exec(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), ...args], { cwd: dir });

  it("type-checks against the published declarations", async () => {
    await tsc("-p", "tsconfig.json");
  });

  it("refuses an argument of the wrong type at compile time", async () => {
    await assert.rejects(tsc("-p", "tsconfig.wrong.json"), (error: { stdout?: string }) => {
      assert.match(String(error.stdout), /wrong\.ts.*error TS2322/);
      return true;
    });
  });

  it("runs from plain JavaScript against the live server", async () => {
    const { stdout } = await exec(process.execPath, ["run.mjs", live.url, ADMIN.user, ADMIN.password], { cwd: dir });
    assert.equal(stdout, `${ADMIN.user}\n`);
  });
});
