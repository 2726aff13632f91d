// The contact-center HTTP suites again, each test app on a fresh PostgreSQL schema.
import { describe } from "node:test";

process.env.CALLBOARD_TEST_DATABASE = "postgres";

describe("on PostgreSQL", async () => {
  await import("../http/agent-groups.test.js");
  await import("../http/group-states.test.js");
  await import("../http/acquire.test.js");
  await import("../http/agents.test.js");
  await import("../http/agent-state-changes.test.js");
  await import("../http/leases.test.js");
});
