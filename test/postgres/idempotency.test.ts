// The Idempotency-Key suite again, each test app on a fresh PostgreSQL schema (two instances share one).
import { describe } from "node:test";

process.env.CALLBOARD_TEST_DATABASE = "postgres";

describe("on PostgreSQL", async () => {
  await import("../http/idempotency.test.js");
});
