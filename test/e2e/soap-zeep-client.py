"""A legacy-style SOAP client of Callboard, built by python3-zeep from the served
WSDLs. Run by test/e2e/soap-clients.test.ts: reads a JSON plan on stdin, makes
the calls, and prints one JSON object: each step's answer as zeep read it and
the raw response envelope (for xmllint), or the fault it raised.
"""

import json
import sys

from lxml import etree
from zeep import Client
from zeep.exceptions import Fault
from zeep.helpers import serialize_object
from zeep.plugins import HistoryPlugin
from zeep.wsse.username import UsernameToken


def client(plan, service, password=None, digest=False):
    history = HistoryPlugin()
    token = UsernameToken(plan["user"], password or plan["password"], use_digest=digest)
    made = Client(f"{plan['url']}/SOAPAPI2/{service}110?wsdl", wsse=token, plugins=[history])
    return made, history


def step(history, call):
    try:
        answer = call()
        raw = etree.tostring(history.last_received["envelope"], encoding="unicode")
        return {"answer": serialize_object(answer, dict), "raw": raw}
    except Fault as fault:
        return {"fault": {"code": fault.code, "message": fault.message}}


def operations(made):
    names = []
    for service in made.wsdl.services.values():
        for port in service.ports.values():
            names.extend(port.binding._operations.keys())
    return sorted(names)


def main():
    plan = json.load(sys.stdin)
    out = {}
    identity, identity_history = client(plan, "IdentityManagementService")
    contact, contact_history = client(plan, "ContactCenterManagementService")
    auth, auth_history = client(plan, "AuthenticationService")
    orgs, _ = client(plan, "OrganizationManagementService")
    out["operations"] = {
        "IdentityManagementService": operations(identity),
        "ContactCenterManagementService": operations(contact),
        "AuthenticationService": operations(auth),
        "OrganizationManagementService": operations(orgs),
    }
    out["show"] = step(identity_history, lambda: identity.service.showUser(arg1={"externalId": plan["showUser"]}))
    users = [
        {"externalId": plan["newUser"], "firstName": "New", "lastName": "User", "roles": ["Agent"]},
        {"externalId": "not a login", "firstName": "Bad", "lastName": "User", "roles": ["Agent"]},
    ]
    out["bulk"] = step(identity_history, lambda: identity.service.createUsers(arg1=users, arg2={"internalId": plan["accountId"]}))
    group = {"agentGroup": {"internalId": plan["agentGroupId"]}}
    out["acquire"] = step(contact_history, lambda: contact.service.acquireAgent(arg1=group))
    acquired = (out["acquire"].get("answer") or {}).get("data") or [{}]
    out["release"] = step(
        contact_history, lambda: contact.service.releaseAgent(arg1={"internalId": acquired[0].get("internalId")})
    )
    wrong, wrong_history = client(plan, "AuthenticationService", password="not-the-password")
    out["wrongPassword"] = step(wrong_history, lambda: wrong.service.showCurrentSession())
    digest, digest_history = client(plan, "AuthenticationService", digest=True)
    out["digest"] = step(digest_history, lambda: digest.service.showCurrentSession())
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
