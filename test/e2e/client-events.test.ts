/**
 * The client's event subscription against a scripted SSE server on a real
 * port (SPEC §6): it resumes by itself with Last-Event-ID after a dropped
 * connection, a proxy's 502 and silence; it delivers every event once and in
 * order; it starts from a snapshot; it stops on what retrying cannot fix.
 */
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, it } from "node:test";
import { CallboardError, type CallboardEvent, createClient, type SubscriptionStatus } from "../../src/client/index.js";
import { SseParser } from "../../src/client/sse.js";
import { fakeServer } from "../factories/server.js";

const account = { internalId: "acc1", externalId: "acme" };

function event(seq: number, type = "agentGroup.deleted") {
  return {
    seq,
    type,
    time: "2026-03-02T12:00:00.000Z",
    account,
    data: { internalId: `g${seq}`, externalId: `g${seq}` },
  };
}

function frame(seq: number, type = "agentGroup.deleted"): string {
  return `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify(event(seq, type))}\n\n`;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A stream that writes `chunks`, then ends (or hangs up, or stays open). */
function stream(chunks: string[], then: "end" | "hangUp" | "stay" = "end"): Handler {
  return (request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    response.flushHeaders();
    for (const chunk of chunks) response.write(chunk);
    if (then === "end") response.end();
    if (then === "hangUp") setTimeout(() => request.socket.destroy(), 20);
  };
}

function status(code: number, body = "<html>Bad Gateway</html>", type = "text/html"): Handler {
  return (_request, response) => {
    response.writeHead(code, { "content-type": type });
    response.end(body);
  };
}

/** Waits until `predicate` holds (the subscription works in the background). */
async function until(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the client's event subscription", () => {
  it("resumes with Last-Event-ID after a dropped connection and a 502, losing and repeating nothing", async () => {
    const server = await fakeServer([
      stream(["retry: 20\n", frame(1), ": heartbeat\n\n", frame(2)], "hangUp"),
      status(502),
      // A server that resends an event already delivered: it is dropped.
      stream([frame(2), frame(3), frame(4, "agentState.deleted")], "stay"),
    ]);
    const events: CallboardEvent[] = [];
    const statuses: SubscriptionStatus[] = [];
    const cb = createClient({ baseUrl: server.url, auth: { token: "t0ken" } });
    const subscription = cb.subscribe({
      types: ["agentGroup.deleted", "agentState.deleted"],
      agentGroup: "g1",
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
    });
    try {
      await until(() => events.length === 4, "four events");
      assert.deepEqual(
        events.map((e) => e.seq),
        [1, 2, 3, 4],
      );
      assert.equal(events[3]?.type, "agentState.deleted");
      assert.equal(subscription.lastEventId, 4);
      assert.equal(server.seen.length, 3);
      const [first, second, third] = server.seen;
      assert.equal(first?.headers["last-event-id"], undefined);
      assert.equal(second?.headers["last-event-id"], "2");
      assert.equal(third?.headers["last-event-id"], "2");
      for (const seen of server.seen) {
        assert.equal(seen.method, "GET");
        assert.equal(seen.url, "/api/v1/events?types=agentGroup.deleted%2CagentState.deleted&agentGroup=g1");
        assert.equal(seen.headers.accept, "text/event-stream");
        assert.equal(seen.headers.authorization, "Bearer t0ken");
      }
      assert.deepEqual(statuses, ["live", "reconnecting", "reconnecting", "live"]);
      assert.equal(subscription.status, "live");
    } finally {
      subscription.close();
      await subscription.done;
      await server.close();
    }
    assert.equal(subscription.status, "closed");
  });

  it("starts from a snapshot, then resumes after the snapshot's seq without asking for another", async () => {
    const snapshot = { agentStates: [], agentGroupStates: [] };
    const server = await fakeServer([
      stream([`retry: 10\nid: 10\nevent: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`, frame(11)], "end"),
      stream([frame(12)], "stay"),
    ]);
    const got: string[] = [];
    const subscription = createClient({ baseUrl: server.url }).subscribe({
      snapshot: true,
      onSnapshot: (s, seq) => got.push(`snapshot@${seq}:${JSON.stringify(s)}`),
      onEvent: (e) => got.push(`event ${e.seq}`),
    });
    try {
      await until(() => got.length === 3, "snapshot and two events");
      assert.deepEqual(got, [`snapshot@10:${JSON.stringify(snapshot)}`, "event 11", "event 12"]);
      assert.equal(server.seen[0]?.url, "/api/v1/events?snapshot=true");
      assert.equal(server.seen[1]?.url, "/api/v1/events");
      assert.equal(server.seen[1]?.headers["last-event-id"], "11");
    } finally {
      subscription.close();
      await server.close();
    }
  });

  it("resumes from `since` when given, as Last-Event-ID", async () => {
    const server = await fakeServer([stream([frame(6)], "stay")]);
    const seqs: number[] = [];
    const subscription = createClient({ baseUrl: server.url }).subscribe({
      since: 5,
      onEvent: (e) => seqs.push(e.seq),
    });
    try {
      await until(() => seqs.length === 1, "an event");
      assert.equal(server.seen[0]?.headers["last-event-id"], "5");
    } finally {
      subscription.close();
      await server.close();
    }
  });

  it("reconnects when the stream falls silent past the idle timeout", async () => {
    const server = await fakeServer([stream([frame(1)], "stay"), stream([frame(2)], "stay")]);
    const seqs: number[] = [];
    const subscription = createClient({ baseUrl: server.url }).subscribe({
      idleTimeoutMs: 150,
      retryMs: 10,
      onEvent: (e) => seqs.push(e.seq),
    });
    try {
      await until(() => seqs.length === 2, "an event after the silence");
      assert.equal(server.seen[1]?.headers["last-event-id"], "1");
    } finally {
      subscription.close();
      await server.close();
    }
  });

  it("on 410 (resume point gone) starts over from a snapshot when it can take one", async () => {
    const gone = status(
      410,
      JSON.stringify({
        data: [],
        dataOffset: 0,
        errors: [{ code: "OBJECT_NOT_EXISTS", type: "Protocol", message: "gone", severity: "Error" }],
        warnings: [],
      }),
      "application/json",
    );
    const server = await fakeServer([
      gone,
      stream([`id: 50\nevent: snapshot\ndata: {"agentStates":[],"agentGroupStates":[]}\n\n`], "stay"),
    ]);
    const seqs: number[] = [];
    const subscription = createClient({ baseUrl: server.url }).subscribe({
      since: 3,
      retryMs: 10,
      onSnapshot: (_s, seq) => seqs.push(seq),
      onEvent: () => {},
    });
    try {
      await until(() => seqs.length === 1, "a snapshot");
      assert.deepEqual(seqs, [50]);
      assert.equal(server.seen[1]?.url, "/api/v1/events?snapshot=true");
      assert.equal(server.seen[1]?.headers["last-event-id"], undefined);
    } finally {
      subscription.close();
      await server.close();
    }
  });

  it("stops on 401 with a CallboardError (retrying cannot fix credentials)", async () => {
    const server = await fakeServer([
      status(
        401,
        JSON.stringify({
          data: [],
          dataOffset: 0,
          errors: [{ code: "NO_SESSION", type: "Security", message: "No current session", severity: "Error" }],
          warnings: [],
        }),
        "application/json",
      ),
    ]);
    const errors: Error[] = [];
    const subscription = createClient({ baseUrl: server.url }).subscribe({
      onEvent: () => {},
      onError: (e) => errors.push(e),
    });
    try {
      await assert.rejects(subscription.done, (error: unknown) => {
        assert.ok(error instanceof CallboardError);
        assert.equal(error.status, 401);
        assert.equal(error.code, "NO_SESSION");
        return true;
      });
      assert.equal(errors.length, 1);
      assert.equal(server.seen.length, 1);
      assert.equal(subscription.status, "closed");
    } finally {
      await server.close();
    }
  });
});

describe("SseParser", () => {
  it("parses frames split anywhere, CRLF or LF, multi-line data, comments and retry", () => {
    const retries: number[] = [];
    const parser = new SseParser((ms) => retries.push(ms));
    const text = ": hi\r\nretry: 1500\r\nid: 7\r\nevent: x\r\ndata: a\r\ndata: b\r\n\r\ndata: c\n\n";
    const frames = [...text].flatMap((ch) => parser.feed(ch));
    assert.deepEqual(frames, [
      { id: "7", event: "x", data: "a\nb" },
      { id: "7", event: "message", data: "c" },
    ]);
    assert.deepEqual(retries, [1500]);
  });
});
