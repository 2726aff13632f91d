/**
 * The HTTP baseline of SPEC §9: the same framework (Fastify, the same version,
 * no logger) with one bare JSON route that parses the body and answers a small
 * envelope (with an internalId, so the acquire/release client can drive it
 * too), no auth, no database. Run in its own process:
 *
 *   node --import tsx bench/bare-server.ts <port>
 */
import Fastify from "fastify";

const port = Number(process.argv[2] ?? 7399);
const app = Fastify({ logger: false });
app.get("/healthz", async () => ({ status: "ok" }));
app.post("/api/v1/:method", async (request) => ({
  data: [{ internalId: "bare", method: (request.params as { method: string }).method }],
  errors: [],
  warnings: [],
}));
await app.listen({ port, host: "127.0.0.1" });
process.on("SIGTERM", () => {
  void app.close().then(() => process.exit(0));
});
