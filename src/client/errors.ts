/**
 * What a call of the typed client throws. A CallboardError is an answer: the
 * server said no, with the issues of the envelope and the HTTP status (nothing
 * changed, SPEC §1). A TransportError is the absence of an answer: the server
 * could not be reached, or answered something that is not the envelope (a
 * proxy's error page); whether anything changed is then unknown.
 */
import type { IssueOut } from "../domain/results.js";

export { TransportError } from "./http.js";

export type Issue = IssueOut;

export class CallboardError extends Error {
  /** the first error's code, the one that decided the status */
  readonly code: Issue["code"];

  constructor(
    readonly method: string,
    readonly status: number,
    readonly errors: Issue[],
    readonly warnings: Issue[] = [],
    /** seconds, when the server sent Retry-After */
    readonly retryAfter?: number,
  ) {
    const first = errors[0];
    super(
      `${method}: ${status} ${first ? `${first.code}: ${first.message}${first.context ? ` (${first.context})` : ""}` : "failed"}`,
    );
    this.name = "CallboardError";
    this.code = first?.code ?? "INTERNAL_ERROR";
  }
}
