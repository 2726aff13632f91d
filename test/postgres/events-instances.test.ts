// Two instances on one PostgreSQL schema: delivery, revocation and the listener's reconnect.
import { describe } from "node:test";

process.env.CALLBOARD_TEST_DATABASE = "postgres";

describe("on PostgreSQL", async () => {
  await import("../events/instances.test.js");
});
