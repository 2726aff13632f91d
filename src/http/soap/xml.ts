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

/**
 * Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates,
 * U+FFFE/U+FFFF) become U+FFFD; CR is written as a reference so a reader's
 * line-end normalisation keeps it.
 */
const NOT_XML = new RegExp(
  "[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]",
  "g",
);

export function escapeText(text: string): string {
  return text
    .replace(NOT_XML, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r/g, "&#13;");
}

export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}
