/**
 * All method implementations, by method name. The HTTP layer dispatches here;
 * nothing below knows which door a call came through.
 */
import type { MethodResult } from "../domain/errors.js";
import type { InputOf, MethodName } from "../domain/methods.js";
import type { Ctx, Deps } from "./context.js";
import { sessionMethods } from "./sessions.js";

export type MethodImpl<M extends MethodName> = (ctx: Ctx, input: InputOf<M>) => Promise<MethodResult>;
export type Services = { [M in MethodName]?: MethodImpl<M> };

export function createServices(deps: Deps): Services {
  return {
    ...sessionMethods(deps),
  };
}
