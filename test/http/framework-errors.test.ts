/**
 * What the framework and Node's HTTP parser refuse is answered like any other
 * refusal: the envelope, a catalogue code, a 4xx — over a real socket, since
 * the parser's refusals never reach app.inject.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { before, describe, it } from "node:test";
import { suiteApp } from "../factories/app.js";

interface Answer {
  status: number;
  body: { data: unknown[]; errors: { code: string }[]; warnings: unknown[] };
}

async function post(url: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: "{}",
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** Sends raw bytes and answers the status line's code and the body. */
function raw(url: string, request: string): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      const [head = "", body = ""] = text.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]);
      try {
        resolve({ status, body: JSON.parse(body) as Answer["body"] });
      } catch (error) {
        reject(new Error(`not an envelope: ${text.slice(0, 200)}`, { cause: error }));
      }
    });
  });
}

describe("framework refusals in the envelope", () => {
  const t = suiteApp();
  let url: string;
  before(async () => {
    url = await t.runtime.app.listen({ port: 0, host: "127.0.0.1" });
  });

  const envelopeWith = (answer: Answer, status: number, code: string) => {
    assert.equal(answer.status, status);
    assert.deepEqual(answer.body.data, []);
    assert.deepEqual(answer.body.warnings, []);
    assert.equal(answer.body.errors[0]?.code, code);
  };

  it("a method name too long to be one: 404 UNKNOWN_METHOD, not 414", async () => {
    envelopeWith(await post(url, `/api/v1/${"x".repeat(500)}`), 404, "UNKNOWN_METHOD");
  });

  it("a URL whose percent-encoding is not UTF-8: 400 ARG_INVALID_DATA", async () => {
    envelopeWith(await post(url, "/api/v1/%E0%A4%A"), 400, "ARG_INVALID_DATA");
  });

  it("headers over the parser's limit: 431 ARG_TOO_LARGE", async () => {
    envelopeWith(await post(url, "/api/v1/showOrg", { "x-padding": "a".repeat(20_000) }), 431, "ARG_TOO_LARGE");
  });

  it("bytes that are not HTTP: 400 ARG_INVALID_DATA", async () => {
    envelopeWith(await raw(url, "NOT HTTP AT ALL\r\n\r\n"), 400, "ARG_INVALID_DATA");
  });
});
