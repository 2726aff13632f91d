import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  externalIdProblem,
  hasControlCharacters,
  isEmail,
  MAX_EXTERNAL_ID,
  normalizeDevice,
  normalizeEmail,
  normalizeLogin,
  normalizePhone,
} from "../../src/domain/text.js";

describe("normalizePhone", () => {
  it("accepts E.164 and the E.123 international forms", () => {
    const cases: [string, string][] = [
      ["+18006825327", "+18006825327"],
      ["+1 800 682 5327", "+18006825327"],
      ["+1-800-682-5327", "+18006825327"],
      ["+1.800.682.5327", "+18006825327"],
      ["+1 (800) 682-5327", "+18006825327"],
      ["  +1 800 682 5327  ", "+18006825327"],
      ["+44 20 7946 0958", "+442079460958"],
      ["+31 42 123 4567", "+31421234567"],
      ["+12345678", "+12345678"],
      ["+123456789012345", "+123456789012345"],
    ];
    for (const [input, expected] of cases) assert.equal(normalizePhone(input), expected, input);
  });

  it('drops the E.123 trunk prefix "(0)" after the country code', () => {
    assert.equal(normalizePhone("+44 (0)20 7946 0958"), "+442079460958");
    assert.equal(normalizePhone("+44(0)20 7946 0958"), "+442079460958");
    assert.equal(normalizePhone("+49 (0)30 123456"), "+4930123456");
  });

  it("reads a number without + as international", () => {
    assert.equal(normalizePhone("18006825327"), "+18006825327");
    assert.equal(normalizePhone("1 800 682 5327"), "+18006825327");
  });

  it("rejects national numbers, wrong lengths and anything that is not a phone number", () => {
    const rejected = [
      "",
      "+",
      "020 7946 0958",
      "(020) 7946 0958",
      "+0 800 682 5327",
      "+1234567",
      "+1234567890123456",
      "+1 800 682 5327 ext 12",
      "1+8006825327",
      "++18006825327",
      "+1 (800 682 5327",
      "+1 800) 682 (5327",
      "+1 ((800)) 682 5327",
      "+1\t800 682 5327",
      "+1\n800 682 5327",
      "+1\u00a0800\u00a0682\u00a05327",
      "+١٨٠٠٦٨٢٥٣٢٧",
      "tel:+18006825327",
      "sip:alice@example.com",
      "alice@example.com",
      `+1${" ".repeat(100)}8006825327`,
    ];
    for (const input of rejected) assert.equal(normalizePhone(input), undefined, JSON.stringify(input));
  });

  it("is idempotent and always answers + and 8 to 15 digits", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."+0123456789 -.()") }), (input) => {
        const normal = normalizePhone(input);
        if (normal === undefined) return;
        assert.match(normal, /^\+[1-9]\d{7,14}$/);
        assert.equal(normalizePhone(normal), normal);
      }),
    );
  });

  it("stays fast on hostile input", () => {
    const started = performance.now();
    for (const input of [`+1${"-".repeat(60)}`, `+${"1 ".repeat(30)}(`, `+1${" ".repeat(100_000)}x`]) {
      normalizePhone(input);
    }
    // Backtracking blows up exponentially (seconds, minutes); linear work takes
    // a millisecond or two. The bound is loose so that a busy machine cannot fail it.
    assert.ok(performance.now() - started < 1000);
  });
});

describe("emails", () => {
  it("accepts ordinary addresses and stores them lower-case", () => {
    assert.equal(normalizeEmail("Alice.Smith@Example.COM"), "alice.smith@example.com");
    assert.equal(normalizeEmail("  bob+tag@example.co.uk "), "bob+tag@example.co.uk");
    assert.equal(normalizeEmail("ÄNNE@EXAMPLE.DE"), "änne@example.de");
    assert.ok(isEmail("a@b.c"));
  });

  it("rejects what is not an address", () => {
    const rejected = [
      "",
      "alice",
      "alice@",
      "@example.com",
      "alice@example",
      "alice@@example.com",
      "al ice@example.com",
      "alice@exa mple.com",
      "al\u0000ice@example.com",
      "alice@example.com\u007f",
      "al\u0085ice@example.com",
      "alice\ud800@example.com",
      `${"a".repeat(250)}@example.com`,
    ];
    for (const input of rejected) assert.equal(normalizeEmail(input), undefined, JSON.stringify(input));
  });
});

describe("normalizeLogin", () => {
  it("takes an email when there is an @, else a phone number", () => {
    assert.equal(normalizeLogin("Admin@Callboard.Local"), "admin@callboard.local");
    assert.equal(normalizeLogin("+1 800 682 5327"), "+18006825327");
    assert.equal(normalizeLogin("admin"), undefined);
    assert.equal(normalizeLogin("+1 800 682 5327@x"), undefined);
  });
});

describe("normalizeDevice", () => {
  it("normalises phone numbers and emails and keeps anything else trimmed as given", () => {
    assert.equal(normalizeDevice(" +44 (0)20 7946 0958 "), "+442079460958");
    assert.equal(normalizeDevice("Alice@Example.com"), "alice@example.com");
    assert.equal(normalizeDevice(" sip:Alice@Example.com "), "sip:Alice@Example.com");
    assert.equal(normalizeDevice("station-12"), "station-12");
  });
});

describe("control characters", () => {
  it("are C0, DEL and C1, and nothing else", () => {
    for (const code of [0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9f]) {
      assert.ok(hasControlCharacters(`a${String.fromCharCode(code)}b`), code.toString(16));
    }
    for (const text of ["plain", "é", "\u00a0", "\u200b", "\u2028", "\u202e", "😀", ""]) {
      assert.equal(hasControlCharacters(text), false, JSON.stringify(text));
    }
  });
});

describe("externalIdProblem", () => {
  it("accepts 1 to 255 characters without control characters", () => {
    assert.equal(externalIdProblem("a"), undefined);
    assert.equal(externalIdProblem("Agent Group (Nights) — Zürich"), undefined);
    assert.equal(externalIdProblem("x".repeat(MAX_EXTERNAL_ID)), undefined);
  });

  it("names the problem", () => {
    assert.equal(externalIdProblem(""), "empty");
    assert.equal(externalIdProblem("x".repeat(MAX_EXTERNAL_ID + 1)), "tooLong");
    assert.equal(externalIdProblem("a\nb"), "invalidChar");
    assert.equal(externalIdProblem("a\u0000"), "invalidChar");
    assert.equal(externalIdProblem("\u009b"), "invalidChar");
    assert.equal(externalIdProblem("abc\ud800"), "invalidChar");
    assert.equal(externalIdProblem("\udc00abc"), "invalidChar");
  });

  it("counts characters as code points", () => {
    assert.equal(externalIdProblem("😀".repeat(MAX_EXTERNAL_ID)), undefined);
    assert.equal(externalIdProblem("😀".repeat(MAX_EXTERNAL_ID + 1)), "tooLong");
  });
});
