/**
 * The SOAP 1.1 envelope: reading a request's header blocks (WS-Security
 * UsernameToken, mustUnderstand) and its one operation element, and writing
 * responses and faults. A fault is only for what SPEC §11 names: XML that does
 * not parse (or is refused as hostile), an unknown operation, a mustUnderstand
 * header not understood — and a PasswordDigest token. Everything else is the
 * JSON door's envelope inside `<return>`, with HTTP 200.
 */
import type { Code } from "../../domain/errors.js";
import { TNS } from "./services.js";
import { attributeKey, escapeText, type XmlElement } from "./xml.js";

export const SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope";
const ACTOR_NEXT = "http://schemas.xmlsoap.org/soap/actor/next";
export const WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
export const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0";
const PASSWORD_TEXT = `${TOKEN_PROFILE}#PasswordText`;

export interface Fault {
  /** a QName: `soap:Client`, `soap:Server`, `soap:MustUnderstand`, `wsse:UnsupportedSecurityToken`… */
  code: string;
  message: string;
  /** the catalogue code that says the same thing, when one does */
  catalogue?: Code;
}

export interface UsernameToken {
  username: string;
  password: string;
}

export type ReadEnvelope =
  | { ok: true; operation: XmlElement; token: UsernameToken | undefined; security: boolean }
  | { ok: false; fault: Fault };

const clientFault = (message: string, catalogue: Code = "ARG_INVALID_DATA"): ReadEnvelope => ({
  ok: false,
  fault: { code: "soap:Client", message, catalogue },
});

function childrenNamed(element: XmlElement, ns: string, local: string): XmlElement[] {
  return element.children.filter((child) => child.ns === ns && child.local === local);
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^\s*(1|true)\s*$/.test(value);
}

/** The header block is for this node: no actor, or the "next" actor. */
function targetsUs(block: XmlElement): boolean {
  const actor = block.attributes.get(attributeKey(SOAP_ENV, "actor"));
  return actor === undefined || actor.trim() === "" || actor.trim() === ACTOR_NEXT;
}

export function readEnvelope(root: XmlElement): ReadEnvelope {
  if (root.local === "Envelope" && root.ns === SOAP12_ENV) {
    return {
      ok: false,
      fault: { code: "soap:VersionMismatch", message: "a SOAP 1.2 envelope: this service speaks SOAP 1.1" },
    };
  }
  if (root.local !== "Envelope" || root.ns !== SOAP_ENV) {
    return root.local === "Envelope"
      ? { ok: false, fault: { code: "soap:VersionMismatch", message: `an Envelope in namespace '${root.ns}'` } }
      : clientFault("the document is not a SOAP 1.1 Envelope");
  }
  const headers = childrenNamed(root, SOAP_ENV, "Header");
  const bodies = childrenNamed(root, SOAP_ENV, "Body");
  if (bodies.length !== 1 || headers.length > 1)
    return clientFault("an Envelope holds at most one Header and one Body");

  let token: UsernameToken | undefined;
  let security = false;
  for (const block of headers[0]?.children ?? []) {
    if (!targetsUs(block)) continue;
    if (block.ns === WSSE && block.local === "Security") {
      if (security) return clientFault("more than one wsse:Security header for this node");
      security = true;
      const read = readSecurity(block);
      if ("fault" in read) return { ok: false, fault: read.fault };
      token = read.token;
      continue;
    }
    if (isTrue(block.attributes.get(attributeKey(SOAP_ENV, "mustUnderstand")))) {
      return {
        ok: false,
        fault: {
          code: "soap:MustUnderstand",
          message: `header {${block.ns}}${block.local} is not understood`,
        },
      };
    }
  }
  const body = bodies[0] as XmlElement;
  if (body.children.length !== 1 || body.text.trim() !== "") {
    return clientFault("the Body must hold exactly one operation element");
  }
  return { ok: true, operation: body.children[0] as XmlElement, token, security };
}

/**
 * A wsse:Security header: the first UsernameToken's Username and Password
 * (PasswordText, the default when Type is absent). Nonce, Created, wsu:Id and
 * a Timestamp are accepted and need no check: with a clear-text password they
 * protect nothing, and TLS is what protects the password.
 */
function readSecurity(block: XmlElement): { token: UsernameToken | undefined } | { fault: Fault } {
  const usernameToken = childrenNamed(block, WSSE, "UsernameToken")[0];
  if (!usernameToken) return { token: undefined };
  const username = childrenNamed(usernameToken, WSSE, "Username")[0]?.text.trim() ?? "";
  const password = childrenNamed(usernameToken, WSSE, "Password")[0];
  const type = password?.attributes.get("Type")?.trim();
  if (type !== undefined && type !== "" && type !== PASSWORD_TEXT) {
    const digest = type === `${TOKEN_PROFILE}#PasswordDigest`;
    return {
      fault: {
        code: "wsse:UnsupportedSecurityToken",
        message: digest
          ? "PasswordDigest is not supported: send the password as PasswordText (over TLS)"
          : `password type '${type}' is not supported: send PasswordText`,
        catalogue: "AUTHENTICATION_FAILURE",
      },
    };
  }
  return { token: { username, password: password?.text ?? "" } };
}

// ---- writing -----------------------------------------------------------------

const ENVELOPE_OPEN = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP_ENV}" xmlns:xsi="${XSI}" xmlns:ns="${TNS}"><soap:Body>`;
const ENVELOPE_CLOSE = "</soap:Body></soap:Envelope>";

/** `<ns:methodResponse><return>…</return></ns:methodResponse>` in an envelope. */
export function responseDocument(method: string, returnContent: string): string {
  return `${ENVELOPE_OPEN}<ns:${method}Response><return>${returnContent}</return></ns:${method}Response>${ENVELOPE_CLOSE}`;
}

/** A SOAP 1.1 fault; its detail carries the catalogue code when there is one. */
export function faultDocument(fault: Fault): string {
  const wsse = fault.code.startsWith("wsse:") ? ` xmlns:wsse="${WSSE}"` : "";
  const detail = fault.catalogue
    ? `<detail><ns:issue><code>${fault.catalogue}</code><message>${escapeText(fault.message)}</message></ns:issue></detail>`
    : "";
  return `${ENVELOPE_OPEN}<soap:Fault${wsse}><faultcode>${fault.code}</faultcode><faultstring>${escapeText(fault.message)}</faultstring>${detail}</soap:Fault>${ENVELOPE_CLOSE}`;
}
