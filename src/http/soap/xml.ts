/**
 * The XML reader of the SOAP door: a strict, namespace-aware, non-validating
 * parser (saxes) behind three refusals that make hostile documents cost
 * nothing:
 *
 * - any `<!DOCTYPE` or `<!ENTITY` is refused before parsing starts, so no
 *   entity is ever declared, let alone expanded (billion laughs) or fetched
 *   (XXE). saxes itself knows only the five predefined entities and character
 *   references, and fails on any other; the early refusal means a DTD is never
 *   even read. (A CDATA section or comment that contains the text `<!DOCTYPE`
 *   is refused too: no SOAP client sends one, and a scan that cannot be fooled
 *   is worth more than that case.)
 * - elements nested deeper than `maxDepth` stop the parse at the first one;
 * - more than `maxElements` elements stop it too (the body limit bounds the
 *   bytes, this bounds the objects built from them).
 *
 * What comes out is a small tree: each element with its namespace URI, local
 * name, attributes and the text directly inside it.
 */
import { SaxesParser, type SaxesTagNS } from "saxes";

export interface XmlElement {
  /** the namespace URI, "" when the element has none */
  ns: string;
  local: string;
  /** attribute values by `{uri}local` (`local` alone when unqualified); namespace declarations left out */
  attributes: Map<string, string>;
  children: XmlElement[];
  /** the text and CDATA directly inside, concatenated */
  text: string;
}

export interface XmlLimits {
  maxDepth: number;
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxDepth: 40, maxElements: 100_000 };

/** Why a document was refused: it is not XML we read. */
export class XmlRefused extends Error {
  override readonly name = "XmlRefused";
}

const DTD = /<!(DOCTYPE|ENTITY)/i;
const XMLNS_URI = "http://www.w3.org/2000/xmlns/";

export function attributeKey(uri: string, local: string): string {
  return uri === "" ? local : `{${uri}}${local}`;
}

/** The document element of `text`, or XmlRefused saying why not. */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (DTD.test(text)) throw new XmlRefused("document type declarations and entities are not accepted");
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  parser.on("error", (error) => {
    throw new XmlRefused(error.message);
  });
  parser.on("opentag", (tag: SaxesTagNS) => {
    elements += 1;
    if (elements > limits.maxElements) throw new XmlRefused(`more than ${limits.maxElements} elements`);
    if (stack.length >= limits.maxDepth) throw new XmlRefused(`elements nested deeper than ${limits.maxDepth}`);
    const attributes = new Map<string, string>();
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.uri === XMLNS_URI || (attribute.prefix === "" && attribute.local === "xmlns")) continue;
      attributes.set(attributeKey(attribute.uri, attribute.local), attribute.value);
    }
    const element: XmlElement = { ns: tag.uri, local: tag.local, attributes, children: [], text: "" };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  const append = (chunk: string) => {
    const current = stack[stack.length - 1];
    if (current) current.text += chunk;
  };
  parser.on("text", append);
  parser.on("cdata", append);
  parser.write(text).close();
  if (!root) throw new XmlRefused("no document element");
  return root;
}

// ---- writing -----------------------------------------------------------------

/** True for a UTF-16 code unit XML 1.0 can carry on its own (surrogate pairs are checked by the caller). */
function isXmlUnit(unit: number): boolean {
  if (unit < 0x20) return unit === 0x09 || unit === 0x0a || unit === 0x0d;
  return unit !== 0xfffe && unit !== 0xffff;
}

/**
 * Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates,
 * U+FFFE/U+FFFF) become U+FFFD: a response must always parse.
 */
function xmlSafe(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    let bad: boolean;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      bad = !(next >= 0xdc00 && next <= 0xdfff);
      if (!bad) {
        i += 1;
        continue;
      }
    } else {
      bad = (unit >= 0xdc00 && unit <= 0xdfff) || !isXmlUnit(unit);
    }
    if (bad) {
      out += `${text.slice(from, i)}\uFFFD`;
      from = i + 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Text content; CR is written as a reference so a reader's line-end normalisation keeps it. */
export function escapeText(text: string): string {
  return xmlSafe(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
}

export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}
