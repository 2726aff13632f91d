/**
 * Turns a parsed JSON body into a method's input, or into every error found in
 * it (at most 100), each placed by `argumentIndex` and `attributeName`.
 *
 * Fastify's own validation is not used for method bodies: it coerces ("5" → 5),
 * strips unknown fields and stops at the first error, where the SPEC wants none
 * of that. TypeBox's compiled checkers report every error with a JSON pointer.
 */
import { Compile, type Validator } from "typebox/compile";
import { Settings } from "typebox/system";
import { type Issue, issue, MAX_ERRORS } from "../domain/errors.js";
import type { MethodSpec } from "../domain/methods.js";
import { ListOptions } from "../domain/schemas.js";

const MAX_DEPTH = 32;

interface CompiledArgument {
  name: string;
  index: number;
  required: boolean;
  check: Validator;
}

export interface CompiledMethod {
  arguments: CompiledArgument[];
  byName: Map<string, CompiledArgument>;
}

const compiledOptions = Compile(ListOptions);

/**
 * TypeBox stops enumerating errors after `maxErrors` (8 by default), and a bad
 * nullable field costs three of them (the field, the null branch, the union),
 * so by default a body with three bad items reported only two. The SPEC wants
 * every error up to 100: let TypeBox gather enough raw errors for 100 places.
 * The setting is process-wide; only this module enumerates TypeBox errors, and
 * only for bodies that already failed the check.
 */
const RAW_ERRORS_PER_PLACE = 8;

function gatherEnoughErrors(): void {
  if (Settings.Get().maxErrors < MAX_ERRORS * RAW_ERRORS_PER_PLACE) {
    Settings.Set({ maxErrors: MAX_ERRORS * RAW_ERRORS_PER_PLACE });
  }
}

export function compileMethod(spec: MethodSpec): CompiledMethod {
  gatherEnoughErrors();
  const names = Object.keys(spec.args);
  const args: CompiledArgument[] = names.map((name, index) => ({
    name,
    index,
    required: (spec.required as readonly string[]).includes(name),
    check: Compile(spec.args[name] as Parameters<typeof Compile>[0]),
  }));
  if (spec.list) args.push({ name: "options", index: names.length, required: false, check: compiledOptions });
  return { arguments: args, byName: new Map(args.map((a) => [a.name, a])) };
}

export type Decoded = { ok: true; input: Record<string, unknown> } | { ok: false; errors: Issue[] };

export function decodeArguments(method: CompiledMethod, body: unknown): Decoded {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, errors: [issue("ARG_INVALID_DATA", { subject: "the request body must be a JSON object" })] };
  }
  const errors: Issue[] = [];
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!method.byName.has(key))
      errors.push(issue("ARG_INVALID_DATA", { subject: key, context: `unknown argument '${key}'` }));
  }
  for (const arg of method.arguments) {
    const value = record[arg.name];
    if (value === undefined || value === null) {
      if (arg.required) errors.push(issue("ARG_NULL", { subject: arg.name, argumentIndex: arg.index }));
      continue;
    }
    const before = errors.length;
    scanValues(value, arg, [], 0, errors);
    if (errors.length > before) continue;
    if (!arg.check.Check(value)) errors.push(...schemaIssues(arg, value));
  }
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, MAX_ERRORS) };
  return { ok: true, input: record };
}

type Segment = string | number;

/** `agents[3].externalId` for an array argument, `agent.loginEnabled` inside an object. */
export function attributeName(argument: string, path: readonly Segment[], argumentIsArray: boolean): string {
  let out = argumentIsArray ? argument : "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/**
 * Ill-formed Unicode is never text; NUL is refused everywhere too: PostgreSQL
 * cannot store or even compare it, and no field of the API has a use for it.
 * (Other control characters are judged field by field by the services.)
 */
function acceptableText(text: string): boolean {
  return text.isWellFormed() && !text.includes("\u0000");
}

/** Non-finite numbers, ill-formed or NUL-bearing strings and runaway nesting, which JSON Schema does not see. */
function scanValues(value: unknown, arg: CompiledArgument, path: Segment[], depth: number, out: Issue[]): void {
  if (out.length >= MAX_ERRORS) return;
  const place = () => placeOf(arg, path);
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      out.push(
        issue(path.length ? "ATTRIBUTE_INVALID_DATA" : "ARG_INVALID_DATA", {
          ...place(),
          context: "numbers must be finite",
        }),
      );
    return;
  }
  if (typeof value === "string") {
    if (!acceptableText(value)) out.push(issue("ARG_INVALID_CHAR", { ...place(), subject: arg.name }));
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (depth >= MAX_DEPTH) {
    out.push(issue("ARG_INVALID_DATA", { ...place(), context: "nested too deeply" }));
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) scanValues(item, arg, [...path, i], depth + 1, out);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!acceptableText(key)) {
      out.push(issue("ARG_INVALID_CHAR", { ...place(), subject: arg.name }));
      continue;
    }
    scanValues(item, arg, [...path, key], depth + 1, out);
  }
}

function placeOf(arg: CompiledArgument, path: readonly Segment[], rootIsArray = false) {
  if (path.length === 0) return { subject: arg.name, argumentIndex: arg.index };
  const name = attributeName(arg.name, path, rootIsArray || typeof path[0] === "number");
  return { subject: name, argumentIndex: arg.index, attributeName: name };
}

function parsePointer(pointer: string): Segment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment));
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message: string;
  params: unknown;
}

/**
 * Errors that describe a nullable union rather than a place: every optional
 * field is `X | null`, and a value that fails X also fails the null branch
 * ("must be null") and the union itself ("must match a schema in anyOf").
 * Reporting those would add a spurious issue for the field and for each of its
 * ancestors on top of the real one, so they are dropped whenever a real error
 * sits at or below the same place.
 */
function isUnionNoise(error: SchemaError): boolean {
  if (error.keyword === "anyOf") return true;
  const type = (error.params as { type?: unknown } | undefined)?.type;
  return error.keyword === "type" && type === "null" && /\/anyOf\/\d+$/.test(error.schemaPath);
}

function isWithin(inner: readonly Segment[], outer: readonly Segment[]): boolean {
  return inner.length >= outer.length && outer.every((segment, i) => inner[i] === segment);
}

/**
 * One issue per offending place: an unknown field is named as such, a missing
 * required field is ATTRIBUTE_NULL naming that field.
 */
function schemaIssues(arg: CompiledArgument, value: unknown): Issue[] {
  const byPlace = new Map<string, Issue>();
  const rootIsArray = Array.isArray(value);
  const record = (at: Segment[], context: string, code: "ATTRIBUTE_INVALID_DATA" | "ATTRIBUTE_NULL") => {
    const key = at.join("/");
    if (byPlace.has(key)) return;
    if (at.length === 0) {
      byPlace.set(key, issue("ARG_INVALID_TYPE", { subject: arg.name, argumentIndex: arg.index }));
    } else {
      byPlace.set(key, issue(code, { ...placeOf(arg, at, rootIsArray), context }));
    }
  };
  const found = [...arg.check.Errors(value)].map((error: SchemaError) => ({
    error,
    path: parsePointer(error.instancePath),
  }));
  const real = found.filter(({ error }) => !isUnionNoise(error));
  for (const { error, path } of found) {
    if (isUnionNoise(error) && real.some((other) => isWithin(other.path, path))) continue;
    if (error.keyword === "additionalProperties") {
      const extra = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      for (const key of extra) record([...path, key], "unknown attribute", "ATTRIBUTE_INVALID_DATA");
    } else if (error.keyword === "boolean" && path.length > 0) {
      record(path, "unknown attribute", "ATTRIBUTE_INVALID_DATA");
    } else if (error.keyword === "required") {
      const missing = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      for (const key of missing) record([...path, key], "required", "ATTRIBUTE_NULL");
    } else {
      record(path, error.message, "ATTRIBUTE_INVALID_DATA");
    }
  }
  return [...byPlace.values()].slice(0, MAX_ERRORS);
}
