/**
 * The client commands' settings (SPEC §7): CALLBOARD_URL, CALLBOARD_USER and
 * CALLBOARD_PASSWORD. They are the CLI's own, not the server's, which is why
 * they are read here and not in src/config.ts.
 */
import { type CallboardClient, createClient } from "../client/client.js";

export const DEFAULT_URL = "http://127.0.0.1:7340";

type Env = Record<string, string | undefined>;

/** A problem with how the command was called: exit 2, nothing was sent. */
export class UsageProblem extends Error {}

/** The variables a command needs that are not set, named in the message. */
export function missingCredentials(env: Env): string | undefined {
  const missing = ["CALLBOARD_USER", "CALLBOARD_PASSWORD"].filter((name) => !env[name]);
  if (missing.length === 0) return undefined;
  return (
    `set ${missing.join(" and ")} to the login and password of a Callboard user ` +
    `(and CALLBOARD_URL if the server is not at ${DEFAULT_URL})`
  );
}

/** A client authenticated from the environment; a UsageProblem when the credentials are missing. */
export function clientFromEnv(env: Env): CallboardClient {
  const problem = missingCredentials(env);
  if (problem) throw new UsageProblem(problem);
  return createClient({
    baseUrl: env.CALLBOARD_URL || DEFAULT_URL,
    auth: { user: env.CALLBOARD_USER ?? "", password: env.CALLBOARD_PASSWORD ?? "" },
  });
}
