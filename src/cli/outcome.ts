/**
 * How a client command ends: exit 0 when the call succeeded (warnings allowed),
 * 1 when the server answered with errors, 2 when nothing could be asked (a
 * usage problem, missing credentials) or no answer came (server unreachable).
 */
import { CallboardError, TransportError } from "../client/errors.js";
import type { Io } from "./index.js";
import { UsageProblem } from "./settings.js";

/** Runs a command's work; the work answers the exit code of a call that got an answer. */
export type CommandRunner = (work: () => Promise<number>) => Promise<void>;

export function commandRunner(io: Io): CommandRunner {
  return async (work) => {
    try {
      io.exit(await work());
    } catch (error) {
      if (error instanceof CallboardError) {
        io.stderr(`callboard: ${error.message}\n`);
        io.exit(1);
        return;
      }
      if (error instanceof UsageProblem || error instanceof TransportError) {
        io.stderr(`callboard: ${error.message}\n`);
        io.exit(2);
        return;
      }
      throw error;
    }
  };
}
