/**
 * What the framework refuses before a route runs, answered in the envelope with
 * a catalogue code like every other refusal: a URL that does not decode, a
 * path segment too long to be a method name (Fastify's 414), and what Node's
 * HTTP parser refuses on the socket (oversized headers → 431, a request that
 * took too long → 408, anything unparsable → 400). The socket cases are
 * written by hand: no request object exists yet.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyReply, FastifyRequest } from "fastify";
import { fail, type Issue, issue } from "../domain/errors.js";

const envelope = (found: Issue) => JSON.stringify(fail(found));

/** Fastify's `frameworkErrors`: a bad URL or an over-long method name. */
export function frameworkErrors(error: Error & { code?: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, found] =
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? [404, issue("UNKNOWN_METHOD", { subject: "(too long)", context: "a method name has at most 100 characters" })]
      : [400, issue("ARG_INVALID_DATA", { subject: "url", context: "the URL is not valid percent-encoded UTF-8" })];
  void reply.code(status).header("content-type", "application/json; charset=utf-8").send(envelope(found));
}

/** Fastify's `clientErrorHandler`: what the HTTP parser refused, on the raw socket. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, found] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, issue("ARG_TOO_LARGE", { subject: "headers", context: "the request headers are too large" })]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, issue("ARG_INVALID_DATA", { subject: "request", context: "the request was not received in time" })]
        : [400, issue("ARG_INVALID_DATA", { subject: "request", context: "malformed HTTP request" })];
  const body = envelope(found);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
