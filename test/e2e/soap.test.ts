/**
 * The SOAP door on a real port, with envelopes written by hand: the example
 * request of engage-soap.md replayed as a golden test, faults only where
 * SPEC §11 says, catalogue errors in <errors> with HTTP 200, hostile
 * documents refused fast, and every response valid against the served WSDL's
 * schema (xmllint).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { METHODS } from "../../src/domain/methods.js";
import { SOAP_SERVICES } from "../../src/http/soap/services.js";
import { ADMIN, type Auth, makeAccount, makeUser, uniqueEmail } from "../factories/app.js";
import { makeGroup } from "../factories/contact-center.js";
import { type LiveApp, startLiveApp } from "../factories/server.js";
import {
  envelope,
  fetchWsdl,
  firstText,
  postSoap,
  SERVICES,
  type Service,
  schemaFile,
  securityHeader,
  validateResponse,
} from "../factories/soap.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/soap/${name}`, import.meta.url), "utf8");

/** Ids and times vary from run to run; the golden file has placeholders for them. */
function normalised(xml: string): string {
  return xml
    .replace(/<internalId>[0-9a-f]{24}<\/internalId>/g, "<internalId>ID</internalId>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "TIME")
    .replace(/<externalId>grp[0-9a-f]{10}<\/externalId>/g, "<externalId>GROUP</externalId>");
}

describe("the SOAP door on the wire", () => {
  let live: LiveApp;
  /** the live app, whose calls default to the administrator of the example request */
  let t: LiveApp;
  const xsd = new Map<Service, string>();
  // The example request signs in as admin@callboard.local with password "secret".
  const admin = { user: ADMIN.user, password: "secret" };

  before(async () => {
    live = await startLiveApp({ env: { CALLBOARD_ADMIN_PASSWORD: admin.password } });
    t = Object.assign(Object.create(live) as LiveApp, {
      call: (method: string, body: unknown, auth: Auth | string | null = admin) => live.call(method, body, auth),
    });
    for (const service of SERVICES) xsd.set(service, schemaFile(await fetchWsdl(t.url, service), service));
  });
  after(() => live.close());

  const call = (service: Service, body: string, headers?: Record<string, string>) =>
    postSoap(t.url, service, body, headers);
  const schema = (service: Service) => xsd.get(service) ?? assert.fail("no schema");

  it('serves a WSDL per service: one definitions, the namespace, document/literal, unqualified, soapAction ""', async () => {
    for (const service of SERVICES) {
      const wsdl = await fetchWsdl(t.url, service);
      assert.equal(wsdl.match(/<wsdl:definitions /g)?.length, 1);
      assert.match(wsdl, /targetNamespace="http:\/\/www\.soundbite\.com\/SOAPAPI2\/110"/);
      assert.match(wsdl, /elementFormDefault="unqualified"/);
      assert.match(wsdl, /<soap:binding transport="http:\/\/schemas.xmlsoap.org\/soap\/http" style="document"\/>/);
      assert.doesNotMatch(wsdl, /use="encoded"/);
      const actions = [...wsdl.matchAll(/soapAction="([^"]*)"/g)].map((m) => m[1]);
      assert.equal(actions.length, SOAP_SERVICES[service].length);
      assert.ok(actions.every((action) => action === ""));
      assert.match(wsdl, new RegExp(`<soap:address location="${t.url}/SOAPAPI2/${service}110"/>`));
      for (const method of SOAP_SERVICES[service]) assert.match(wsdl, new RegExp(`<wsdl:operation name="${method}">`));
    }
    const all = Object.values(SOAP_SERVICES).flat().sort();
    assert.deepEqual(all, Object.keys(METHODS).sort(), "every method in exactly one service");
    const plain = await fetch(`${t.url}/SOAPAPI2/IdentityManagementService110`);
    assert.equal(plain.status, 405);
    assert.equal(plain.headers.get("allow"), "POST");
  });

  it("replays the example request of engage-soap.md (golden)", async () => {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    await makeUser(t, accountId, ["Agent"], "agent1@example.com");
    const made = await t.call("createAgents", {
      agents: [{ externalId: "agent1@example.com" }],
      agentGroup: { internalId: group.internalId },
      initialState: {},
    });
    assert.deepEqual(made.errors, []);
    const reply = await call("ContactCenterManagementService", fixture("engage-example-request.xml"));
    assert.equal(reply.status, 200);
    assert.equal(reply.contentType, "text/xml; charset=utf-8");
    assert.equal(normalised(reply.text), fixture("engage-example-response.xml").trim());
    await validateResponse(reply.text, schema("ContactCenterManagementService"));
  });

  it("answers a show, with lower-camel fields, repeated arrays and nil for null", async () => {
    const { accountId } = await makeAccount(t);
    const externalId = uniqueEmail();
    await makeUser(t, accountId, ["Agent", "Supervisor"], externalId);
    const reply = await call(
      "IdentityManagementService",
      envelope("showUser", `<arg1><externalId>${externalId}</externalId></arg1>`, admin),
    );
    assert.equal(reply.status, 200);
    assert.match(reply.text, /<ns:showUserResponse><return><data><externalId>/);
    assert.match(
      reply.text,
      /<roles>Supervisor<\/roles><roles>Agent<\/roles>|<roles>Agent<\/roles><roles>Supervisor<\/roles>/,
    );
    assert.match(reply.text, /<timeZone xsi:nil="true"\/>/);
    assert.match(reply.text, /<dataOffset>0<\/dataOffset><\/return>/);
    await validateResponse(reply.text, schema("IdentityManagementService"));
  });

  it("decodes numbers, booleans, attributes, nil and xsi:type as the JSON door's input", async () => {
    const { accountId, account } = await makeAccount(t);
    const created = await call(
      "ContactCenterManagementService",
      envelope(
        "createAgentGroup",
        `<arg1><externalId>g-soap</externalId><intensity>2.5</intensity><maxBreakTime>15</maxBreakTime>` +
          `<tags>a</tags><tags>b</tags><attributes><name>note</name><value>x &amp; y</value></attributes>` +
          `<currentSchedule><open24>true</open24><timeZone>UTC</timeZone></currentSchedule></arg1>` +
          `<arg2 xsi:type="ns:account"><internalId>${accountId}</internalId></arg2>`,
        admin,
      ),
    );
    assert.equal(firstText(created.text, "code"), undefined, created.text);
    assert.match(created.text, /<intensity>2.5<\/intensity>/);
    assert.match(created.text, /<tags>a<\/tags><tags>b<\/tags>/);
    await validateResponse(created.text, schema("ContactCenterManagementService"));
    const json = await t.call("showAgentGroup", {
      agentGroup: { externalId: "g-soap", parent: { externalId: account } },
    });
    assert.equal((json.data[0] as { maxBreakTime: number }).maxBreakTime, 15);

    // The same wrong type as JSON gets the same error in the same place.
    const wrong = await call(
      "ContactCenterManagementService",
      envelope("changeAgentGroup", `<arg1><externalId>g-soap</externalId><intensity>lots</intensity></arg1>`, admin),
    );
    assert.equal(wrong.status, 200);
    assert.equal(firstText(wrong.text, "code"), "ATTRIBUTE_INVALID_DATA");
    assert.equal(firstText(wrong.text, "argumentIndex"), "0");
    assert.equal(firstText(wrong.text, "attributeName"), "intensity");
    await validateResponse(wrong.text, schema("ContactCenterManagementService"));

    const nil = await call(
      "ContactCenterManagementService",
      envelope("showAgentGroup", `<arg1 xsi:nil="true"/>`, admin),
    );
    assert.equal(firstText(nil.text, "code"), "ARG_NULL");
    const unknown = await call(
      "ContactCenterManagementService",
      envelope("showAgentGroup", `<arg1><externalId>g</externalId></arg1><arg2>x</arg2>`, admin),
    );
    assert.equal(firstText(unknown.text, "code"), "ARG_INVALID_DATA");
  });

  it("puts catalogue errors in <errors> with HTTP 200: no Security header, a wrong password, no permission", async () => {
    const { accountId } = await makeAccount(t);
    const agent = await makeUser(t, accountId, ["Agent"]);
    const cases: [string, string][] = [
      [envelope("showCurrentSession", "", null), "NO_SESSION"],
      [envelope("showCurrentSession", "", { user: admin.user, password: "wrong" }), "AUTHENTICATION_FAILURE"],
      [envelope("showCurrentSession", "", { user: "nobody@example.com", password: "x" }), "AUTHENTICATION_FAILURE"],
      [envelope("deleteSession", "", admin), "NO_SESSION"],
    ];
    for (const [body, code] of cases) {
      const reply = await call("AuthenticationService", body);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(firstText(reply.text, "code"), code, reply.text);
      await validateResponse(reply.text, schema("AuthenticationService"));
    }
    const denied = await call(
      "OrganizationManagementService",
      envelope("listOrgs", "<arg1><internalId>root</internalId></arg1>", agent),
    );
    assert.equal(firstText(denied.text, "code"), "PERMISSION_DENIED");
    await validateResponse(denied.text, schema("OrganizationManagementService"));
  });

  it("takes a session token from createSession as a Bearer header when there is no Security header", async () => {
    const session = await call(
      "AuthenticationService",
      envelope("createSession", `<arg1>${admin.user}</arg1><arg2>${admin.password}</arg2>`, null),
    );
    await validateResponse(session.text, schema("AuthenticationService"));
    const token = firstText(session.text, "internalId");
    assert.ok(token);
    const shown = await call("AuthenticationService", envelope("showCurrentSession", "", null), {
      authorization: `Bearer ${token}`,
    });
    assert.equal(firstText(shown.text, "internalId"), token);
    const ended = await call("AuthenticationService", envelope("deleteSession", "", null), {
      authorization: `Bearer ${token}`,
    });
    assert.match(ended.text, /<return><dataOffset>0<\/dataOffset><\/return>/);
    await validateResponse(ended.text, schema("AuthenticationService"));
  });

  it("answers a SOAP 1.1 fault (HTTP 500) for an unknown operation, a header not understood, PasswordDigest", async () => {
    const faults: [Service, string, string][] = [
      ["IdentityManagementService", envelope("showAgentGroup", "", admin), "soap:Client"],
      ["IdentityManagementService", envelope("dropTables", "", admin), "soap:Client"],
      [
        "IdentityManagementService",
        envelope("showUser", "", admin, `<x:Trace soapenv:mustUnderstand="1" xmlns:x="urn:x"/>`),
        "soap:MustUnderstand",
      ],
      [
        "IdentityManagementService",
        envelope("showUser", "", null, securityHeader(admin, "PasswordDigest")),
        "wsse:UnsupportedSecurityToken",
      ],
      [
        "IdentityManagementService",
        `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`,
        "soap:VersionMismatch",
      ],
      ["IdentityManagementService", "<not-soap/>", "soap:Client"],
      ["IdentityManagementService", '{"json": true}', "soap:Client"],
    ];
    for (const [service, body, code] of faults) {
      const reply = await call(service, body);
      assert.equal(reply.status, 500, body);
      assert.equal(reply.contentType, "text/xml; charset=utf-8");
      assert.match(reply.text, /<soap:Envelope xmlns:soap="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/"/);
      assert.equal(firstText(reply.text, "faultcode"), code, reply.text);
      assert.ok(firstText(reply.text, "faultstring"));
    }
    // A header that is not mustUnderstand, or is for another actor, is ignored.
    const ignored = await call(
      "IdentityManagementService",
      envelope(
        "showUser",
        `<arg1><externalId>${admin.user}</externalId></arg1>`,
        admin,
        `<x:Trace xmlns:x="urn:x"/><x:Other soapenv:mustUnderstand="1" soapenv:actor="urn:elsewhere" xmlns:x="urn:x"/>`,
      ),
    );
    assert.equal(ignored.status, 200, ignored.text);
  });

  it("refuses hostile documents at once with a fault, and goes on serving", async () => {
    const laughs =
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`).join("") +
      `]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&lol9;</soapenv:Body></soapenv:Envelope>`;
    const xxe = fixture("engage-example-request.xml")
      .replace("<soapenv:Envelope", `<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><soapenv:Envelope`)
      .replace("agent1@example.com", "&xxe;");
    const deep = envelope("showUser", `${"<arg1>".repeat(5000)}${"</arg1>".repeat(5000)}`, admin);
    const huge = envelope("createUsersUsingString", `<arg1>${"x".repeat(3 * 1024 * 1024)}</arg1>`, admin);
    const cases: [string, string, RegExp][] = [
      ["billion laughs", laughs, /document type declarations/],
      ["XXE", xxe, /document type declarations/],
      ["deep nesting", deep, /nested deeper than/],
      ["huge document", huge, /exceeds \d+ bytes/],
    ];
    for (const [name, body, reason] of cases) {
      const started = performance.now();
      const reply = await call("IdentityManagementService", body);
      const ms = performance.now() - started;
      assert.equal(reply.status, 500, name);
      assert.equal(firstText(reply.text, "faultcode"), "soap:Client", name);
      assert.match(firstText(reply.text, "faultstring") ?? "", reason, name);
      assert.doesNotMatch(reply.text, /root:/, `${name}: no file content`);
      assert.ok(ms < 2000, `${name} took ${ms} ms`);
    }
    const still = await call("AuthenticationService", envelope("showCurrentSession", "", admin));
    assert.equal(still.status, 200);
  });
});
