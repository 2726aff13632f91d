// The event stream suites again, each test app on a fresh PostgreSQL schema.
import { describe } from "node:test";

process.env.CALLBOARD_TEST_DATABASE = "postgres";

describe("on PostgreSQL", async () => {
  await import("../events/stream.test.js");
  await import("../events/hub.test.js");
});
