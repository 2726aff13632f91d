/**
 * SOAP on the wire for the tests: envelopes written by hand (so the tests do
 * not share the server's writer), a POST helper, the served WSDL's schema in a
 * temp file, and `xmllint --schema` over a response's operation element.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Auth } from "./app.js";

const run = promisify(execFile);

export const TNS = "http://www.soundbite.com/SOAPAPI2/110";
export const SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/";
const WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0";

export const SERVICES = [
  "AuthenticationService",
  "OrganizationManagementService",
  "IdentityManagementService",
  "ContactCenterManagementService",
] as const;
export type Service = (typeof SERVICES)[number];

export function securityHeader(auth: Auth, passwordType: "PasswordText" | "PasswordDigest" = "PasswordText"): string {
  return (
    `<wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}">` +
    `<wsse:UsernameToken wsu:Id="UsernameToken-1"><wsse:Username>${auth.user}</wsse:Username>` +
    `<wsse:Password Type="${PROFILE}#${passwordType}">${auth.password}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">bm9uY2Utbm9uY2U=</wsse:Nonce>` +
    `<wsu:Created>2026-03-02T12:00:00.000Z</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

/** An envelope around `<ns:operation>inner</ns:operation>`, with a Security header when `auth` is given. */
export function envelope(operation: string, inner: string, auth?: Auth | null, headers = ""): string {
  const security = auth ? securityHeader(auth) : "";
  return (
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:ns="${TNS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<soapenv:Header>${security}${headers}</soapenv:Header>` +
    `<soapenv:Body><ns:${operation}>${inner}</ns:${operation}></soapenv:Body></soapenv:Envelope>`
  );
}

export interface SoapReply {
  status: number;
  contentType: string;
  text: string;
}

export async function postSoap(
  baseUrl: string,
  service: Service,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<SoapReply> {
  const response = await fetch(`${baseUrl}/SOAPAPI2/${service}110`, {
    method: "POST",
    headers: { "content-type": "text/xml; charset=utf-8", soapaction: '""', ...headers },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text: await response.text(),
  };
}

export async function fetchWsdl(baseUrl: string, service: Service): Promise<string> {
  const response = await fetch(`${baseUrl}/SOAPAPI2/${service}110?wsdl`);
  assert.equal(response.status, 200);
  return response.text();
}

const folder = mkdtempSync(join(tmpdir(), "callboard-soap-"));

/** The WSDL's `xs:schema` as a file xmllint can read. */
export function schemaFile(wsdl: string, name: string): string {
  const match = /<xs:schema[\s\S]*<\/xs:schema>/.exec(wsdl);
  assert.ok(match, "the WSDL has an inline xs:schema");
  const path = join(folder, `${name}.xsd`);
  writeFileSync(path, match[0]);
  return path;
}

let written = 0;

/**
 * Validates the operation element of a SOAP response (the Body's one child)
 * against the schema with `xmllint --schema`; fails with xmllint's words.
 */
export async function validateResponse(xml: string, xsd: string): Promise<void> {
  const body = /<(\w+):Body[^>]*>([\s\S]*)<\/\1:Body>/.exec(xml);
  assert.ok(body?.[2], `no SOAP Body in ${xml.slice(0, 300)}`);
  const declarations = [...xml.matchAll(/xmlns:(\w+)="([^"]*)"/g)].map(([all]) => all);
  const unique = [...new Set(declarations)].join(" ");
  const operation = body[2].trim().replace(/^<([\w:]+)/, `<$1 ${unique}`);
  written += 1;
  const path = join(folder, `response-${written}.xml`);
  writeFileSync(path, operation);
  try {
    await run("xmllint", ["--noout", "--schema", xsd, path]);
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    assert.fail(`xmllint refused the response: ${stderr ?? String(error)}\n${operation.slice(0, 2000)}`);
  }
}

/** The text of the first `<name>` element in a document. */
export function firstText(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}
