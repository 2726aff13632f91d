// The organization and identity HTTP suites again, each test app on a fresh PostgreSQL schema.
import { describe } from "node:test";

process.env.CALLBOARD_TEST_DATABASE = "postgres";

describe("on PostgreSQL", async () => {
  await import("../http/protocol.test.js");
  await import("../http/sessions.test.js");
  await import("../http/orgs.test.js");
  await import("../http/users.test.js");
});
