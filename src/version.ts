/**
 * The package's version, read from package.json beside src/ or dist/ (both sit
 * one level below it), so the sources and the compiled output agree.
 */
import { readFileSync } from "node:fs";

let cached: string | undefined;

export function packageVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
    .version;
  return cached;
}
