import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { METHODS, type MethodName } from "../../src/domain/methods.js";
import { compileMethod, decodeArguments } from "../../src/http/decode.js";
import { decodeOperation, encodeValue } from "../../src/http/soap/codec.js";
import { readEnvelope } from "../../src/http/soap/envelope.js";
import { responseOf, SOAP_SERVICES, soapArguments } from "../../src/http/soap/services.js";
import { buildWsdl } from "../../src/http/soap/wsdl.js";
import { parseXml } from "../../src/http/soap/xml.js";

const NS = `xmlns:ns="http://www.soundbite.com/SOAPAPI2/110" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;

function decode(method: MethodName, inner: string): Record<string, unknown> {
  return decodeOperation(method, parseXml(`<ns:${method} ${NS}>${inner}</ns:${method}>`));
}

/** The JSON door's verdict on a decoded body: the input, or the error codes and places. */
function judged(method: MethodName, body: Record<string, unknown>) {
  const decoded = decodeArguments(compileMethod(METHODS[method]), body);
  if (decoded.ok) return "ok";
  return decoded.errors
    .map((e) => [e.code, e.argumentIndex, e.attributeName])
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

describe("decodeOperation", () => {
  it("names arg1…argN as the signature does; a repeated argument is an array", () => {
    const body = decode(
      "createAgents",
      `<arg1><externalId>a@example.com</externalId></arg1><arg1><externalId>b@example.com</externalId></arg1>` +
        `<arg2><externalId>g</externalId></arg2><arg3/>`,
    );
    assert.deepEqual(body, {
      agents: [{ externalId: "a@example.com" }, { externalId: "b@example.com" }],
      agentGroup: { externalId: "g" },
      initialState: {},
    });
    assert.equal(judged("createAgents", body), "ok");
  });

  it("converts numbers and booleans only where the schema says so and the text is one", () => {
    const body = decode(
      "changeAgentState",
      `<arg1><version> 3 </version><breakExceeded>1</breakExceeded><currentPhoneNumber>5</currentPhoneNumber>` +
        `<agent><loginEnabled>false</loginEnabled><firstName>007</firstName></agent></arg1>`,
    );
    assert.deepEqual(body, {
      agentState: {
        version: 3,
        breakExceeded: true,
        currentPhoneNumber: "5",
        agent: { loginEnabled: false, firstName: "007" },
      },
    });
    const bad = decode(
      "changeAgentState",
      `<arg1><version>1e999</version><agent><loginEnabled>yes</loginEnabled></agent></arg1>`,
    );
    assert.deepEqual(bad, { agentState: { version: "1e999", agent: { loginEnabled: "yes" } } });
    assert.deepEqual(judged("changeAgentState", bad), [
      ["ATTRIBUTE_INVALID_DATA", 0, "agent.loginEnabled"],
      ["ATTRIBUTE_INVALID_DATA", 0, "version"],
    ]);
  });

  it("reads nil as null, attributes as name/value pairs, paging as the last argument", () => {
    assert.deepEqual(decode("showUser", `<arg1 xsi:nil="true"/>`), { user: null });
    assert.deepEqual(decode("deleteUsers", `<arg1 xsi:nil="1"/>`), { users: null });
    const body = decode(
      "listUsers",
      `<arg1><internalId>o</internalId></arg1>` +
        `<arg2><attributes><name>a</name><value xsi:nil="true"/></attributes><attributes><name>b</name><value>x</value></attributes></arg2>` +
        `<arg3><offset>5</offset><limit>10</limit></arg3>`,
    );
    assert.deepEqual(body, {
      org: { internalId: "o" },
      sample: {
        attributes: [
          { name: "a", value: null },
          { name: "b", value: "x" },
        ],
      },
      options: { offset: 5, limit: 10 },
    });
    assert.equal(judged("listUsers", body), "ok");
  });

  it("reads xsi:type on a reference as its type, and leaves other elements for the JSON door to refuse", () => {
    const typed = decode(
      "listAgentStatesUsingEntity",
      `<arg1 xsi:type="ns:agentGroup"><externalId>g</externalId></arg1>`,
    );
    assert.deepEqual(typed, { baseEntity: { externalId: "g", type: "AgentGroup" } });
    const odd = decode(
      "showUser",
      `<arg1><externalId>a</externalId><externalId>b</externalId><shoeSize>9</shoeSize></arg1><arg2/>`,
    );
    assert.deepEqual(odd, { user: { externalId: ["a", "b"], shoeSize: "9" }, arg2: "" });
    assert.deepEqual(judged("showUser", odd), [
      ["ARG_INVALID_DATA", undefined, undefined],
      ["ATTRIBUTE_INVALID_DATA", 0, "externalId"],
      ["ATTRIBUTE_INVALID_DATA", 0, "shoeSize"],
    ]);
  });
});

describe("encodeValue", () => {
  it("writes the schema's order, nil for null, arrays repeated, nothing for an empty one", () => {
    const xml = encodeValue(responseOf("showUser").schema, {
      warnings: [],
      errors: [],
      dataOffset: 0,
      data: [{ roles: ["Agent", "Supervisor"], lastName: "L", firstName: "F", externalId: "e", email: null }],
    });
    assert.equal(
      xml,
      '<data><externalId>e</externalId><firstName>F</firstName><lastName>L</lastName><email xsi:nil="true"/>' +
        "<roles>Agent</roles><roles>Supervisor</roles></data><dataOffset>0</dataOffset>",
    );
  });
});

describe("readEnvelope", () => {
  it("finds the operation and the UsernameToken", () => {
    const read = readEnvelope(
      parseXml(
        `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>` +
          `<w:Security s:mustUnderstand="1" xmlns:w="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">` +
          `<w:UsernameToken><w:Username> u@example.com </w:Username><w:Password> p w </w:Password></w:UsernameToken></w:Security>` +
          `</s:Header><s:Body><ns:showCurrentSession ${NS}/></s:Body></s:Envelope>`,
      ),
    );
    assert.ok(read.ok);
    assert.equal(read.operation.local, "showCurrentSession");
    assert.deepEqual(read.token, { username: "u@example.com", password: " p w " });
  });
});

describe("the WSDL", () => {
  it("has an operation, a request and a response element for each method of its service, and every argument", () => {
    for (const [service, methods] of Object.entries(SOAP_SERVICES)) {
      const wsdl = buildWsdl(service as keyof typeof SOAP_SERVICES, "http://h/x");
      for (const method of methods) {
        assert.match(wsdl, new RegExp(`<xs:element name="${method}">`));
        assert.match(wsdl, new RegExp(`<xs:element name="${method}Response">`));
        const args = soapArguments(method);
        const block = wsdl.slice(wsdl.indexOf(`<xs:element name="${method}">`));
        const own = block.slice(0, block.indexOf("</xs:element>\n   <xs:element"));
        assert.equal(own.match(/name="arg\d+"/g)?.length ?? 0, args.length, method);
      }
      assert.equal(buildWsdl(service as keyof typeof SOAP_SERVICES, "http://h/x"), wsdl, "deterministic");
    }
  });
});
