/**
 * The reference page at GET /docs: one HTML page rendered from the OpenAPI
 * document, with its own CSS and no script, so it works offline and behind any
 * firewall (no CDN, no Swagger UI bundle to keep up to date). Every method with
 * its arguments in signature order, its result and its error statuses; the
 * event stream; then every named schema as a table of fields.
 */
import type { OpenApiDocument } from "./openapi.js";

type Json = Record<string, unknown>;

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Backticks become <code>. */
function prose(text: string): string {
  return html(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function refName(ref: string): string {
  return ref.replace("#/components/schemas/", "");
}

/** A schema as a short type expression, with links to named schemas. */
export function typeOf(schema: unknown): string {
  if (schema === null || typeof schema !== "object") return "any";
  const s = schema as Json;
  if (typeof s.$ref === "string") {
    const name = refName(s.$ref);
    return `<a href="#schema-${name}">${html(name)}</a>`;
  }
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const members = (s.anyOf ?? s.oneOf) as unknown[];
    return members.map(typeOf).join(" | ");
  }
  if (Array.isArray(s.enum)) return s.enum.map((v) => `<code>${html(JSON.stringify(v))}</code>`).join(" | ");
  if ("const" in s) return `<code>${html(JSON.stringify(s.const))}</code>`;
  if (s.not !== undefined && Object.keys(s.not as Json).length === 0) return "never";
  if (s.type === "array") {
    const items = s.items as Json | undefined;
    if (items?.not !== undefined && Object.keys(items.not as Json).length === 0)
      return "nothing (always <code>[]</code>)";
    return `${typeOf(s.items)}[]`;
  }
  if (s.type === "object" && s.properties) return "object";
  if (typeof s.type === "string") {
    const format = typeof s.format === "string" ? ` (${html(s.format)})` : "";
    return `${html(s.type)}${format}`;
  }
  return "any";
}

function fieldsTable(schema: Json): string {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(properties).map(
    ([name, field]) =>
      `<tr><td><code>${html(name)}</code></td><td>${typeOf(field)}</td><td>${required.has(name) ? "yes" : ""}</td>` +
      `<td>${prose(String(field.description ?? ""))}</td></tr>`,
  );
  if (rows.length === 0) return "<p>No fields.</p>";
  return `<table><thead><tr><th>field</th><th>type</th><th>required</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function responseData(operation: Json): string {
  const ok = (operation.responses as Json)["200"] as Json;
  const content = (ok.content ?? {}) as Record<string, Json>;
  const json = content["application/json"]?.schema as Json | undefined;
  const data = (json?.properties as Json | undefined)?.data as Json | undefined;
  return data ? typeOf(data) : "";
}

function errorStatuses(operation: Json): string {
  return Object.keys(operation.responses as Json)
    .filter((status) => status !== "200")
    .map((status) => `<a href="#status-${status}">${status}</a>`)
    .join(", ");
}

function methodSection(path: string, verb: string, operation: Json): string {
  const id = String(operation.operationId);
  const body = ((operation.requestBody as Json | undefined)?.content as Record<string, Json> | undefined)?.[
    "application/json"
  ]?.schema as Json | undefined;
  const parameters = (operation.parameters ?? []) as Json[];
  const params = parameters
    .filter((p) => !p.$ref)
    .map(
      (p) =>
        `<tr><td><code>${html(String(p.name))}</code></td><td>${html(String(p.in))}</td><td>${typeOf(p.schema)}</td><td>${prose(String(p.description ?? ""))}</td></tr>`,
    );
  const headers = parameters.some((p) => p.$ref) ? "<p>Accepts an <code>Idempotency-Key</code> header.</p>" : "";
  return [
    `<section id="op-${html(id)}"><h3><code>${verb.toUpperCase()} ${html(path)}</code></h3>`,
    `<p>${prose(String(operation.summary ?? ""))}</p>`,
    operation.description ? `<p>${prose(String(operation.description))}</p>` : "",
    body ? `<h4>Arguments</h4>${fieldsTable(body)}` : "",
    params.length
      ? `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th></th></tr></thead><tbody>${params.join("")}</tbody></table>`
      : "",
    headers,
    `<p><strong>data:</strong> ${responseData(operation) || "see the description"}</p>`,
    `<p><strong>error statuses:</strong> ${errorStatuses(operation)}</p>`,
    operation.security && (operation.security as unknown[]).length === 0 ? "<p>No credentials needed.</p>" : "",
    "</section>",
  ].join("\n");
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{background:#1d2330;color:#fff;padding:1rem 2rem}header h1{margin:0}
main{display:grid;grid-template-columns:16rem 1fr;gap:2rem;padding:1rem 2rem;max-width:90rem}
nav{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;font-size:.9rem}
nav ul{list-style:none;padding-left:.5rem;margin:.2rem 0 1rem}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eceff3;vertical-align:top}
code{font-family:ui-monospace,monospace;font-size:.9em;background:#f0f2f5;padding:0 .2em;border-radius:3px}
a{color:#0b5cad}header code{background:#2e3646;color:#fff}header a{color:#9cf}h2{border-bottom:2px solid #1d2330;margin-top:2rem}
@media (max-width:50rem){main{grid-template-columns:1fr}nav{position:static;max-height:none}}
`;

export function renderDocsPage(doc: OpenApiDocument): string {
  const info = doc.info as Json;
  const tags = doc.tags as { name: string; description: string }[];
  const operations = Object.entries(doc.paths).flatMap(([path, verbs]) =>
    Object.entries(verbs).map(([verb, operation]) => ({ path, verb, operation: operation as Json })),
  );
  const byTag = tags.map((tag) => ({
    tag,
    ops: operations.filter((o) => (o.operation.tags as string[] | undefined)?.[0] === tag.name),
  }));
  const nav = byTag
    .map(
      ({ tag, ops }) =>
        `<strong>${html(tag.name)}</strong><ul>${ops
          .map(
            (o) =>
              `<li><a href="#op-${html(String(o.operation.operationId))}">${html(String(o.operation.operationId))}</a></li>`,
          )
          .join("")}</ul>`,
    )
    .join("");
  const sections = byTag
    .map(
      ({ tag, ops }) =>
        `<h2 id="tag-${html(tag.name)}">${html(tag.name)}</h2><p>${prose(tag.description)}</p>` +
        ops.map((o) => methodSection(o.path, o.verb, o.operation)).join("\n"),
    )
    .join("\n");
  const responses = doc.components.responses as Record<string, Json>;
  const statuses = Object.entries(responses)
    .map(([name, r]) => {
      const status = name.replace("Error", "");
      return `<tr id="status-${status}"><td>${status}</td><td>${prose(String(r.description))}</td></tr>`;
    })
    .join("");
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, schema]) => {
      const s = schema as Json;
      const body = s.properties ? fieldsTable(s) : `<p>${typeOf(s)}</p>`;
      return `<section id="schema-${html(name)}"><h3>${html(name)}</h3>${body}</section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${html(String(info.title))} ${html(String(info.version))} — API reference</title><style>${STYLE}</style></head>
<body><header><h1>${html(String(info.title))} API <small>${html(String(info.version))}</small></h1>
<p>${prose(String(info.description))} The machine-readable contract: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p></header>
<main><nav>${nav}<strong><a href="#errors">Error statuses</a></strong><br><strong><a href="#schemas">Schemas</a></strong></nav>
<div>${sections}
<h2 id="errors">Error statuses</h2><p>Every failure answers the <a href="#schema-ErrorEnvelope">ErrorEnvelope</a>.</p>
<table><thead><tr><th>status</th><th>codes</th></tr></thead><tbody>${statuses}</tbody></table>
<h2 id="schemas">Schemas</h2>${schemas}</div></main></body></html>
`;
}
