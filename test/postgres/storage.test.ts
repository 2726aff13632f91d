// The storage suite again, on a fresh PostgreSQL schema.
import { describe } from "node:test";

process.env.CALLBOARD_TEST_DATABASE = "postgres";

describe("on PostgreSQL", async () => {
  await import("../storage/prepared.test.js");
  await import("../storage/bulk.test.js");
  await import("../storage/retention.test.js");
  await import("../storage/write.test.js");
  await import("../storage/event-append.test.js");
});
