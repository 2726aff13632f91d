import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ATTRIBUTE_LIMITS, attributeListProblem } from "../../src/domain/attributes.js";

describe("attribute lists", () => {
  it("accept names and values up to their limits, counted in characters", () => {
    assert.equal(
      attributeListProblem([{ name: "é".repeat(ATTRIBUTE_LIMITS.name), value: "😀".repeat(ATTRIBUTE_LIMITS.value) }]),
      undefined,
    );
    assert.equal(attributeListProblem([{ name: "a", value: null }]), undefined);
  });

  it("refuse an empty, over-long, duplicated or control-character name, and an over-long value", () => {
    const cases: [string, { name: string; value?: string | null }[]][] = [
      ["empty", [{ name: " ", value: "x" }]],
      ["long name", [{ name: "n".repeat(ATTRIBUTE_LIMITS.name + 1), value: "x" }]],
      ["control character", [{ name: "a\u0007b", value: "x" }]],
      ["C1 control character", [{ name: "a\u0085b", value: "x" }]],
      ["long value", [{ name: "a", value: "v".repeat(ATTRIBUTE_LIMITS.value + 1) }]],
      [
        "duplicate",
        [
          { name: "a", value: "1" },
          { name: "a", value: "2" },
        ],
      ],
    ];
    for (const [what, list] of cases) assert.ok(attributeListProblem(list), what);
  });
});
