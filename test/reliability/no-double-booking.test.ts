/**
 * No double booking (SPEC §10): many clients over real HTTP acquire and release
 * agents of one group; the checker looks for two holds of one agent at once.
 * The checker is first shown to catch a deliberately broken acquire.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ok } from "../../src/domain/errors.js";
import { buildApp } from "../../src/http/app.js";
import { stateById } from "../../src/services/agent-lookup.js";
import { createServices } from "../../src/services/index.js";
import { presentAgentState } from "../../src/services/present-agents.js";
import { findEligibleAgent } from "../../src/storage/agent-states.js";
import { ADMIN, basic, makeAccount, startApp, suiteApp, TEST_DATABASE, type TestApp } from "../factories/app.js";
import { makeAgents, makeGroup } from "../factories/contact-center.js";
import { findDoubleBookings, runAcquireLoad } from "./holds.js";

const AUTH = basic(ADMIN);
const CLIENTS = 64;

async function readyGroup(t: TestApp, agents: number): Promise<string> {
  const { accountId } = await makeAccount(t);
  const group = await makeGroup(t, accountId);
  await makeAgents(t, accountId, group.internalId, agents, { ready: true });
  return group.internalId;
}

/**
 * CLIENTS clients acquire and release the agents of a fresh group 300 times
 * through these servers: no error, and no agent held twice at once.
 */
async function expectNoDoubleBooking(t: TestApp, baseUrls: string[]): Promise<void> {
  const groupId = await readyGroup(t, 10);
  const { holds, errors } = await runAcquireLoad({
    baseUrls,
    auth: AUTH,
    agentGroupId: groupId,
    clients: CLIENTS,
    holds: 300,
    // A fixed count, not a rate: the cap is only a safety net. With 15 s, a machine
    // at load 25 gave 36–84 holds and failed the floor below without any bug.
    ms: 180_000,
  });
  assert.equal(errors, 0);
  assert.ok(holds.length >= 100, `only ${holds.length} holds`);
  assert.deepEqual(findDoubleBookings(holds), []);
}

describe("the double-booking checker", () => {
  it("finds overlapping holds of one agent and nothing else", () => {
    const clean = [
      { agentId: "a", client: 1, from: 0, to: 10 },
      { agentId: "a", client: 2, from: 11, to: 20 },
      { agentId: "b", client: 3, from: 5, to: 15 },
    ];
    assert.deepEqual(findDoubleBookings(clean), []);
    const found = findDoubleBookings([...clean, { agentId: "a", client: 4, from: 12, to: 13 }]);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.agentId, "a");
  });

  it("catches a deliberately broken acquire (read outside the transaction, then a blind update)", async () => {
    const t = await startApp();
    const { deps } = t.runtime;
    const services = createServices(deps);
    const broken = await buildApp({
      ...deps,
      services: {
        ...services,
        acquireAgent: async (ctx, input) => {
          const groupId = input.agentState.agentGroup?.internalId ?? "";
          const id = await findEligibleAgent(deps.db.q, deps.db.dialect, { agentGroupId: groupId });
          await new Promise((resolve) => setImmediate(resolve));
          if (!id) return ok();
          await deps.db.q.updateTable("agent_states").set({ contact_state: "Acquired" }).where("id", "=", id).execute();
          return ok([presentAgentState(await stateById(deps.db.q, id), ctx.now)]);
        },
      },
    });
    try {
      const groupId = await readyGroup(t, 10);
      const baseUrl = await broken.listen({ port: 0, host: "127.0.0.1" });
      const { holds } = await runAcquireLoad({
        baseUrls: [baseUrl],
        auth: AUTH,
        agentGroupId: groupId,
        clients: CLIENTS,
        holds: 300,
        ms: 5000,
      });
      assert.ok(holds.length > 0);
      assert.ok(findDoubleBookings(holds).length > 0, "the broken acquire must be caught");
    } finally {
      await broken.close();
      await t.close();
    }
  });
});

describe("acquireAgent under concurrency, one process", () => {
  const t = suiteApp();
  let baseUrl: string;
  before(async () => {
    baseUrl = await t.runtime.app.listen({ port: 0, host: "127.0.0.1" });
  });

  it("64 simultaneous acquires of 10 Ready agents: exactly 10 succeed, with 10 distinct agents", async () => {
    const groupId = await readyGroup(t, 10);
    const replies = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const response = await fetch(`${baseUrl}/api/v1/acquireAgent`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: AUTH },
          body: JSON.stringify({ agentState: { agentGroup: { internalId: groupId } } }),
        });
        return {
          status: response.status,
          body: (await response.json()) as { data: { internalId: string }[]; errors: unknown[] },
        };
      }),
    );
    assert.ok(replies.every((r) => r.status === 200 && r.body.errors.length === 0));
    const won = replies.flatMap((r) => r.body.data.map((s) => s.internalId));
    assert.equal(won.length, 10);
    assert.equal(new Set(won).size, 10);
  });

  it("64 clients acquiring and releasing 300 times never hold one agent twice", async () => {
    await expectNoDoubleBooking(t, [baseUrl]);
  });
});

describe(`acquireAgent under concurrency, two server processes on one ${TEST_DATABASE} database`, () => {
  let t: TestApp;
  let dir: string;
  let child: ChildProcess;
  let urls: string[];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "callboard-two-"));
    t = await startApp({ env: { CALLBOARD_DATA_DIR: dir } });
    const first = await t.runtime.app.listen({ port: 0, host: "127.0.0.1" });
    child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        ...process.env,
        CALLBOARD_DATA_DIR: dir,
        ...(t.databaseUrl ? { CALLBOARD_DATABASE_URL: t.databaseUrl } : {}),
        CALLBOARD_PORT: "0",
        CALLBOARD_ADMIN_USER: ADMIN.user,
        CALLBOARD_ADMIN_PASSWORD: ADMIN.password,
        CALLBOARD_RATE_LIMIT: "0",
        CALLBOARD_LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const second = await new Promise<string>((resolve, reject) => {
      let buffered = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const match = /"address":"(http:\/\/[^"]+)"/.exec(buffered);
        if (match?.[1]) resolve(match[1]);
      });
      child.on("exit", (code) => reject(new Error(`second server exited with ${code}`)));
    });
    urls = [first, second];
  });
  after(async () => {
    child.kill("SIGTERM");
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("64 clients split over both processes never hold one agent twice", async () => {
    await expectNoDoubleBooking(t, urls);
  });
});
