/**
 * What a caller gets for a method path it called wrongly (SPEC §1): another
 * HTTP verb on a method's path → 405 with `Allow: POST`; a name that is no
 * method → 404 UNKNOWN_METHOD, with the nearest method name suggested when one
 * is close (a typo, or the wrong case).
 */
import type { FastifyInstance } from "fastify";
import { fail, type Issue, issue } from "../domain/errors.js";
import { isMethodName, METHODS } from "../domain/methods.js";

const NAMES = Object.keys(METHODS);
const METHOD_PATH = /^\/api\/v1\/([^/?#]+)/;

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The method name nearest to `name`, compared without case, when it is close:
 * at most a quarter of the name's letters off (and at least 2 allowed), so
 * `acquireAgnet` finds acquireAgent and `foo` finds nothing.
 */
export function nearestMethod(name: string): string | undefined {
  const wanted = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of NAMES) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  if (!best || best.distance > Math.max(2, Math.floor(name.length / 4))) return undefined;
  return best.name;
}

export function unknownMethod(name: string): Issue {
  const near = nearestMethod(name);
  return issue("UNKNOWN_METHOD", { subject: name, ...(near ? { context: `did you mean '${near}'?` } : {}) });
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Answers 405 to another verb on a method path before the body is read (so a
 * PUT with a non-JSON body is still a 405, not a 415).
 */
export function registerMethodPaths(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    if (request.method === "POST") return;
    const match = METHOD_PATH.exec(request.url);
    const name = match?.[1] ? decoded(match[1]) : undefined;
    if (!name || !isMethodName(name)) return;
    const found = issue("UNKNOWN_METHOD", {
      subject: name,
      context: `${request.method} is not allowed: every method is called with POST`,
    });
    return reply
      .code(405)
      .header("allow", "POST")
      .header("content-type", "application/json; charset=utf-8")
      .send(JSON.stringify(fail(found)));
  });
}
