/**
 * The wallboard's static files (src/http/static.ts): index.html at `/`, built
 * files with their content types and cache headers, nothing outside the build,
 * and a clear page when the board is not built.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Fastify from "fastify";
import { registerWallboard } from "../../src/http/static.js";

function fakeBuild(): string {
  const root = mkdtempSync(join(tmpdir(), "cb-web-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), "<!doctype html><title>board</title>");
  writeFileSync(join(root, "assets", "index-AbC123.js"), "console.log(1)");
  writeFileSync(join(root, "assets", "index-AbC123.css"), "body{}");
  writeFileSync(join(root, "robots.txt"), "User-agent: *");
  // A secret beside the build, to be reached by traversal if the handler joined paths.
  writeFileSync(join(root, "..", `${root.split("/").pop()}-secret.txt`), "secret");
  return root;
}

async function serve(root: string) {
  const app = Fastify();
  registerWallboard(app, root);
  app.setNotFoundHandler((_request, reply) => reply.code(404).send("not found"));
  await app.ready();
  return app;
}

describe("wallboard static files", () => {
  const root = fakeBuild();
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(`${root}-secret.txt`, { force: true });
  });

  it("serves index.html at / as HTML, revalidated, with a content security policy", async () => {
    const app = await serve(root);
    const reply = await app.inject({ method: "GET", url: "/" });
    assert.equal(reply.statusCode, 200);
    assert.equal(reply.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(reply.headers["cache-control"], "no-cache");
    assert.match(String(reply.headers["content-security-policy"]), /default-src 'self'/);
    assert.equal(reply.body, "<!doctype html><title>board</title>");
    const head = await app.inject({ method: "HEAD", url: "/" });
    assert.equal(head.statusCode, 200);
    await app.close();
  });

  it("serves hashed assets with their content type, immutable for a year", async () => {
    const app = await serve(root);
    const js = await app.inject({ method: "GET", url: "/assets/index-AbC123.js" });
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(js.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(js.headers["x-content-type-options"], "nosniff");
    const css = await app.inject({ method: "GET", url: "/assets/index-AbC123.css" });
    assert.equal(css.headers["content-type"], "text/css; charset=utf-8");
    const txt = await app.inject({ method: "GET", url: "/robots.txt" });
    assert.equal(txt.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(txt.headers["cache-control"], "no-cache");
    await app.close();
  });

  it("answers nothing outside the build: traversal, encoded or not, and unknown files fall through", async () => {
    const app = await serve(root);
    const name = `${root.split("/").pop()}-secret.txt`;
    for (const url of [
      `/../${name}`,
      `/assets/../../${name}`,
      `/%2e%2e/${name}`,
      `/assets/%2e%2e%2f%2e%2e%2f${name}`,
      "/assets/missing.js",
      "/index.html/",
      "/assets/",
    ]) {
      const reply = await app.inject({ method: "GET", url });
      assert.notEqual(reply.body, "secret", url);
      assert.equal(reply.statusCode, 404, url);
    }
    await app.close();
  });

  it("answers a clear page, not a 404, when the board is not built", async () => {
    const app = await serve(join(root, "no-such-dir"));
    const reply = await app.inject({ method: "GET", url: "/" });
    assert.equal(reply.statusCode, 503);
    assert.equal(reply.headers["content-type"], "text/html; charset=utf-8");
    assert.match(reply.body, /not built/);
    assert.match(reply.body, /npm run build:web/);
    await app.close();
  });
});
