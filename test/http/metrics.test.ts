/**
 * GET /metrics (SPEC §7): requests by method and status, latency histograms,
 * acquire outcomes, agents by state, event seq, SSE subscribers, transaction
 * time; and `promtool check metrics` accepts the text.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { before, describe, it } from "node:test";
import { ADMIN, basic, makeAccount, suiteApp } from "../factories/app.js";
import { makeAgents, makeGroup } from "../factories/contact-center.js";

const PROMTOOL = process.env.CALLBOARD_TEST_PROMTOOL ?? "/var/cache/callboard-ci/prometheus/usr/bin/promtool";

/** The value of one series, by its name and labels as written in the exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function promtool(input: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(PROMTOOL, ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stdin.end(input);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

describe("GET /metrics", () => {
  const t = suiteApp();
  let text = "";
  let groupId = "";

  const scrape = async () => {
    const response = await t.runtime.app.inject({ method: "GET", url: "/metrics" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    return response.body;
  };

  before(async () => {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    groupId = group.internalId;
    await makeAgents(t, accountId, group.internalId, 2, { ready: true });
    const pool = { agentState: { agentGroup: { internalId: groupId } } };
    assert.equal((await t.call("acquireAgent", pool)).data.length, 1);
    assert.equal((await t.call("acquireAgent", pool)).data.length, 1);
    assert.equal((await t.call("acquireAgent", pool)).data.length, 0);
    assert.equal((await t.call("acquireAgent", { agentState: { agentGroup: { internalId: "nope" } } })).status, 404);
    // A write that fails rolls its transaction back.
    assert.equal(
      (
        await t.call("createAgentGroup", {
          agentGroup: { externalId: group.externalId },
          parent: { internalId: accountId },
        })
      ).status,
      409,
    );
    await t.runtime.app.inject({ method: "GET", url: "/api/v1/showOrg" });
    // One subscriber of the event stream, open while the metrics are read.
    const url = await t.runtime.app.listen({ port: 0, host: "127.0.0.1" });
    const stop = new AbortController();
    const stream = await fetch(`${url}/api/v1/events`, {
      headers: { authorization: basic(ADMIN) },
      signal: stop.signal,
    });
    assert.equal(stream.status, 200);
    const deadline = Date.now() + 5000;
    do text = await scrape();
    while (sample(text, "callboard_sse_subscribers") !== 1 && Date.now() < deadline);
    stop.abort();
  });

  it("counts requests by API method and status", () => {
    assert.equal(sample(text, 'callboard_http_requests_total{method="acquireAgent",status="200"}'), 3);
    assert.equal(sample(text, 'callboard_http_requests_total{method="acquireAgent",status="404"}'), 1);
    assert.equal(sample(text, 'callboard_http_requests_total{method="createAgentGroup",status="409"}'), 1);
    assert.equal(sample(text, 'callboard_http_requests_total{method="showOrg",status="405"}'), 1);
  });

  it("has a latency histogram per method", () => {
    assert.equal(sample(text, 'callboard_http_request_duration_seconds_count{method="acquireAgent"}'), 4);
    assert.equal(sample(text, 'callboard_http_request_duration_seconds_bucket{le="+Inf",method="acquireAgent"}'), 4);
    assert.ok((sample(text, 'callboard_http_request_duration_seconds_sum{method="acquireAgent"}') ?? 0) > 0);
  });

  it("counts acquire outcomes: acquired, none, error", () => {
    assert.equal(sample(text, 'callboard_acquire_total{outcome="acquired"}'), 2);
    assert.equal(sample(text, 'callboard_acquire_total{outcome="none"}'), 1);
    assert.equal(sample(text, 'callboard_acquire_total{outcome="error"}'), 1);
  });

  it("counts agents by work and contact state at scrape time, every combination present", async () => {
    assert.equal(sample(text, 'callboard_agents{work_state="Ready",contact_state="Acquired"}'), 2);
    assert.equal(sample(text, 'callboard_agents{work_state="Ready",contact_state="Idle"}'), 0);
    assert.equal(sample(text, 'callboard_agents{work_state="Break",contact_state="Connected"}'), 0);
    assert.equal(text.split("\n").filter((l) => l.startsWith("callboard_agents{")).length, 12);
    await t.call("releaseAgent", { agentState: { agentGroup: { internalId: groupId } } });
  });

  it("reports the event seq from the counters row, and the event stream's subscribers", async () => {
    await t.runtime.deps.db.settled();
    const row = await t.runtime.deps.db.q
      .selectFrom("counters")
      .select("value")
      .where("name", "=", "events")
      .executeTakeFirstOrThrow();
    const now = await scrape();
    assert.equal(sample(now, "callboard_event_seq"), Number(row.value));
    assert.ok(Number(row.value) > 0);
    assert.equal(sample(text, "callboard_sse_subscribers"), 1);
  });

  it("times write transactions, committed and rolled back", () => {
    assert.ok((sample(text, 'callboard_db_transaction_duration_seconds_count{outcome="commit"}') ?? 0) >= 6);
    assert.ok((sample(text, 'callboard_db_transaction_duration_seconds_count{outcome="rollback"}') ?? 0) >= 1);
  });

  it("is accepted by promtool check metrics", async (ctx) => {
    if (!existsSync(PROMTOOL)) {
      // CI unpacks promtool (.ci/run); there this test must run, never skip.
      assert.ok(!process.env.CI, `promtool is missing at ${PROMTOOL}`);
      ctx.skip(`no promtool at ${PROMTOOL} (see .ci/run to unpack it)`);
      return;
    }
    const { code, output } = await promtool(text);
    assert.equal(output, "");
    assert.equal(code, 0);
  });

  it("promtool refuses a broken exposition (the check is real)", async (ctx) => {
    if (!existsSync(PROMTOOL)) {
      assert.ok(!process.env.CI, `promtool is missing at ${PROMTOOL}`);
      ctx.skip("no promtool");
      return;
    }
    const { code } = await promtool('# TYPE x counter\nx{a="1" 1\n');
    assert.notEqual(code, 0);
  });
});
