// The model test and the double-booking tests again, on PostgreSQL (two instances on one database).
import { describe } from "node:test";

process.env.CALLBOARD_TEST_DATABASE = "postgres";

describe("on PostgreSQL", async () => {
  await import("../reliability/model.test.js");
  await import("../reliability/no-double-booking.test.js");
  await import("../reliability/fuzz.test.js");
  await import("../reliability/races.test.js");
  await import("../reliability/lost-updates.test.js");
  await import("../reliability/lease-expiry.test.js");
});
