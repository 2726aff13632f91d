import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseUserLine, parseUserString } from "../../src/domain/user-string.js";

const limits = { maxBytes: 10_000, maxRecords: 10 };

function lines(text: string) {
  const parsed = parseUserString(text, limits);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.lines;
}

describe("user string", () => {
  it("parses a line into externalId, names, roles and password", () => {
    assert.deepEqual(lines("bob@example.com,Bob,Builder,Agent;Supervisor,secret-pass"), [
      {
        line: 1,
        ok: true,
        user: {
          externalId: "bob@example.com",
          firstName: "Bob",
          lastName: "Builder",
          roles: ["Agent", "Supervisor"],
          password: "secret-pass",
        },
      },
    ]);
  });

  it("leaves the password out when the line has none or an empty one", () => {
    const [without, empty] = lines("a@example.com,A,B,Agent\nb@example.com,A,B,Agent,");
    assert.deepEqual(without, {
      line: 1,
      ok: true,
      user: { externalId: "a@example.com", firstName: "A", lastName: "B", roles: ["Agent"] },
    });
    assert.equal(empty?.ok && "password" in empty.user, false);
  });

  it("refuses a line with more than five fields instead of folding them into the password", () => {
    const [line] = lines("a@example.com,A,B,Agent,pa,ss,word");
    assert.equal(line?.ok, false);
    assert.match(line && !line.ok ? line.reason : "", /more than 5 fields/);
  });

  it("trims fields and drops empty roles", () => {
    const [line] = lines("  a@example.com , Ann ,  Lee , Agent ;; Supervisor ; ,  p w d  ");
    assert.deepEqual(line, {
      line: 1,
      ok: true,
      user: {
        externalId: "a@example.com",
        firstName: "Ann",
        lastName: "Lee",
        roles: ["Agent", "Supervisor"],
        password: "p w d",
      },
    });
  });

  it("skips comments and blank lines, accepts CRLF, and numbers lines as written", () => {
    const text =
      "# header\r\n\r\na@example.com,A,B,Agent\r\n   \r\n  # indented comment\r\nb@example.com,C,D,Agent\r\n";
    assert.deepEqual(
      lines(text).map((l) => l.line),
      [3, 6],
    );
  });

  it("drops a leading byte-order mark", () => {
    const [line] = lines("\uFEFFa@example.com,A,B,Agent");
    assert.ok(line?.ok);
    assert.equal(line.user.externalId, "a@example.com");
  });

  it("reports a line with fewer than four fields as malformed, keeping the others", () => {
    const parsed = lines("a@example.com,A,B,Agent\nbad@example.com,Only,Two\nc@example.com,C,D,Agent");
    assert.deepEqual(
      parsed.map((l) => l.ok),
      [true, false, true],
    );
    const bad = parsed[1];
    assert.ok(bad && !bad.ok);
    assert.equal(bad.line, 2);
    assert.match(bad.reason, /found 3 field/);
    assert.deepEqual(parseUserLine({ line: 7, text: "x" }), {
      line: 7,
      ok: false,
      reason: "expected externalId,firstName,lastName,roles[,password] but found 1 field(s)",
    });
  });

  it("keeps empty fields for the service to judge", () => {
    const [line] = lines(",,,");
    assert.deepEqual(line, { line: 1, ok: true, user: { externalId: "", firstName: "", lastName: "", roles: [] } });
  });

  it("answers ARG_NULL for a text without records", () => {
    for (const text of ["", "\n\n", "# only a comment\r\n", "   "]) {
      const parsed = parseUserString(text, limits);
      assert.equal(parsed.ok, false);
      assert.equal(!parsed.ok && parsed.code, "ARG_NULL", JSON.stringify(text));
    }
  });

  it("answers ARG_TOO_LARGE over the byte limit (UTF-8 bytes, not characters)", () => {
    const line = "é@example.com,É,É,Agent";
    const bytes = Buffer.byteLength(line, "utf8");
    assert.ok(parseUserString(line, { maxBytes: bytes, maxRecords: 10 }).ok);
    const over = parseUserString(line, { maxBytes: bytes - 1, maxRecords: 10 });
    assert.equal(!over.ok && over.code, "ARG_TOO_LARGE");
  });

  it("answers ARG_TOO_LARGE over the record limit; comments do not count", () => {
    const record = (i: number) => `u${i}@example.com,A,B,Agent`;
    const ten = Array.from({ length: 10 }, (_, i) => `# comment ${i}\n${record(i)}`).join("\n");
    assert.equal(lines(ten).length, 10);
    const eleven = `${ten}\n${record(10)}`;
    const parsed = parseUserString(eleven, limits);
    assert.equal(!parsed.ok && parsed.code, "ARG_TOO_LARGE");
  });

  it("answers ARG_INVALID_CHAR for control characters anywhere, even in comments", () => {
    for (const text of [
      "a@example.com,A\u0000,B,Agent",
      "a@example.com,A,B,Agent,pass\tword",
      "a@example.com,A,B,Agent\rb@example.com,A,B,Agent",
      "# a comment with \u0007 a bell\na@example.com,A,B,Agent",
      "a@example.com,A,B,Agent,\u0085next",
      "a@example.com,\uD800,B,Agent",
    ]) {
      const parsed = parseUserString(text, limits);
      assert.equal(!parsed.ok && parsed.code, "ARG_INVALID_CHAR", JSON.stringify(text));
    }
  });
});
