/**
 * The real server process (SPEC §7, §8): SIGTERM lets the request in flight
 * finish and answer, then the process exits 0; after SIGTERM or kill -9, what it
 * acknowledged is there after a restart on the same database.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ADMIN, basic } from "../factories/app.js";

function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      ...process.env,
      CALLBOARD_DATA_DIR: dataDir,
      CALLBOARD_PORT: "0",
      CALLBOARD_ADMIN_USER: ADMIN.user,
      CALLBOARD_ADMIN_PASSWORD: ADMIN.password,
      CALLBOARD_DATABASE_URL: "",
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

async function call(url: string, method: string, body: unknown) {
  const response = await fetch(`${url}/api/v1/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic(ADMIN) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data: unknown[]; errors: unknown[] } };
}

describe("the server process", () => {
  const dir = mkdtempSync(join(tmpdir(), "callboard-e2e-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("finishes the request in flight on SIGTERM, exits 0, and keeps what it acknowledged", async () => {
    const first = await startServer(dir);
    const enterprise = await call(first.url, "createOrg", {
      child: { externalId: "e2e" },
      parent: { internalId: "root" },
    });
    const enterpriseId = (enterprise.body.data[0] as { internalId: string }).internalId;
    const account = await call(first.url, "createOrg", {
      child: { externalId: "e2e-acc" },
      parent: { internalId: enterpriseId },
    });
    const accountId = (account.body.data[0] as { internalId: string }).internalId;
    // Forty passwords at the production scrypt cost keep this request busy for a while.
    const users = Array.from({ length: 40 }, (_, i) => ({
      externalId: `shutdown${i}@example.com`,
      firstName: "S",
      lastName: "D",
      roles: ["Agent"],
      password: "password-1",
    }));
    const inFlight = call(first.url, "createUsers", { users, org: { internalId: accountId } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = new Promise<number | null>((resolve) => first.child.on("exit", resolve));
    first.child.kill("SIGTERM");
    const answered = await inFlight;
    assert.equal(answered.status, 200);
    assert.equal(answered.body.data.length, 40);
    // Exits promptly: idle keep-alive connections do not hold the close open.
    const t0 = performance.now();
    assert.equal(await exited, 0);
    assert.ok(performance.now() - t0 < 10_000);

    const second = await startServer(dir);
    try {
      const listed = await call(second.url, "listUsers", { org: { internalId: accountId } });
      assert.equal(listed.body.data.length, 40);
    } finally {
      second.child.kill("SIGTERM");
    }
  });

  it("keeps every acknowledged write through kill -9 in the middle of a write load", async () => {
    const killDir = mkdtempSync(join(tmpdir(), "callboard-kill-"));
    try {
      const first = await startServer(killDir);
      const enterprise = await call(first.url, "createOrg", {
        child: { externalId: "k9" },
        parent: { internalId: "root" },
      });
      const enterpriseId = (enterprise.body.data[0] as { internalId: string }).internalId;
      const acknowledged: string[] = [];
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const externalId = `k9-${w}-${i}`;
          try {
            const reply = await call(first.url, "createOrg", {
              child: { externalId },
              parent: { internalId: enterpriseId },
            });
            if (reply.status === 200) acknowledged.push(externalId);
          } catch {
            return; // the server is gone: this write was never acknowledged
          }
        }
      };
      const writers = Promise.all([0, 1, 2, 3].map(writer));
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 500));
      first.child.kill("SIGKILL");
      await writers;
      stop = true;
      assert.ok(acknowledged.length > 0);

      const second = await startServer(killDir);
      try {
        const listed = await call(second.url, "listOrgs", {
          parent: { internalId: enterpriseId },
          options: { limit: 1000 },
        });
        const stored = new Set((listed.body.data as { externalId: string }[]).map((o) => o.externalId));
        assert.deepEqual(
          acknowledged.filter((id) => !stored.has(id)),
          [],
        );
      } finally {
        second.child.kill("SIGTERM");
      }
    } finally {
      rmSync(killDir, { recursive: true, force: true });
    }
  });
});
