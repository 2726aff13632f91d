import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { escapeText, parseXml, XmlRefused } from "../../src/http/soap/xml.js";

/** The reason a document is refused (it must be refused). */
function refusal(text: string, limits?: Parameters<typeof parseXml>[1]): string {
  try {
    parseXml(text, limits);
  } catch (error) {
    assert.ok(error instanceof XmlRefused, String(error));
    return error.message;
  }
  assert.fail("the document was accepted");
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`;

const XXE = `<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<foo>&xxe;</foo>`;

describe("parseXml", () => {
  it("reads namespaces, attributes, text and CDATA", () => {
    const root = parseXml(
      `<a:x xmlns:a="urn:a" xmlns:b="urn:b" b:k="1" plain="2"><y>t&amp;&#13;&#x41;<![CDATA[<c>]]></y><b:z/></a:x>`,
    );
    assert.equal(root.ns, "urn:a");
    assert.equal(root.local, "x");
    assert.equal(root.attributes.get("{urn:b}k"), "1");
    assert.equal(root.attributes.get("plain"), "2");
    assert.equal(root.attributes.size, 2, "namespace declarations are not attributes");
    assert.equal(root.children[0]?.text, "t&\rA<c>");
    assert.equal(root.children[1]?.ns, "urn:b");
  });

  it("refuses a DTD at once: billion laughs, external entities, an empty DOCTYPE", () => {
    assert.match(refusal(BILLION_LAUGHS), /document type declarations/);
    assert.match(refusal(XXE), /document type declarations/);
    assert.match(refusal(`<!doctype x><x/>`), /document type declarations/);
    // refused before parsing: even a DTD that never ends costs one scan
    const started = process.hrtime.bigint();
    refusal(`<!DOCTYPE x [${"<!ENTITY a 'b'>".repeat(100_000)}`);
    assert.ok(process.hrtime.bigint() - started < 200_000_000n);
  });

  it("refuses entities it does not know, and malformed documents", () => {
    assert.match(refusal(`<x>&nbsp;</x>`), /undefined entity/);
    assert.match(refusal(`<x><y></x>`), /.+/);
    assert.match(refusal(`<x a="1" a="2"/>`), /duplicate attribute/);
    assert.match(refusal(`<p:x/>`), /unbound/);
    assert.match(refusal(``), /.+/);
    assert.match(refusal(`<x/><y/>`), /.+/);
    assert.match(refusal(`<x>\u0001</x>`), /.+/);
  });

  it("stops at the depth and element limits", () => {
    const deep = `${"<a>".repeat(41)}${"</a>".repeat(41)}`;
    assert.match(refusal(deep), /deeper than 40/);
    assert.doesNotThrow(() => parseXml(`${"<a>".repeat(40)}${"</a>".repeat(40)}`));
    // a million open tags is refused at the 41st, not after reading them all into memory
    const started = process.hrtime.bigint();
    assert.match(refusal("<a>".repeat(1_000_000)), /deeper than 40/);
    assert.ok(process.hrtime.bigint() - started < 1_000_000_000n);
    assert.match(refusal(`<r>${"<a/>".repeat(11)}</r>`, { maxDepth: 40, maxElements: 10 }), /more than 10 elements/);
  });
});

describe("escapeText", () => {
  it("escapes markup, keeps CR, and replaces what XML cannot carry", () => {
    assert.equal(escapeText(`a<b>&c\r`), "a&lt;b&gt;&amp;c&#13;");
    assert.equal(escapeText("x\u0001y\uD800z"), "x\uFFFDy\uFFFDz");
    assert.equal(escapeText("😀"), "😀");
    const round = parseXml(`<x>${escapeText("a<b>&c\r\n\t😀")}</x>`);
    assert.equal(round.text, "a<b>&c\r\n\t😀");
  });
});

describe("escapeText, for any string", () => {
  it("always writes text that parses, and keeps every character XML can carry", () => {
    const carriable = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        const parsed = parseXml(`<x>${escapeText(text)}</x>`).text;
        if (carriable.test(text)) assert.equal(parsed, text);
        else assert.match(parsed, carriable);
      }),
      { numRuns: 500 },
    );
  });
});
