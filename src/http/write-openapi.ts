/**
 * `npm run openapi`: writes the OpenAPI document to docs/openapi.json, the copy
 * CI compares with what the code generates (test/http/openapi.test.ts).
 */
import { writeFileSync } from "node:fs";
import { packageVersion } from "../version.js";
import { buildOpenApi } from "./openapi.js";

export function openApiText(): string {
  return `${JSON.stringify(buildOpenApi(packageVersion()), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = new URL("../../docs/openapi.json", import.meta.url);
  writeFileSync(target, openApiText());
  process.stdout.write(`wrote ${target.pathname}\n`);
}
