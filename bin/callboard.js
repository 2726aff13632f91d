#!/usr/bin/env node
// The `callboard` command. It runs the compiled JavaScript in dist/ (built by
// `npm run build`, which `npm install` and `npm ci` run through `prepare`): a
// start in tens of milliseconds. When dist/ is missing or older than a source
// file (a checkout without a build, or sources edited since), it runs the
// TypeScript sources through tsx instead, which compiles on every start
// (1–3 s) but is always current.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = `${root}dist/.tsbuildinfo`;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    const time = entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

function distIsCurrent() {
  if (!existsSync(built) || !existsSync(`${root}dist/cli/index.js`)) return false;
  return statSync(built).mtimeMs >= newestSource(`${root}src`);
}

// CALLBOARD_FROM_SOURCE=1 forces the sources; CALLBOARD_SHOW_BUILD=1 says on
// stderr which one runs (the CLI tests check that a current dist/ is used).
const compiled = process.env.CALLBOARD_FROM_SOURCE !== "1" && distIsCurrent();
if (process.env.CALLBOARD_SHOW_BUILD === "1") process.stderr.write(`callboard: running ${compiled ? "dist" : "src"}\n`);
let run;
if (compiled) {
  ({ run } = await import("../dist/cli/index.js"));
} else {
  // Imported dynamically: a static import would be hoisted above register().
  const { register } = await import("tsx/esm/api");
  register();
  ({ run } = await import("../src/cli/index.ts"));
}
await run(process.argv);
