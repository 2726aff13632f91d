/**
 * The Engage SOAP door (SPEC §11): `POST /SOAPAPI2/<Service>110` and
 * `GET …?wsdl` for the four services.
 *
 * A SOAP call is decoded into the JSON door's body and then made through the
 * JSON door itself, in process (`app.inject`, no socket): the same decode and
 * validation, authentication and its throttle, roles, rate limit,
 * idempotency keys and services, so the two doors cannot answer differently
 * and every change to the dispatcher reaches SOAP clients at once. The
 * UsernameToken becomes the Basic credential it is; the JSON envelope comes
 * back and is written as `<return>` with HTTP 200, errors included.
 *
 * The routes live in their own Fastify scope, with their own body parser
 * (any media type, read as text, within the server's body limit) and error
 * handler (a SOAP fault), so the JSON door's parsers and errors are untouched.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { MethodResult } from "../../domain/errors.js";
import { isMethodName, type MethodName } from "../../domain/methods.js";
import { decodeOperation, encodeValue } from "./codec.js";
import { type Fault, faultDocument, readEnvelope, responseDocument, type UsernameToken } from "./envelope.js";
import { responseOf, SERVICE_NAMES, type ServiceName, SOAP_SERVICES, serviceOf, servicePath, TNS } from "./services.js";
import { buildWsdl } from "./wsdl.js";
import { parseXml, XmlRefused } from "./xml.js";

const XML_TYPE = "text/xml; charset=utf-8";

function sendFault(reply: FastifyReply, fault: Fault): FastifyReply {
  return reply.code(500).header("content-type", XML_TYPE).send(faultDocument(fault));
}

function basic(token: UsernameToken): string {
  return `Basic ${Buffer.from(`${token.username}:${token.password}`, "utf8").toString("base64")}`;
}

function isEnvelope(value: unknown): value is MethodResult {
  const record = value as Partial<MethodResult> | null;
  return (
    record !== null &&
    typeof record === "object" &&
    Array.isArray(record.data) &&
    Array.isArray(record.errors) &&
    Array.isArray(record.warnings)
  );
}

function wantsWsdl(request: FastifyRequest): boolean {
  const query = request.url.split("?")[1] ?? "";
  return query.split("&").some((part) => part.split("=")[0]?.toLowerCase() === "wsdl");
}

export async function registerSoapDoor(app: FastifyInstance, options: { bodyLimit: number }): Promise<void> {
  const wsdlCache = new Map<string, string>();
  const wsdlFor = (service: ServiceName, location: string) => {
    const key = `${service} ${location}`;
    let wsdl = wsdlCache.get(key);
    if (wsdl === undefined) {
      wsdl = buildWsdl(service, location);
      // Bounded: one entry per service and Host header seen, at most a few dozen.
      if (wsdlCache.size < 64) wsdlCache.set(key, wsdl);
    }
    return wsdl;
  };

  async function call(service: ServiceName, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    let root: ReturnType<typeof parseXml>;
    try {
      root = parseXml(typeof request.body === "string" ? request.body : "");
    } catch (error) {
      if (!(error instanceof XmlRefused)) throw error;
      return sendFault(reply, {
        code: "soap:Client",
        message: `not accepted XML: ${error.message}`,
        catalogue: "ARG_INVALID_DATA",
      });
    }
    const read = readEnvelope(root);
    if (!read.ok) return sendFault(reply, read.fault);
    const { operation } = read;
    const methods = SOAP_SERVICES[service] as readonly string[];
    if (operation.ns !== TNS || !methods.includes(operation.local)) {
      return sendFault(reply, unknownOperation(service, operation.ns, operation.local));
    }
    const method = operation.local as MethodName;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (read.token) headers.authorization = basic(read.token);
    else if (!read.security) {
      // No WS-Security header: the HTTP credentials of the JSON door (a
      // session token from createSession, Basic, or the session cookie).
      const { authorization, cookie } = request.headers;
      if (authorization) headers.authorization = authorization;
      if (cookie) headers.cookie = cookie;
    }
    const key = request.headers["idempotency-key"];
    if (typeof key === "string") headers["idempotency-key"] = key;
    const answered = await app.inject({
      method: "POST",
      url: `/api/v1/${method}`,
      headers,
      payload: JSON.stringify(decodeOperation(method, operation)),
      remoteAddress: request.ip,
    });
    let result: unknown;
    try {
      result = JSON.parse(answered.body);
    } catch {
      result = undefined;
    }
    if (!isEnvelope(result)) {
      request.log.error({ requestId: request.id, status: answered.statusCode }, "the JSON door answered no envelope");
      return sendFault(reply, { code: "soap:Server", message: `internal error (request ${request.id})` });
    }
    const retryAfter = answered.headers["retry-after"];
    if (typeof retryAfter === "string") reply.header("retry-after", retryAfter);
    const replayed = answered.headers["idempotent-replayed"];
    if (typeof replayed === "string") reply.header("idempotent-replayed", replayed);
    const body = responseDocument(method, encodeValue(responseOf(method).schema, result));
    return reply.code(200).header("content-type", XML_TYPE).send(body);
  }

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit: options.bodyLimit }, (_request, body, done) => {
      done(null, body);
    });
    scope.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, request, reply) => {
      if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
        return sendFault(reply, {
          code: "soap:Client",
          message: `the request body exceeds ${options.bodyLimit} bytes`,
          catalogue: "ARG_TOO_LARGE",
        });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return sendFault(reply, { code: "soap:Client", message: error.message, catalogue: "ARG_INVALID_DATA" });
      }
      request.log.error({ err: error, requestId: request.id }, "SOAP request failed");
      return sendFault(reply, {
        code: "soap:Server",
        message: `internal error (request ${request.id})`,
        catalogue: "INTERNAL_ERROR",
      });
    });
    for (const service of SERVICE_NAMES) {
      const path = servicePath(service);
      scope.get(path, async (request, reply) => {
        if (!wantsWsdl(request)) {
          return reply
            .code(405)
            .header("allow", "POST")
            .header("content-type", "text/plain; charset=utf-8")
            .send(`POST SOAP 1.1 requests here; the WSDL is at ${path}?wsdl\n`);
        }
        const location = `${request.protocol}://${request.host}${path}`;
        return reply.header("content-type", XML_TYPE).send(wsdlFor(service, location));
      });
      scope.post(path, (request, reply) => call(service, request, reply));
    }
  });
}

function unknownOperation(service: ServiceName, ns: string, local: string): Fault {
  const qualified = `{${ns}}${local}`;
  const hint = ns === TNS && isMethodName(local) ? `: it is an operation of ${serviceOf(local)}110` : "";
  return {
    code: "soap:Client",
    message: `unknown operation ${qualified} of ${service}110${hint}`,
    catalogue: "UNKNOWN_METHOD",
  };
}
