/**
 * A client whose call committed but whose answer never came retries with the
 * same Idempotency-Key and gets that answer, with nothing doubled (SPEC §1):
 * the real server process is held between its commit and its answer
 * (CALLBOARD_TEST_HOLD_AFTER_COMMIT_MS), killed with kill -9 once the commit is
 * visible, restarted, and the call retried.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ADMIN, basic } from "../factories/app.js";

function startServer(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      ...process.env,
      CALLBOARD_DATA_DIR: dataDir,
      CALLBOARD_PORT: "0",
      CALLBOARD_ADMIN_USER: ADMIN.user,
      CALLBOARD_ADMIN_PASSWORD: ADMIN.password,
      CALLBOARD_DATABASE_URL: "",
      CALLBOARD_PASSWORD_HASH_COST: "1024",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"address":"(http:\/\/[^"]+)"/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
}

async function call(url: string, method: string, body: unknown, key?: string) {
  const response = await fetch(`${url}/api/v1/${method}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: basic(ADMIN),
      ...(key ? { "idempotency-key": key } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    replayed: response.headers.get("idempotent-replayed"),
    body: (await response.json()) as { data: { externalId: string }[]; errors: unknown[]; warnings: unknown[] },
  };
}

describe("Idempotency-Key through kill -9 between commit and answer", () => {
  const dir = mkdtempSync(join(tmpdir(), "callboard-idem-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("answers the retry with the committed response, and creates nothing twice", async () => {
    const first = await startServer(dir, { CALLBOARD_TEST_HOLD_AFTER_COMMIT_MS: "600000" });
    let accountId = "";
    const users = Array.from({ length: 25 }, (_, i) => ({
      externalId: `crash${i}@example.com`,
      firstName: "C",
      lastName: "K",
      roles: ["Agent"],
      password: "password-1",
    }));
    try {
      const enterprise = await call(first.url, "createOrg", {
        child: { externalId: "idem" },
        parent: { internalId: "root" },
      });
      const enterpriseId = (enterprise.body.data[0] as unknown as { internalId: string }).internalId;
      const account = await call(first.url, "createOrg", {
        child: { externalId: "idem-acc" },
        parent: { internalId: enterpriseId },
      });
      accountId = (account.body.data[0] as unknown as { internalId: string }).internalId;
      const body = { users, org: { internalId: accountId } };
      const lost = call(first.url, "createUsers", body, "import-chunk-1").then(
        () => "answered",
        () => "connection lost",
      );
      // The commit is visible to other calls while the answer is held back.
      for (let i = 0; ; i++) {
        const seen = await call(first.url, "listUsers", { org: { internalId: accountId } });
        if (seen.body.data.length === users.length) break;
        assert.ok(i < 200, "the call never committed");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      first.child.kill("SIGKILL");
      assert.equal(await lost, "connection lost");
    } finally {
      first.child.kill("SIGKILL");
    }

    const second = await startServer(dir);
    try {
      const retried = await call(
        second.url,
        "createUsers",
        { users, org: { internalId: accountId } },
        "import-chunk-1",
      );
      assert.equal(retried.status, 200);
      assert.equal(retried.replayed, "true");
      assert.equal(retried.body.data.length, users.length);
      assert.deepEqual(retried.body.warnings, []);
      const listed = await call(second.url, "listUsers", { org: { internalId: accountId } });
      assert.equal(listed.body.data.length, users.length);
    } finally {
      second.child.kill("SIGTERM");
    }
  });
});
