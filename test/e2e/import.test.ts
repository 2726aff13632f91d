/**
 * `callboard import` (SPEC §7) against a live server over real HTTP, with a
 * real CSV: BOM, CRLF, columns out of order, quoted fields with commas and
 * line breaks, bad rows reported with their line numbers; a re-run changes
 * nothing; an unknown column stops it before anything is sent; a run broken
 * off half-way and run again neither doubles nor skips.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { httpImportApi, ImportProblem, importCsv } from "../../src/cli/import.js";
import { TransportError } from "../../src/client/http.js";
import { ADMIN, makeAccount, startApp, type TestApp, unique } from "../factories/app.js";

function cli(url: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["bin/callboard.js", ...args], {
      env: {
        ...process.env,
        CALLBOARD_URL: url,
        CALLBOARD_USER: ADMIN.user,
        CALLBOARD_PASSWORD: ADMIN.password,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("callboard import", () => {
  let t: TestApp;
  let url: string;
  let account: string;
  let group: string;
  const dir = mkdtempSync(join(tmpdir(), "callboard-import-"));
  before(async () => {
    t = await startApp();
    url = await t.runtime.app.listen({ port: 0, host: "127.0.0.1" });
    account = (await makeAccount(t)).account;
    group = unique("grp");
    const made = await t.call("createAgentGroup", {
      agentGroup: { externalId: group },
      parent: { externalId: account, type: "Account" },
    });
    assert.equal(made.status, 200);
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const usersIn = async () => {
    const listed = await t.call("listUsers", { org: { externalId: account, type: "Account" } });
    return listed.data.map((u) => String(u.externalId)).sort();
  };
  const agentsIn = async () => {
    const listed = await t.call("listAgentStatesUsingEntity", { baseEntity: { externalId: account, type: "Account" } });
    return listed.data as { agent: { externalId: string }; currentPhoneNumber: string | null }[];
  };
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const id = unique("p");

  // Line numbers as the file has them: line 5's quoted lastName spans lines 5 and 6.
  const csv = `\uFEFF${[
    "email,lastName,firstName,externalId,password,roles,registrationMethod,currentPhoneNumber",
    `,Lee,"Ann, Jr.",ann.${id}@example.com,"pass,word-1",Agent,SIP,+1 555 010 0001`,
    `,Kim,Bo,bo.${id}@example.com,password-2,Agent;Supervisor,,`,
    "",
    `,"Multi\r\nLine",Cy,cy.${id}@example.com,password-3,Agent,,`,
    ",Doe,Di,not-a-login,password-4,Agent,,",
    `,Roe,Ed,ed.${id}@example.com,short,Agent,,`,
    `,Poe,Fi,ANN.${id}@example.com,password-6,Agent,,`,
    `,Zed,Gu,gu.${id}@example.com,password-7,Wizard,,`,
    `,Xu,Ha,ha.${id}@example.com,password-8,Agent,Fax,`,
    `,Yu,Io,+1555010${String(Date.now()).slice(-4)},password-9,Agent,WebRTC,,extra`,
    `"io.${id}@example.com",Quoted,"Jo",jo.${id}@example.com,"password ""ten""",Agent,Phone,`,
    "",
  ].join("\r\n")}`;

  it("imports users and agents from a real CSV, reporting each bad row with its line and reason", async () => {
    const file = write("people.csv", csv);
    const run = await cli(url, ["import", file, "--account", account, "--group", group]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /10 rows: 3 created, 0 already there, 7 failed/);
    const failedLines = [...run.stdout.matchAll(/^ {2}line (\d+)/gm)].map((m) => Number(m[1]));
    assert.deepEqual(failedLines, [5, 7, 8, 9, 10, 11, 12]);
    assert.match(run.stdout, /line 5 \(cy\.[^)]*\): .*line break/);
    assert.match(run.stdout, /line 9 .*also on line 2/);
    assert.match(run.stdout, /line 12 .*9 fields, but the header names 8 columns/);
    const users = await usersIn();
    for (const who of ["ann", "bo", "jo"]) assert.ok(users.includes(`${who}.${id}@example.com`), who);
    assert.ok(!users.some((u) => u.startsWith(`cy.${id}`)));
    const agents = await agentsIn();
    const ann = agents.find((a) => a.agent.externalId === `ann.${id}@example.com`);
    assert.equal(ann?.currentPhoneNumber, "+15550100001");
    assert.equal(agents.length, 3);
    assert.ok(await accepted(`ann.${id}@example.com`, "pass,word-1"));
    assert.ok(await accepted(`jo.${id}@example.com`, 'password "ten"'));
  });

  async function accepted(user: string, password: string) {
    return (await t.call("showCurrentSession", {}, { user, password })).status === 200;
  }

  it("changes nothing when run again: the same rows fail, the others are already there", async () => {
    const before = await usersIn();
    const run = await cli(url, ["import", write("people.csv", csv), "--account", account, "--group", group]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /10 rows: 0 created, 3 already there, 7 failed/);
    assert.deepEqual(await usersIn(), before);
    assert.equal((await agentsIn()).length, 3);
  });

  it("refuses an unknown column before sending anything (exit 2)", async () => {
    const before = await usersIn();
    const file = write("unknown.csv", `externalId,firstName,lastName,shoeSize\nz.${id}@example.com,Z,Z,44\n`);
    const run = await cli(url, ["import", file, "--account", account]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown column 'shoeSize'/);
    assert.deepEqual(await usersIn(), before);
  });

  it("checks every row in a dry run and writes nothing", async () => {
    const before = await usersIn();
    const file = write(
      "dry.csv",
      `externalId,firstName,lastName,roles\ndry.${id}@example.com,D,R,Agent\nbo.${id}@example.com,B,K,Agent\nbad,X,Y,Agent\n`,
    );
    const run = await cli(url, ["import", file, "--account", account, "--dry-run"]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /dry run, nothing written: 3 rows: 1 would be created, 1 already there, 1 failed/);
    assert.match(run.stdout, /line 4 \(bad\)/);
    assert.deepEqual(await usersIn(), before);
  });

  it("answers 2 when every row failed, and when the Account does not exist", async () => {
    const file = write("bad.csv", "externalId,firstName,lastName\nbad,X,Y\n");
    assert.equal((await cli(url, ["import", file, "--account", account])).code, 2);
    const good = write("good.csv", `externalId,firstName,lastName\nq.${id}@example.com,Q,Q\n`);
    const missing = await cli(url, ["import", good, "--account", unique("nope")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Account/);
  });

  it("sends chunks within the item limit; broken off half-way and run again it neither doubles nor skips", async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `chunk${i}.${id}@example.com,C,${i},Agent,password-${i}`);
    const bytes = Buffer.from(`externalId,firstName,lastName,roles,password\n${rows.join("\n")}\n`);
    const live = httpImportApi(url, ADMIN);
    let calls = 0;
    // The answer to the third createUsers is lost after the server committed it.
    const flaky = {
      async call(method: string, body: unknown, key?: string) {
        const outcome = await live.call(method, body, key);
        if (method === "createUsers" && ++calls === 3) throw new TransportError("connection reset");
        return outcome;
      },
    };
    const options = {
      account,
      dryRun: false,
      maxItems: 3,
      maxBodyBytes: 1 << 20,
      maxStringBytes: 100_000,
      progress: false,
      sleep: async () => undefined,
    };
    await assert.rejects(
      importCsv(
        bytes,
        {
          call: (m, b, k) =>
            calls >= 2 && m === "createUsers" ? Promise.reject(new TransportError("down")) : flaky.call(m, b, k),
        },
        options,
      ),
      ImportProblem,
    );
    const afterFirst = (await usersIn()).filter((u) => u.startsWith("chunk"));
    assert.equal(afterFirst.length, 6, "two chunks of three went through");
    calls = 0;
    const report = await importCsv(bytes, flaky, options);
    assert.equal(report.exitCode, 0);
    assert.equal(report.created, 4, "the last chunks, once each");
    assert.equal(report.existing, 6, "the first two chunks replayed");
    const all = (await usersIn()).filter((u) => u.startsWith("chunk"));
    assert.equal(all.length, 10);
  });
});
