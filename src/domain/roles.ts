/**
 * Roles and what each may call (SPEC §3). Scope (home org and below) and the
 * finer rules (an Agent acts only on itself; an AccountManager does not create
 * or delete Enterprises) are applied by the services, which know the objects.
 */
import { oneOf } from "./enumerations.js";

export const ROLES = ["Administrator", "AccountManager", "Supervisor", "Agent"] as const;
export type Role = (typeof ROLES)[number];

export const isRole = oneOf(ROLES);

/** Methods a Supervisor may call beyond every show and list method. */
const SUPERVISOR_ACTIONS = new Set([
  "acquireAgent",
  "releaseAgent",
  "changeAgentState",
  "changeAgentGroupState",
  "showCurrentSession",
  "deleteSession",
  "changePassword",
]);

const AGENT_METHODS = new Set([
  "showCurrentSession",
  "deleteSession",
  "changePassword",
  "showAgentStateUsingUser",
  "changeAgentState",
]);

function roleAllows(role: Role, method: string): boolean {
  switch (role) {
    case "Administrator":
    case "AccountManager":
      return true;
    case "Supervisor":
      return method.startsWith("show") || method.startsWith("list") || SUPERVISOR_ACTIONS.has(method);
    case "Agent":
      return AGENT_METHODS.has(method);
  }
}

export function mayCall(roles: readonly Role[], method: string): boolean {
  return roles.some((role) => roleAllows(role, method));
}

/** Administrator and AccountManager manage objects; the others only act on them. */
export function isManager(roles: readonly Role[]): boolean {
  return roles.includes("Administrator") || roles.includes("AccountManager");
}

/** True when a caller holding `roles` acts on other users only as an Agent on itself. */
export function isAgentOnly(roles: readonly Role[]): boolean {
  return !roles.some((role) => role !== "Agent");
}
