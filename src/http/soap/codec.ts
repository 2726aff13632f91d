/**
 * Between XML and the JSON door's values, walking the same schemas:
 *
 * - decodeOperation turns `<ns:method><arg1>…</arg1>…</ns:method>` into the
 *   JSON body the JSON door takes (`{"agents": [...], "agentGroup": {...}}`),
 *   and nothing more: it converts a leaf to a number or a boolean only where
 *   the schema says so and the text is one, and otherwise leaves the text (or
 *   the element's children) as they are, so the JSON door's one validation
 *   reports the problem with the same code and place as for JSON. Element
 *   order is not checked; unknown elements are passed on for the JSON door to
 *   name.
 * - encodeValue writes a result in the schema's property order, which is the
 *   WSDL's sequence: null as `xsi:nil="true"`, arrays as repeated elements.
 */
import type { TSchema } from "typebox";
import type { MethodName } from "../../domain/methods.js";
import { XSI } from "./envelope.js";
import { isOptional, leafOf, propertiesOf, shapeOf, soapArguments } from "./services.js";
import { attributeKey, escapeText, type XmlElement } from "./xml.js";

const NIL = attributeKey(XSI, "nil");
const XSI_TYPE = attributeKey(XSI, "type");
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** `xsi:type` names of the original that say which kind of entity a reference is. */
const ENTITY_TYPES: Record<string, string> = {
  account: "Account",
  enterprise: "Enterprise",
  superEnterprise: "SuperEnterprise",
  agentGroup: "AgentGroup",
  scheduleGroup: "ScheduleGroup",
};

function isNil(element: XmlElement): boolean {
  const nil = element.attributes.get(NIL);
  return nil !== undefined && /^\s*(true|1)\s*$/.test(nil);
}

/** An element read without a schema: its text, or its children by name (repeated names become arrays). */
function untyped(element: XmlElement): unknown {
  if (isNil(element)) return null;
  if (element.children.length === 0) return element.text;
  const out: Record<string, unknown> = {};
  for (const child of element.children) add(out, child.local, untyped(child), false);
  return out;
}

function add(out: Record<string, unknown>, key: string, value: unknown, repeated: boolean): void {
  const existing = out[key];
  if (repeated) {
    if (Array.isArray(existing)) existing.push(value);
    else out[key] = [value];
  } else if (existing === undefined) {
    out[key] = value;
  } else {
    // The same single field twice: an array, which the JSON door refuses as the wrong type.
    out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
}

function decodeLeaf(schema: TSchema, element: XmlElement): unknown {
  if (element.children.length > 0) return untyped(element);
  const text = element.text;
  switch (leafOf(schema)) {
    case "number":
    case "integer": {
      const trimmed = text.trim();
      const value = Number(trimmed);
      return DECIMAL.test(trimmed) && Number.isFinite(value) ? value : text;
    }
    case "boolean": {
      const trimmed = text.trim();
      if (trimmed === "true" || trimmed === "1") return true;
      if (trimmed === "false" || trimmed === "0") return false;
      return text;
    }
    default:
      return text;
  }
}

function decodeValue(schema: TSchema, element: XmlElement): unknown {
  if (isNil(element)) return null;
  const shape = shapeOf(schema);
  if (shape.onlyNull) return element.children.length === 0 && element.text.trim() === "" ? null : untyped(element);
  const properties = propertiesOf(shape.item);
  if (!properties) return decodeLeaf(shape.item, element);
  if (element.children.length === 0 && element.text.trim() !== "") return element.text;
  const out: Record<string, unknown> = {};
  for (const child of element.children) {
    const property = properties[child.local];
    if (!property) {
      add(out, child.local, untyped(child), false);
      continue;
    }
    const inner = shapeOf(property);
    add(
      out,
      child.local,
      inner.repeated ? decodeValue(inner.item, child) : decodeValue(property, child),
      inner.repeated,
    );
  }
  const entity = entityType(element);
  if (entity && properties.type && out.type === undefined) out.type = entity;
  return out;
}

/** `xsi:type="ns2:agentGroup"` on a polymorphic reference → `type: "AgentGroup"`. */
function entityType(element: XmlElement): string | undefined {
  const written = element.attributes.get(XSI_TYPE);
  if (!written) return undefined;
  const local = written.slice(written.indexOf(":") + 1).trim();
  return ENTITY_TYPES[local];
}

/** The JSON body of an operation element: `argN` named as the JSON door names it. */
export function decodeOperation(method: MethodName, operation: XmlElement): Record<string, unknown> {
  const args = soapArguments(method);
  const out: Record<string, unknown> = {};
  for (const child of operation.children) {
    const position = /^arg([1-9]\d*)$/.exec(child.local);
    const arg = position ? args[Number(position[1]) - 1] : undefined;
    if (!arg) {
      add(out, child.local, untyped(child), false);
      continue;
    }
    const shape = shapeOf(arg.schema);
    if (shape.repeated) add(out, arg.name, isNil(child) ? null : decodeValue(shape.item, child), true);
    else add(out, arg.name, decodeValue(arg.schema, child), false);
  }
  // A repeated argument given only as nil is null, not [null].
  for (const arg of args) {
    const value = out[arg.name];
    if (Array.isArray(value) && value.length === 1 && value[0] === null && shapeOf(arg.schema).repeated) {
      out[arg.name] = null;
    }
  }
  return out;
}

// ---- encoding ------------------------------------------------------------------

function encodeLeaf(value: unknown): string {
  if (typeof value === "string") return escapeText(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return escapeText(JSON.stringify(value) ?? "");
}

/** The content of an element of `schema` holding `value`. */
export function encodeValue(schema: TSchema, value: unknown): string {
  const object = shapeOf(schema).item;
  const properties = propertiesOf(object);
  if (!properties || value === null || typeof value !== "object") return encodeLeaf(value);
  const record = value as Record<string, unknown>;
  let out = "";
  for (const [key, property] of Object.entries(properties)) {
    out += encodeElement(key, property, record[key], isOptional(property, object, key));
  }
  return out;
}

function encodeElement(name: string, schema: TSchema, value: unknown, optional: boolean): string {
  const shape = shapeOf(schema);
  if (value === undefined) return "";
  if (shape.repeated) {
    if (!Array.isArray(value)) return "";
    return value.map((item) => `<${name}>${encodeValue(shape.item, item)}</${name}>`).join("");
  }
  if (value === null) return optional && !shape.nullable ? "" : `<${name} xsi:nil="true"/>`;
  return `<${name}>${encodeValue(shape.item, value)}</${name}>`;
}
