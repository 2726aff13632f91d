/**
 * The wallboard's static files (web/dist, built by `npm install`'s prepare
 * script) at `/`. A handler of our own rather than @fastify/static: the build
 * is a handful of files, so they are listed once at start and only a listed
 * file is ever served. A request path is a key into that list, never joined to
 * a directory, so no path (`..`, encoded or not) can reach another file.
 *
 * Caching: Vite puts only content-hashed names under assets/, so those are
 * immutable for a year; index.html names the current hashes and is revalidated
 * on every load, so a new build is picked up by the next reload.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

export const DEFAULT_WALLBOARD_DIR = fileURLToPath(new URL("../../web/dist", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Vite's names; anything else (a `:` or `*` would be route syntax) is not served. */
const SAFE_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/** The page may load only its own scripts and styles, and talk only to its own origin. */
const PAGE_POLICY =
  "default-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

interface Asset {
  body: Buffer;
  type: string;
  cache: string;
}

function listFiles(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const url = `/${relative(root, path).split(sep).join("/")}`;
        assets.set(url, {
          body: readFileSync(path),
          type: TYPES[extname(entry.name).toLowerCase()] ?? "application/octet-stream",
          cache: url.startsWith("/assets/") ? IMMUTABLE : REVALIDATE,
        });
      }
    }
  };
  walk(root);
  return assets;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Callboard</title>
<h1>The wallboard is not built</h1>
<p>Its files are made by <code>npm install</code> (or <code>npm run build:web</code>) into <code>web/dist</code>.
Build it and reload this page. The API at <code>/api/v1/</code> works without it.</p>`;

function sendAsset(reply: FastifyReply, asset: Asset): FastifyReply {
  reply
    .header("content-type", asset.type)
    .header("cache-control", asset.cache)
    .header("x-content-type-options", "nosniff");
  if (asset.type.startsWith("text/html")) reply.header("content-security-policy", PAGE_POLICY);
  return reply.send(asset.body);
}

/**
 * Registers `GET /` (index.html) and the built files. Files are read once, at
 * registration: the server serves the build it started with.
 */
export function registerWallboard(app: FastifyInstance, root: string = DEFAULT_WALLBOARD_DIR): void {
  const assets = isDirectory(root) ? listFiles(root) : new Map<string, Asset>();
  const index = assets.get("/index.html");

  app.get("/", (_request, reply) => {
    if (!index)
      return reply
        .code(503)
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .send(NOT_BUILT);
    return sendAsset(reply, index);
  });

  // Every built file but index.html (served at `/`) gets its own route: nothing
  // else under `/` is answered here, and unknown paths fall to the API's 404.
  for (const [url, asset] of assets) {
    if (url === "/index.html" || !SAFE_PATH.test(url)) continue;
    app.get(url, (_request, reply) => sendAsset(reply, asset));
  }
}
