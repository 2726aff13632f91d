/**
 * Two independent SOAP clients built from the served WSDLs, as a legacy
 * Engage integration would build them: node-soap (npm) and python3-zeep
 * (Debian, under /usr/bin/python3). Each makes a show, a bulk create with a
 * warning, an acquire and its release, a call with a wrong password and one
 * with PasswordDigest; every raw response is validated with xmllint against
 * the WSDL's schema.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import soap from "soap";
import { SOAP_SERVICES } from "../../src/http/soap/services.js";
import { ADMIN, makeAccount, makeUser, uniqueEmail } from "../factories/app.js";
import { makeAgents, makeGroup } from "../factories/contact-center.js";
import { type LiveApp, startLiveApp } from "../factories/server.js";
import { fetchWsdl, SERVICES, type Service, schemaFile, validateResponse } from "../factories/soap.js";

const PYTHON = "/usr/bin/python3";
const ZEEP_CLIENT = fileURLToPath(new URL("./soap-zeep-client.py", import.meta.url));

interface Fixture {
  accountId: string;
  agentGroupId: string;
  showUser: string;
}

function runPython(script: string, input: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`zeep client exited ${code}: ${err}`))));
    child.stdin.end(JSON.stringify(input));
  });
}

type Envelope = {
  data?: Record<string, unknown>[] | Record<string, unknown> | null;
  dataOffset?: number;
  errors?: Record<string, unknown>[] | Record<string, unknown> | null;
  warnings?: Record<string, unknown>[] | Record<string, unknown> | null;
};

/** node-soap reads one repeated element as an object, several as an array; zeep always as a list. */
function list<T>(value: T[] | T | null | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

describe("legacy SOAP clients built from the served WSDL", () => {
  let t: LiveApp;
  let fixture: Fixture;
  const xsd = new Map<Service, string>();
  const schema = (service: Service) => xsd.get(service) ?? assert.fail("no schema");

  before(async () => {
    t = await startLiveApp();
    for (const service of SERVICES) xsd.set(service, schemaFile(await fetchWsdl(t.url, service), service));
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    await makeAgents(t, accountId, group.internalId, 2, { ready: true });
    const shown = await makeUser(t, accountId, ["Supervisor"]);
    fixture = { accountId, agentGroupId: group.internalId, showUser: shown.user };
  });
  after(() => t.close());

  describe("node-soap", () => {
    async function client(service: Service, auth = ADMIN, passwordType = "PasswordText") {
      const made = await soap.createClientAsync(`${t.url}/SOAPAPI2/${service}110?wsdl`);
      made.setSecurity(
        new soap.WSSecurity(auth.user, auth.password, { passwordType, hasNonce: true, mustUnderstand: true }),
      );
      return made;
    }

    /** Calls an operation; answers the envelope node-soap read and checks the raw response against the schema. */
    async function call(service: Service, made: soap.Client, operation: string, args: unknown): Promise<Envelope> {
      const method = made[`${operation}Async`] as (args: unknown) => Promise<[{ return: Envelope }, string]>;
      const [result, raw] = await method.call(made, args);
      await validateResponse(raw, schema(service));
      return result.return;
    }

    it("lists the operations of each service", async () => {
      for (const service of SERVICES) {
        const made = await client(service);
        const description = made.describe() as Record<string, Record<string, Record<string, unknown>>>;
        const operations = Object.keys(Object.values(Object.values(description)[0] ?? {})[0] ?? {});
        assert.deepEqual(operations.sort(), [...SOAP_SERVICES[service]].sort(), service);
      }
    });

    it("shows a user", async () => {
      const answer = await call("IdentityManagementService", await client("IdentityManagementService"), "showUser", {
        arg1: { externalId: fixture.showUser },
      });
      const [user] = list(answer.data);
      assert.equal(user?.externalId, fixture.showUser);
      assert.deepEqual(list(user?.roles as string[]), ["Supervisor"]);
      assert.deepEqual(list(answer.errors), []);
    });

    it("creates users in bulk, with a warning for the bad one", async () => {
      const good = uniqueEmail("soap");
      const answer = await call("IdentityManagementService", await client("IdentityManagementService"), "createUsers", {
        arg1: [
          { externalId: good, firstName: "Good", lastName: "User", roles: ["Agent"] },
          { externalId: "not a login", firstName: "Bad", lastName: "User", roles: ["Agent"] },
        ],
        arg2: { internalId: fixture.accountId },
      });
      assert.deepEqual(
        list(answer.data).map((user) => user.externalId),
        [good],
      );
      const [warning] = list(answer.warnings);
      assert.equal(warning?.severity, "Warning");
      assert.equal(warning?.attributeName, "users[1].externalId");
      assert.deepEqual(list(answer.errors), []);
    });

    it("acquires an agent and releases it", async () => {
      const made = await client("ContactCenterManagementService");
      const acquired = await call("ContactCenterManagementService", made, "acquireAgent", {
        arg1: { agentGroup: { internalId: fixture.agentGroupId } },
      });
      const [held] = list(acquired.data);
      assert.equal(held?.currentContactState, "Acquired");
      const released = await call("ContactCenterManagementService", made, "releaseAgent", {
        arg1: { internalId: held?.internalId },
      });
      assert.equal(list(released.data)[0]?.currentContactState, "Idle");
    });

    it("reads an authentication failure from <errors>, and a PasswordDigest fault", async () => {
      const wrong = await client("AuthenticationService", { user: ADMIN.user, password: "not-the-password" });
      const answer = await call("AuthenticationService", wrong, "showCurrentSession", {});
      assert.equal(list(answer.errors)[0]?.code, "AUTHENTICATION_FAILURE");

      const digest = await client("AuthenticationService", ADMIN, "PasswordDigest");
      await assert.rejects(
        () => digest.showCurrentSessionAsync({}),
        (error: { root?: { Envelope?: { Body?: { Fault?: { faultcode?: string } } } } }) => {
          assert.equal(error.root?.Envelope?.Body?.Fault?.faultcode, "wsse:UnsupportedSecurityToken");
          return true;
        },
      );
    });
  });

  describe("python3-zeep", () => {
    interface Step {
      answer?: Envelope;
      raw?: string;
      fault?: { code: string; message: string };
    }
    let steps: Record<string, Step> & { operations?: Record<string, string[]> };

    before(async () => {
      const plan = { url: t.url, user: ADMIN.user, password: ADMIN.password, newUser: uniqueEmail("zeep"), ...fixture };
      steps = JSON.parse(await runPython(ZEEP_CLIENT, plan)) as typeof steps;
    });

    const answered = async (name: string, service: Service): Promise<Envelope> => {
      const step = steps[name] as Step | undefined;
      assert.ok(step?.answer && step.raw, `${name}: ${JSON.stringify(step)}`);
      await validateResponse(step.raw, schema(service));
      return step.answer;
    };

    it("builds a client for each service from its WSDL", () => {
      const operations = steps.operations as unknown as Record<string, string[]>;
      assert.deepEqual(operations.AuthenticationService, ["createSession", "deleteSession", "showCurrentSession"]);
      assert.equal(operations.ContactCenterManagementService?.length, 19);
      assert.equal(operations.IdentityManagementService?.length, 8);
      assert.equal(operations.OrganizationManagementService?.length, 5);
    });

    it("shows a user", async () => {
      const answer = await answered("show", "IdentityManagementService");
      const [user] = list(answer.data);
      assert.equal(user?.externalId, fixture.showUser);
      assert.deepEqual(user?.roles, ["Supervisor"]);
      assert.equal(user?.timeZone, null);
      assert.deepEqual(list(answer.errors), []);
    });

    it("creates users in bulk, with a warning for the bad one", async () => {
      const answer = await answered("bulk", "IdentityManagementService");
      assert.equal(list(answer.data).length, 1);
      const [warning] = list(answer.warnings);
      assert.equal(warning?.code, "ATTRIBUTE_INVALID_FORMAT");
      assert.equal(warning?.argumentIndex, 0);
    });

    it("acquires an agent and releases it", async () => {
      const acquired = await answered("acquire", "ContactCenterManagementService");
      assert.equal(list(acquired.data)[0]?.currentContactState, "Acquired");
      const released = await answered("release", "ContactCenterManagementService");
      assert.equal(list(released.data)[0]?.currentContactState, "Idle");
      assert.equal(list(released.data)[0]?.internalId, list(acquired.data)[0]?.internalId);
    });

    it("reads an authentication failure from <errors>, and a PasswordDigest fault", async () => {
      const wrong = await answered("wrongPassword", "AuthenticationService");
      assert.equal(list(wrong.errors)[0]?.code, "AUTHENTICATION_FAILURE");
      assert.equal(steps.digest?.fault?.code, "wsse:UnsupportedSecurityToken");
      assert.match(steps.digest?.fault?.message ?? "", /PasswordDigest is not supported/);
    });
  });
});
