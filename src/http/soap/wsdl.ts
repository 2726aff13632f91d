/**
 * The WSDL 1.1 of each SOAP service, generated from the TypeBox schemas the
 * JSON door validates with and answers with: no XSD is kept by hand, so the
 * two doors cannot drift apart. Document/literal wrapped, as JAX-WS made the
 * original: an element per operation holding `arg1…argN`, an element per
 * response holding `return`, one inline schema with
 * `elementFormDefault="unqualified"`, `soapAction=""`.
 *
 * How a JSON Schema node becomes XSD:
 * - an object → a complexType with a sequence in property order (named when
 *   the schema is one of TYPE_NAMES, anonymous otherwise);
 * - an optional property → minOccurs="0"; a nullable one → nillable="true";
 * - an array → the element repeated (minOccurs="0" maxOccurs="unbounded");
 * - string → xs:string (xs:dateTime for format date-time), number →
 *   xs:double, integer → xs:long, boolean → xs:boolean, an enumeration or a
 *   literal → a restriction of xs:string.
 * Pure: the same inputs give the same document.
 */
import type { TSchema } from "typebox";
import type { MethodName } from "../../domain/methods.js";
import {
  enumValues,
  isOptional,
  leafOf,
  propertiesOf,
  responseOf,
  type ServiceName,
  SOAP_SERVICES,
  shapeOf,
  soapArguments,
  TNS,
  TYPE_NAMES,
} from "./services.js";
import { escapeAttribute } from "./xml.js";

const XSD_LEAF = {
  string: "xs:string",
  dateTime: "xs:dateTime",
  number: "xs:double",
  integer: "xs:long",
  boolean: "xs:boolean",
} as const;

/** Collects the named complexTypes a service's elements refer to, each written once. */
class TypeWriter {
  readonly named = new Map<string, string>();

  typeAttribute(schema: TSchema, indent: string): { attribute: string; inline: string } {
    const name = TYPE_NAMES.get(schema);
    if (name) {
      this.define(name, schema);
      return { attribute: ` type="tns:${name}"`, inline: "" };
    }
    const leaf = leafOf(schema);
    if (leaf === "enum") {
      const values = enumValues(schema)
        .map((value) => `${indent}    <xs:enumeration value="${escapeAttribute(value)}"/>\n`)
        .join("");
      return {
        attribute: "",
        inline: `\n${indent}  <xs:simpleType>\n${indent}   <xs:restriction base="xs:string">\n${values}${indent}   </xs:restriction>\n${indent}  </xs:simpleType>\n${indent}`,
      };
    }
    if (leaf) return { attribute: ` type="${XSD_LEAF[leaf]}"`, inline: "" };
    if (propertiesOf(schema)) {
      return { attribute: "", inline: `\n${this.complexType(schema, `${indent}  `, "")}${indent}` };
    }
    return { attribute: ` type="xs:anyType"`, inline: "" };
  }

  define(name: string, schema: TSchema): void {
    if (this.named.has(name)) return;
    this.named.set(name, "");
    this.named.set(name, this.complexType(schema, "   ", name));
  }

  complexType(schema: TSchema, indent: string, name: string): string {
    const properties = propertiesOf(schema) ?? {};
    const elements = Object.entries(properties)
      .map(([key, property]) => this.element(key, property, isOptional(property, schema, key), `${indent}   `))
      .join("");
    const named = name ? ` name="${name}"` : "";
    return `${indent}<xs:complexType${named}>\n${indent} <xs:sequence>\n${elements}${indent} </xs:sequence>\n${indent}</xs:complexType>\n`;
  }

  /** One `xs:element` for a property or an argument. */
  element(name: string, schema: TSchema, optional: boolean, indent: string): string {
    const shape = shapeOf(schema);
    if (shape.never) return "";
    if (shape.onlyNull) {
      return `${indent}<xs:element name="${name}" minOccurs="0" nillable="true">\n${indent} <xs:complexType/>\n${indent}</xs:element>\n`;
    }
    const occurs = shape.repeated ? ` minOccurs="0" maxOccurs="unbounded"` : optional ? ` minOccurs="0"` : "";
    const nillable = shape.nullable ? ` nillable="true"` : "";
    const { attribute, inline } = this.typeAttribute(shape.item, indent);
    if (inline === "") return `${indent}<xs:element name="${name}"${attribute}${occurs}${nillable}/>\n`;
    return `${indent}<xs:element name="${name}"${occurs}${nillable}>${inline}</xs:element>\n`;
  }
}

/** The wrapper elements of one operation: the request's arguments, the response's `return`. */
function operationElements(writer: TypeWriter, method: MethodName): string {
  // Every argument may be left out or nil: the server answers ARG_NULL for a
  // required one, in <errors>, as the JSON door does.
  const args = soapArguments(method)
    .map(({ schema }, index) => {
      const shape = shapeOf(schema);
      const occurs = shape.repeated ? ` maxOccurs="unbounded"` : "";
      const { attribute, inline } = writer.typeAttribute(shape.item, "      ");
      const open = `      <xs:element name="arg${index + 1}"${attribute} minOccurs="0"${occurs} nillable="true"`;
      return inline === "" ? `${open}/>\n` : `${open}>${inline}</xs:element>\n`;
    })
    .join("");
  const response = responseOf(method);
  writer.define(response.name, response.schema);
  return (
    `   <xs:element name="${method}">\n    <xs:complexType>\n     <xs:sequence>\n${args}     </xs:sequence>\n    </xs:complexType>\n   </xs:element>\n` +
    `   <xs:element name="${method}Response">\n    <xs:complexType>\n     <xs:sequence>\n      <xs:element name="return" type="tns:${response.name}"/>\n     </xs:sequence>\n    </xs:complexType>\n   </xs:element>\n`
  );
}

/** The `xs:schema` of a service: its operations' elements and every type they use. */
export function serviceSchema(service: ServiceName): string {
  const writer = new TypeWriter();
  const elements = SOAP_SERVICES[service].map((method) => operationElements(writer, method)).join("");
  const types = [...writer.named.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, text]) => text)
    .join("");
  return (
    `  <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${TNS}" targetNamespace="${TNS}" elementFormDefault="unqualified" attributeFormDefault="unqualified" version="1.0">\n` +
    `${elements}${types}  </xs:schema>\n`
  );
}

/** The whole WSDL of a service, whose port is at `location`. */
export function buildWsdl(service: ServiceName, location: string): string {
  const methods = SOAP_SERVICES[service];
  const messages = methods
    .map(
      (method) =>
        ` <wsdl:message name="${method}">\n  <wsdl:part name="parameters" element="tns:${method}"/>\n </wsdl:message>\n` +
        ` <wsdl:message name="${method}Response">\n  <wsdl:part name="parameters" element="tns:${method}Response"/>\n </wsdl:message>\n`,
    )
    .join("");
  const portOperations = methods
    .map(
      (method) =>
        `  <wsdl:operation name="${method}">\n   <wsdl:input message="tns:${method}"/>\n   <wsdl:output message="tns:${method}Response"/>\n  </wsdl:operation>\n`,
    )
    .join("");
  const bindingOperations = methods
    .map(
      (method) =>
        `  <wsdl:operation name="${method}">\n   <soap:operation soapAction="" style="document"/>\n   <wsdl:input><soap:body use="literal"/></wsdl:input>\n   <wsdl:output><soap:body use="literal"/></wsdl:output>\n  </wsdl:operation>\n`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${TNS}" targetNamespace="${TNS}" name="${service}110">\n` +
    ` <wsdl:types>\n${serviceSchema(service)} </wsdl:types>\n` +
    messages +
    ` <wsdl:portType name="${service}">\n${portOperations} </wsdl:portType>\n` +
    ` <wsdl:binding name="${service}PortBinding" type="tns:${service}">\n  <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>\n${bindingOperations} </wsdl:binding>\n` +
    ` <wsdl:service name="${service}110">\n  <wsdl:port name="${service}Port" binding="tns:${service}PortBinding">\n   <soap:address location="${escapeAttribute(location)}"/>\n  </wsdl:port>\n </wsdl:service>\n` +
    `</wsdl:definitions>\n`
  );
}
