/**
 * The request timeout bounds reading a request and idle connections, never a
 * running handler (SPEC §1, §10), over real sockets with a 1 s timeout: slow
 * headers, a slow body and a silent or idle connection are cut at about 1 s;
 * a createUsers that runs 2.5 s is answered in full; one whose client has gone
 * still commits all of its users.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { PasswordHasher } from "../../src/services/passwords.js";
import { scryptHasher } from "../../src/services/passwords.js";
import { ADMIN, basic, makeAccount, startApp, type TestApp, uniqueEmail } from "../factories/app.js";

const TIMEOUT_MS = 1000;
/** A cut must come after the timeout and before this. */
const LATEST_MS = 2000;

/** scrypt at a low cost, each hash made slow by `delayMs`. */
function slowHasher(delayMs: number): PasswordHasher {
  const inner = scryptHasher(16);
  return {
    ...inner,
    async hash(password) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return inner.hash(password);
    },
  };
}

/** Opens a socket, runs `talk`, and answers how long until the server closed it, and what it said. */
function closedAfter(port: number, talk: (socket: Socket) => void): Promise<{ ms: number; said: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const t0 = performance.now();
    let said = "";
    socket.on("data", (chunk) => {
      said += chunk.toString();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve({ ms: performance.now() - t0, said }));
    socket.on("connect", () => talk(socket));
    setTimeout(() => {
      socket.destroy();
      reject(new Error("the server never closed the connection"));
    }, 10_000).unref();
  });
}

/** Writes a byte every 200 ms, for longer than the timeout. */
function trickle(socket: Socket, byte: string): void {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else socket.write(byte);
  }, 200);
  socket.on("close", () => clearInterval(timer));
}

describe("request timeouts", () => {
  let t: TestApp;
  let port: number;
  let accountId: string;
  before(async () => {
    // Each user's hash takes 50 ms and the fake runs them one at a time: 50 users ≈ 2.5 s.
    const inner = slowHasher(50);
    let chain = Promise.resolve("");
    const serial: PasswordHasher = {
      ...inner,
      hash(password) {
        chain = chain.then(() => inner.hash(password));
        return chain;
      },
    };
    t = await startApp({ passwords: serial, env: { CALLBOARD_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } });
    await t.runtime.app.listen({ port: 0, host: "127.0.0.1" });
    const address = t.runtime.app.server.address();
    port = typeof address === "object" && address ? address.port : 0;
    accountId = (await makeAccount(t)).accountId;
  });
  after(() => t.close());

  const users = (n: number) =>
    Array.from({ length: n }, () => ({
      externalId: uniqueEmail("slow"),
      firstName: "S",
      lastName: "L",
      roles: ["Agent"],
      password: "password-1",
    }));

  it("cuts headers that trickle in", async () => {
    const { ms } = await closedAfter(port, (socket) => {
      socket.write("POST /api/v1/showCurrentSession HTTP/1.1\r\nHost: x\r\n");
      trickle(socket, "a");
    });
    assert.ok(ms >= TIMEOUT_MS - 50 && ms < LATEST_MS, `closed after ${ms.toFixed(0)} ms`);
  });

  it("cuts a body that trickles in, with 408", async () => {
    const { ms, said } = await closedAfter(port, (socket) => {
      socket.write(
        `POST /api/v1/showCurrentSession HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nAuthorization: ${basic(ADMIN)}\r\n\r\n`,
      );
      trickle(socket, " ");
    });
    assert.ok(ms >= TIMEOUT_MS - 50 && ms < LATEST_MS, `closed after ${ms.toFixed(0)} ms`);
    assert.match(said, /^HTTP\/1\.1 408/);
  });

  it("closes a connection that never sends anything", async () => {
    const { ms } = await closedAfter(port, () => undefined);
    assert.ok(ms >= TIMEOUT_MS - 50 && ms < LATEST_MS, `closed after ${ms.toFixed(0)} ms`);
  });

  it("closes a kept-alive connection idle after its response", async () => {
    let answeredAt = 0;
    const { ms } = await closedAfter(port, (socket) => {
      socket.write(
        `POST /api/v1/showCurrentSession HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nAuthorization: ${basic(ADMIN)}\r\n\r\n{}`,
      );
      socket.once("data", () => {
        answeredAt = performance.now();
      });
    });
    assert.ok(answeredAt > 0, "answered");
    assert.ok(ms < LATEST_MS + 500, `closed after ${ms.toFixed(0)} ms`);
  });

  it("answers a handler that runs past the timeout, in full", async () => {
    const t0 = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/createUsers`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basic(ADMIN) },
      body: JSON.stringify({ users: users(50), org: { internalId: accountId } }),
    });
    const ms = performance.now() - t0;
    const body = (await response.json()) as { data: unknown[] };
    assert.equal(response.status, 200);
    assert.equal(body.data.length, 50);
    assert.ok(ms > 2 * TIMEOUT_MS, `the call took only ${ms.toFixed(0)} ms: not past the timeout`);
  });

  it("commits all of a call whose client went away, or nothing", async () => {
    const batch = users(40);
    const body = JSON.stringify({ users: batch, org: { internalId: accountId } });
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write(
          `POST /api/v1/createUsers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAuthorization: ${basic(ADMIN)}\r\n\r\n${body}`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 300);
      });
    });
    // One query, so a count never straddles the commit.
    const count = async () => {
      const rows = await t.runtime.deps.db.q
        .selectFrom("users")
        .select("id")
        .where(
          "login_key",
          "in",
          batch.map((u) => u.externalId),
        )
        .execute();
      return rows.length;
    };
    assert.equal(await count(), 0, "the hashes run before the transaction: nothing yet");
    let found = 0;
    for (let i = 0; i < 50 && found === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      found = await count();
    }
    assert.equal(found, batch.length, "all of them, once it committed");
  });
});
