"""Authorize the Logic App's API connections from the command line (no portal needed).

For each connection that is not Connected: ask ARM for a consent link (listConsentLinks), open it
in a browser, read back the address the browser landed on (or the bare code), confirm it
(confirmConsentCode) and show the new status. The code is read without echo and never printed.

With a stack, the connections are those its mode uses (securescore.cli.mode_facts): in zero-touch
mode (``logsQuery: http``, ``mailTransport: acs``), or whenever no connection needs a person's
consent, there is nothing to authorize: it says so and exits 0 without signing in.

    securescore authorize --stack dev
    securescore authorize --subscription SUB --resource-group RG --connection NAME [--connection NAME]
    securescore authorize --stack dev --status-only --json

Statuses (Microsoft.Web 2016-06-01 ApiConnectionDefinition: ``properties.statuses[].status``, free text
in the spec): an OAuth connection is usable when one status is ``Connected`` (connectionsGet.json); a
managed-identity connection (``parameterValueSet.name == "managedIdentityAuth"``) never gets a
consent and reports ``Ready`` when healthy (issue 10, observed), ``Error`` when it is not. A connection
the body says is managed-identity is never sent to consent, with or without a stack.

The consent code: the Logic Apps designer reads it with ``new URL(address).searchParams.get("code")``
(Azure/LogicAppsUX, libs/logic-apps-shared/src/designer-client-services/lib/base/oAuth.ts), i.e.
percent-decoded, and that is what is sent here. Microsoft's older LogicAppConnectionAuth.ps1
(logicappsio/LogicAppConnectionAuth) sends the raw text after ``code=`` to the end of the address;
the two agree for the codes Azure issues (letters and digits, last in the address).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import webbrowser
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from azure.core.credentials import TokenCredential
from azure.core.pipeline.transport import HttpTransport

from securescore.arm import WEB_API_VERSION, ArmClient, ArmError, NetworkLimits, connection_id
from securescore.cli import mode_facts
from securescore.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Console,
    Session,
    UsageError,
    add_azure_arguments,
    add_stack_argument,
    check_guid,
    default_subscription,
    optional_settings,
)

DEFAULT_REDIRECT_URL = "https://portal.azure.com"
CONNECTED = "Connected"
READY = "Ready"  # a healthy managed-identity connection
MANAGED_IDENTITY_VALUE_SET = "managedIdentityAuth"

ReadCode = Callable[[str], str]
OpenBrowser = Callable[[str], bool]


class ConsentError(Exception):
    """The user's reply held no usable code, or the sign-in reported an error."""


@dataclass(frozen=True)
class Target:
    name: str
    resource_id: str
    managed_identity: bool = False  # the stack says this connection signs in as the Logic App


@dataclass(frozen=True)
class ConnectionState:
    status: str  # "Connected", "Ready" (managed identity), an error status such as "Error", "NotFound"
    detail: str
    managed_identity: bool

    @property
    def usable(self) -> bool:
        """Connected (OAuth), or Ready (managed identity): the Logic App can use it now."""
        return self.status == CONNECTED or (self.managed_identity and self.status == READY)

    @property
    def needs_consent(self) -> bool:
        """Only an OAuth connection that exists and is not Connected; never a managed-identity one."""
        return not self.managed_identity and self.status not in (CONNECTED, "NotFound", "Unreadable")


# --- arguments and targets ---------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.authorize",
        description="Show the status of the report's API connections and authorize those that need a "
        "user's consent (Office 365 with mailTransport office365; Azure Monitor Logs only with logsQuery "
        "connector and logsConnectionAuth: oauth). In zero-touch mode there is nothing to authorize.",
    )
    add_stack_argument(parser)
    parser.add_argument("--subscription", help="subscription of the connections (default: the stack's, "
                        "else $AZURE_SUBSCRIPTION_ID)")
    parser.add_argument("--resource-group", help="their resource group (default: the stack's)")
    parser.add_argument("--connection", action="append", metavar="NAME",
                        help="a connection name (repeatable; default: the stack's connections)")
    parser.add_argument("--redirect-url", default=DEFAULT_REDIRECT_URL,
                        help=f"where the sign-in sends the browser with ?code=... (default: {DEFAULT_REDIRECT_URL})")
    parser.add_argument("--object-id", help="object id of the user who signs in (default: the oid of your token)")
    parser.add_argument("--no-browser", action="store_true", help="only print the consent link")
    parser.add_argument("--status-only", action="store_true", help="show the statuses, change nothing")
    parser.add_argument("--json", action="store_true", help="with --status-only: print the statuses as a JSON "
                        "list of {connection, id, status, detail, managedIdentity, needsConsent, ok}")
    add_azure_arguments(parser)
    return parser


@dataclass(frozen=True)
class Plan:
    """What authorize looks at: the connections, notes for the user, and what it says when there is
    nothing to authorize (then nothing is read)."""

    targets: list[Target]
    notes: list[str]
    nothing_to_do: str = ""


def resolve_targets(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[list[Target], list[str]]:
    """The connections to look at, plus notes for the user (e.g. managed identity needs no consent)."""
    plan = resolve_plan(args, env)
    return plan.targets, plan.notes


def resolve_plan(args: argparse.Namespace, env: Mapping[str, str]) -> Plan:
    notes: list[str] = []
    if settings := optional_settings(args, unless=("subscription", "resource_group")):
        subscription = args.subscription or settings.deployment_subscription_id
        group = args.resource_group or settings.resource_group_name
        used = mode_facts.connections_to_check(settings)
        if not args.connection and not mode_facts.to_authorize(settings):
            return Plan([], [], mode_facts.authorize_message(settings))
        # The connections the mode uses: those needing consent, and a managed-identity one for its status.
        names = args.connection or [c.name for c in used]
        mi_names = {c.name for c in used if c.managed_identity}
        notes += [f"{name} signs in with the Logic App's managed identity (logsConnectionAuth: managedIdentity): "
                  "it needs no consent." for name in names if name in mi_names and not args.connection]
    else:
        subscription = default_subscription(args.subscription, env)
        group = args.resource_group
        names = args.connection or []
        mi_names = set()
        if not (subscription and group and names):
            raise UsageError("give --stack NAME, or --subscription (or AZURE_SUBSCRIPTION_ID), "
                             "--resource-group and at least one --connection")
    subscription = check_guid(subscription, "the subscription")
    targets = [Target(n, connection_id(subscription, group, n), n in mi_names) for n in names]
    return Plan(targets, notes)


# --- connection status ------------------------------------------------------------------------


def read_state(arm: ArmClient, target: Target) -> ConnectionState:
    try:
        body = arm.get(target.resource_id, WEB_API_VERSION) or {}
    except ArmError as error:
        if error.status == 404:
            return ConnectionState("NotFound", "no such connection: deploy the stack first (pulumi up)",
                                   target.managed_identity)
        return ConnectionState("Unreadable", str(error), target.managed_identity)
    return state_from_body(body, target.managed_identity)


def state_from_body(body: Mapping[str, Any], managed_identity: bool = False) -> ConnectionState:
    """The state of a connection from its GET body; absent fields and any status order handled."""
    properties = body.get("properties") or {}
    value_set = (properties.get("parameterValueSet") or {}).get("name", "")
    managed_identity = managed_identity or str(value_set).lower() == MANAGED_IDENTITY_VALUE_SET.lower()
    statuses = [s for s in properties.get("statuses") or [] if isinstance(s, Mapping)]
    names = [str(s.get("status") or "") for s in statuses]
    overall = str(properties.get("overallStatus") or "")
    for wanted in (CONNECTED, READY):
        if any(name.lower() == wanted.lower() for name in [*names, overall]):
            if wanted == READY and not managed_identity:
                break  # "Ready" is how a managed-identity connection says it is healthy, nothing else
            return ConnectionState(wanted, "", managed_identity)
    if not statuses:
        return ConnectionState(overall or "Unknown", "no status reported", managed_identity)
    first = next((s for s in statuses if s.get("error")), statuses[0])
    error = first.get("error") or {}
    detail = str(error.get("message") or error.get("code") or "") if isinstance(error, Mapping) else str(error)
    return ConnectionState(str(first.get("status") or overall or "Unknown"), detail, managed_identity)


def describe(target: Target, state: ConnectionState) -> str:
    if state.status == CONNECTED:
        return f"{target.name}: Connected"
    if state.managed_identity:
        health = "healthy" if state.usable else "not usable: re-deploy (pulumi up) and check the Logic App's " \
            "identity and its role on the workspace"
        text = f"{target.name}: {state.status} (managed identity: no consent needed; {health})"
        return text + (f" - {state.detail}" if state.detail else "")
    return f"{target.name}: {state.status}" + (f" - {state.detail}" if state.detail else "")


def state_document(target: Target, state: ConnectionState) -> dict[str, Any]:
    """One entry of --status-only --json."""
    return {"connection": target.name, "id": target.resource_id, "status": state.status, "detail": state.detail,
            "managedIdentity": state.managed_identity, "needsConsent": state.needs_consent, "ok": state.usable}


# --- consent ----------------------------------------------------------------------------------


def parse_consent_reply(reply: str) -> str:
    """The code from the address the browser landed on (…?code=…), or the bare code itself."""
    text = reply.strip()
    if not text:
        raise ConsentError("nothing was pasted")
    if "=" not in text and "://" not in text:
        return text
    parts = urlsplit(text if "://" in text or text.startswith("?") else "?" + text)
    query = {**parse_qs(parts.fragment), **parse_qs(parts.query)}
    if "error" in query:
        description = (query.get("error_description") or query["error"])[0]
        raise ConsentError(f"the sign-in failed: {description}")
    codes = query.get("code")
    if not codes or not codes[0]:
        raise ConsentError("that address has no code=...; paste the full address from the browser's "
                           "address bar after signing in")
    return codes[0]


def read_code_default(prompt: str) -> str:
    """No echo on a terminal (getpass); a plain line from stdin when piped (headless)."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    sys.stderr.write(prompt)
    sys.stderr.flush()
    return sys.stdin.readline()


def open_browser_default(url: str) -> bool:
    """Open a graphical browser when there is one; never a text browser that would take the terminal."""
    graphical = sys.platform in ("win32", "darwin") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if not graphical:
        return False
    try:
        return webbrowser.open(url, new=2)
    except webbrowser.Error:
        return False


@dataclass(frozen=True)
class Consenter:
    arm: ArmClient
    console: Console
    object_id: str
    tenant_id: str
    redirect_url: str
    read_code: ReadCode
    open_browser: OpenBrowser | None

    def authorize(self, target: Target) -> bool:
        link = self.consent_link(target)
        self.console.print(f"\n  Sign in to authorize {target.name} (as the account that will send the mail):")
        self.console.link(link)
        if self.open_browser is not None and self.open_browser(link):
            self.console.print("  (opened in your browser)")
        self.console.print(f"  After you sign in, the browser goes to {self.redirect_url} with a code in the address.")
        reply = self.read_code("  Paste that address (or just the code) and press Enter: ")
        for raw in re.findall(r"code=([^&#\s]+)", reply or ""):
            self.console.redactor.add(raw)  # the code as pasted (percent-encoded) is secret too
        try:
            code = parse_consent_reply(reply)
        except ConsentError as error:
            self.console.print(f"  {target.name}: not authorized: {error}")
            return False
        self.console.redactor.add(code)
        body = {"code": code, "objectId": self.object_id, "tenantId": self.tenant_id}
        self.arm.post(f"{target.resource_id}/confirmConsentCode", WEB_API_VERSION, body)
        self.console.print(f"  {target.name}: consent code confirmed")
        return True

    def consent_link(self, target: Target) -> str:
        body = {"parameters": [{
            "parameterName": "token",
            "redirectUrl": self.redirect_url,
            "objectId": self.object_id,
            "tenantId": self.tenant_id,
        }]}
        response = self.arm.post(f"{target.resource_id}/listConsentLinks", WEB_API_VERSION, body)
        links = (response.json or {}).get("value") or []
        if not links or not links[0].get("link"):
            raise ArmError(response.status, "NoConsentLink", "listConsentLinks returned no link")
        return links[0]["link"]


def identity_for_consent(claims: Mapping[str, Any], object_id: str | None, tenant_id: str | None) -> tuple[str, str]:
    """(objectId, tenantId) of the user who consents: flags first, else the token's oid/tid claims."""
    tenant = tenant_id or claims.get("tid")
    if not object_id and claims.get("idtyp") == "app":
        raise UsageError("you are signed in as an application (service principal), but a user must consent: "
                         "sign in as that user (az login, and unset AZURE_CLIENT_SECRET) or pass --object-id "
                         "with the user's object id")
    oid = object_id or claims.get("oid")
    if not oid or not tenant:
        raise UsageError("could not read your object id / tenant id from the token: pass --object-id and --tenant-id")
    return check_guid(oid, "--object-id"), check_guid(tenant, "the tenant id")


# --- main -------------------------------------------------------------------------------------


def main(
    argv: Sequence[str] | None = None,
    *,
    credential: TokenCredential | None = None,
    transport: HttpTransport | None = None,
    console: Console | None = None,
    env: Mapping[str, str] | None = None,
    read_code: ReadCode = read_code_default,
    open_browser: OpenBrowser = open_browser_default,
    limits: NetworkLimits | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    session = Session.start(args, env, console, limits)
    return session.run(lambda: _main(session, args, credential, transport, read_code, open_browser))


def _main(session: Session, args: argparse.Namespace, credential: TokenCredential | None,
          transport: HttpTransport | None, read_code: ReadCode, open_browser: OpenBrowser) -> int:
    if args.json and not args.status_only:
        raise UsageError("--json goes with --status-only (the consent flow is interactive)")
    plan = resolve_plan(args, session.env)
    if plan.nothing_to_do:
        session.console.print("[]" if args.json else plan.nothing_to_do)
        return EXIT_OK
    targets, notes = plan.targets, plan.notes
    credential = session.credential(credential)
    claims = session.sign_in(credential)
    with ArmClient(credential, transport, session.limits, session.endpoints) as arm:
        return _authorize_all(arm, session.console, args, targets, notes, claims, read_code, open_browser)


def _authorize_all(
    arm: ArmClient,
    console: Console,
    args: argparse.Namespace,
    targets: list[Target],
    notes: list[str],
    claims: Mapping[str, Any],
    read_code: ReadCode,
    open_browser: OpenBrowser,
) -> int:
    states = {t.name: read_state(arm, t) for t in targets}
    if args.json:
        console.print(json.dumps([state_document(t, states[t.name]) for t in targets], indent=2, ensure_ascii=False))
        return _result(targets, states)
    for note in notes:
        console.print(f"note: {note}")
    console.print("Connections:")
    for target in targets:
        console.print(f"  {describe(target, states[target.name])}")
    pending = [t for t in targets if states[t.name].needs_consent]
    if not pending or args.status_only:
        return _result(targets, states)
    object_id, tenant_id = identity_for_consent(claims, args.object_id, args.tenant_id)
    consenter = Consenter(arm, console, object_id, tenant_id, args.redirect_url, read_code,
                          None if args.no_browser else open_browser)
    for target in pending:
        try:
            consenter.authorize(target)
        except ArmError as error:
            console.print(f"  {target.name}: not authorized: {error}")
        states[target.name] = read_state(arm, target)
        console.print(f"  now {describe(target, states[target.name])}")
    return _result(targets, states)


def _result(targets: list[Target], states: Mapping[str, ConnectionState]) -> int:
    return EXIT_OK if all(states[t.name].usable for t in targets) else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
