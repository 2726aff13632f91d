import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type AgentLine, parseAgentString } from "../../src/domain/agent-string.js";

const LIMITS = { maxBytes: 100_000, maxRecords: 1_000 };

function parsed(text: string, limits = LIMITS): { agents: AgentLine[]; malformed: { line: number; reason: string }[] } {
  const outcome = parseAgentString(text, limits);
  assert.ok(outcome.ok, `expected a parse, got ${JSON.stringify(outcome)}`);
  return { agents: outcome.agents, malformed: outcome.malformed };
}

function failure(text: string, limits = LIMITS): string {
  const outcome = parseAgentString(text, limits);
  assert.ok(!outcome.ok, `expected a failure for ${JSON.stringify(text)}`);
  assert.ok(outcome.reason.length > 0);
  return outcome.code;
}

describe("parseAgentString", () => {
  it("reads one agent a line, with up to four fields", () => {
    assert.deepEqual(parsed("agent-1\nagent-2,SIP,+15550100100,early-shift\n"), {
      agents: [
        { line: 1, externalId: "agent-1" },
        {
          line: 2,
          externalId: "agent-2",
          registrationMethod: "SIP",
          currentPhoneNumber: "+15550100100",
          scheduleGroup: "early-shift",
        },
      ],
      malformed: [],
    });
  });

  it("leaves out empty fields, so initialState applies", () => {
    assert.deepEqual(parsed("a1,,+15550100100\na2,,,\na3,Phone,,late\na4,").agents, [
      { line: 1, externalId: "a1", currentPhoneNumber: "+15550100100" },
      { line: 2, externalId: "a2" },
      { line: 3, externalId: "a3", registrationMethod: "Phone", scheduleGroup: "late" },
      { line: 4, externalId: "a4" },
    ]);
  });

  it("trims every field and keeps inner spaces", () => {
    assert.deepEqual(parsed("   a 1 ,  WebRTC  , +1 555 010 0100 ,  shift one  ").agents, [
      {
        line: 1,
        externalId: "a 1",
        registrationMethod: "WebRTC",
        currentPhoneNumber: "+1 555 010 0100",
        scheduleGroup: "shift one",
      },
    ]);
  });

  it("ignores comment and blank lines but counts them in line numbers", () => {
    const text = "# agents for the night shift\n\na1\n   # an indented comment\n   \na2,SIP\n#a3\n";
    assert.deepEqual(parsed(text).agents, [
      { line: 3, externalId: "a1" },
      { line: 6, externalId: "a2", registrationMethod: "SIP" },
    ]);
  });

  it("keeps a # that does not start the line", () => {
    assert.deepEqual(parsed("a#1,SIP,,group#2").agents, [
      { line: 1, externalId: "a#1", registrationMethod: "SIP", scheduleGroup: "group#2" },
    ]);
  });

  it("accepts CRLF line ends, and a mix of CRLF and LF", () => {
    assert.deepEqual(parsed("a1,Phone\r\n# c\r\na2\r\n").agents, [
      { line: 1, externalId: "a1", registrationMethod: "Phone" },
      { line: 3, externalId: "a2" },
    ]);
    assert.deepEqual(
      parsed("a1\r\na2\na3").agents.map((a) => a.line),
      [1, 2, 3],
    );
  });

  it("drops a leading byte-order mark", () => {
    assert.deepEqual(parsed("\uFEFFa1\na2").agents, [
      { line: 1, externalId: "a1" },
      { line: 2, externalId: "a2" },
    ]);
    assert.deepEqual(parsed("\uFEFF# header\na1").agents, [{ line: 2, externalId: "a1" }]);
  });

  it("reports a line with more than four fields as malformed and reads the others", () => {
    const { agents, malformed } = parsed("a1\na2,SIP,+15550100100,g,extra\na3\na4,,,,");
    assert.deepEqual(
      agents.map((a) => a.externalId),
      ["a1", "a3"],
    );
    assert.deepEqual(
      malformed.map((m) => m.line),
      [2, 4],
    );
    assert.match(malformed[0]!.reason, /more than 4 fields/);
  });

  it("reports a line with an empty externalId as malformed", () => {
    const { agents, malformed } = parsed("# header\n,SIP\n   ,Phone,+15550100100\na1");
    assert.deepEqual(agents, [{ line: 4, externalId: "a1" }]);
    assert.deepEqual(malformed, [
      { line: 2, reason: "empty externalId" },
      { line: 3, reason: "empty externalId" },
    ]);
  });

  it("returns ok with no agents when every line is malformed (the service warns per line)", () => {
    assert.deepEqual(parsed(",a\n,b"), {
      agents: [],
      malformed: [
        { line: 1, reason: "empty externalId" },
        { line: 2, reason: "empty externalId" },
      ],
    });
  });

  it("does not judge field values", () => {
    assert.deepEqual(parsed("a1,Carrier pigeon,not a number,no such group").agents, [
      {
        line: 1,
        externalId: "a1",
        registrationMethod: "Carrier pigeon",
        currentPhoneNumber: "not a number",
        scheduleGroup: "no such group",
      },
    ]);
  });

  describe("whole-call failures", () => {
    it("ARG_NULL for empty, blank or comment-only text", () => {
      for (const text of ["", "\n", "   \n\n", "# only a comment", "# one\r\n# two\r\n", "\uFEFF"]) {
        assert.equal(failure(text), "ARG_NULL", JSON.stringify(text));
      }
    });

    it("ARG_INVALID_CHAR for NUL, TAB, a lone CR, DEL and other control characters, anywhere", () => {
      for (const text of [
        "a1\u0000",
        "a1\tSIP",
        "a1\rSIP\n",
        "a1\n\u0007",
        "a1,\u007f",
        "a1,\u0085",
        "a1\n# comment with a \u0001\n",
        "a1,\uD800",
      ]) {
        assert.equal(failure(text), "ARG_INVALID_CHAR", JSON.stringify(text));
      }
    });

    it("ARG_TOO_LARGE over the byte limit, counted in UTF-8", () => {
      const limits = { maxBytes: 10, maxRecords: 1_000 };
      assert.equal(parsed("abcdefghij", limits).agents.length, 1);
      assert.equal(failure("abcdefghijk", limits), "ARG_TOO_LARGE");
      assert.equal(parsed("ééééé", limits).agents.length, 1); // 10 bytes
      assert.equal(failure("éééééé", limits), "ARG_TOO_LARGE"); // 6 characters, 12 bytes
    });

    it("ARG_TOO_LARGE over the record limit; comments and blank lines do not count", () => {
      const limits = { maxBytes: 100_000, maxRecords: 2 };
      assert.equal(parsed("a\n# x\n\nb\n", limits).agents.length, 2);
      assert.equal(failure("a\nb\nc", limits), "ARG_TOO_LARGE");
      assert.equal(failure("a\n,malformed\nc", limits), "ARG_TOO_LARGE");
    });

    it("accepts the SPEC's defaults: 1,000 records", () => {
      const thousand = Array.from({ length: 1_000 }, (_, i) => `agent-${i}`).join("\n");
      assert.equal(parsed(thousand).agents.length, 1_000);
      assert.equal(failure(`${thousand}\nagent-1000`), "ARG_TOO_LARGE");
    });
  });
});

// ---------------------------------------------------------------------------
// Properties

/** A field as it survives the format: no comma, no control character, trimmed. */
const field = fc
  .string({
    unit: fc.constantFrom(..."abcXYZ019 -_.@+#()é日本😀"),
    minLength: 1,
    maxLength: 12,
  })
  .filter((s) => s.trim() === s && s !== "");

const record = fc.record(
  {
    externalId: field.filter((s) => !s.startsWith("#")),
    registrationMethod: field,
    currentPhoneNumber: field,
    scheduleGroup: field,
  },
  { requiredKeys: ["externalId"] },
);

type Item = { kind: "agent"; agent: Omit<AgentLine, "line"> } | { kind: "ignored"; text: string };

const ignoredLine = fc.constantFrom("", "   ", "# a comment", "  #indented, with, commas,,,,");

const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 4, arbitrary: record.map((agent) => ({ kind: "agent" as const, agent })) },
  { weight: 1, arbitrary: ignoredLine.map((text) => ({ kind: "ignored" as const, text })) },
);

function lineOf(agent: Omit<AgentLine, "line">, padding: string): string {
  const fields = [agent.externalId, agent.registrationMethod, agent.currentPhoneNumber, agent.scheduleGroup];
  while (fields.length > 1 && fields.at(-1) === undefined) fields.pop();
  return fields.map((f) => `${padding}${f ?? ""}${padding}`).join(",");
}

describe("parseAgentString properties", () => {
  it("any list of valid records joined with LF or CRLF round-trips, with the right line numbers", () => {
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 40 }),
        fc.constantFrom("\n", "\r\n"),
        fc.constantFrom("", " ", "  "),
        fc.boolean(),
        (items, newline, padding, trailingNewline) => {
          fc.pre(items.some((i) => i.kind === "agent"));
          const lines = items.map((i) => (i.kind === "agent" ? lineOf(i.agent, padding) : i.text));
          const text = lines.join(newline) + (trailingNewline ? newline : "");
          const expected = items.flatMap((i, index) => (i.kind === "agent" ? [{ line: index + 1, ...i.agent }] : []));
          assert.deepEqual(parsed(text), { agents: expected, malformed: [] });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws, and whatever it accepts is trimmed, comma-free and numbered in order", () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({
        unit: fc.constantFrom("a", "b", ",", " ", "#", "\n", "\r\n", "\r", "\t", "\u0000", "\uFEFF"),
        maxLength: 60,
      }),
      fc.string({ unit: "binary", maxLength: 60 }),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        const outcome = parseAgentString(text, { maxBytes: 1_000, maxRecords: 20 });
        if (!outcome.ok) return;
        const lines = [...outcome.agents.map((a) => a.line), ...outcome.malformed.map((m) => m.line)];
        assert.equal(new Set(lines).size, lines.length);
        let previous = 0;
        for (const agent of outcome.agents) {
          assert.ok(agent.line > previous);
          previous = agent.line;
          for (const value of [
            agent.externalId,
            agent.registrationMethod,
            agent.currentPhoneNumber,
            agent.scheduleGroup,
          ]) {
            if (value === undefined) continue;
            assert.ok(value !== "" && value.trim() === value && !value.includes(","));
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
