"""Known failure signatures of a report run, and their fixes (pure: what `check` and `run_now` print).

Input: one failed action as the Logic Apps run history gives it: the action's name, the HTTP status of
its outputs (``outputs.statusCode``; None when there is none) and its error body (``outputs.body``,
or the action's ``error`` object; a dict, a JSON text or plain text). Output: a `Diagnosis` naming
the problem and the fix, or None for a failure we do not recognise.

Each signature is matched on what Azure is documented or reported to answer, never on our own
messages; the evidence is in `Signature.evidence` and in docs/design.md ("Zero-touch mode").
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from securescore.config.modes import Modes

# Role assignment changes can take up to 30 minutes to take effect (Azure Resource Manager caches them).
ROLE_PROPAGATION_MINUTES = 30


@dataclass(frozen=True)
class Diagnosis:
    key: str  # the signature's key, e.g. "connector-managed-identity-token"
    problem: str
    fix: str
    evidence: str


MAIL_ACTIONS = ("Send_report", "Send_failure_notice", "Get_send_status", "Follow_send", "Check_delivery",
                "Delivery_failed")


@dataclass(frozen=True)
class Failure:
    action: str
    status: int | None
    code: str  # the error code found in the body ("" when none)
    text: str  # the whole body as text, for message matching
    modes: Modes | None  # the stack's transports, when known: the same action names serve both modes

    def says(self, *phrases: str) -> bool:
        low = self.text.lower()
        return any(p.lower() in low for p in phrases)

    @property
    def is_query(self) -> bool:
        return self.action.startswith(("Query_", "Rows_"))

    @property
    def is_mail(self) -> bool:
        return self.action in MAIL_ACTIONS

    @property
    def query_api(self) -> bool:
        """A query action that calls the Log Analytics query API (logsQuery http, or unknown mode)."""
        return self.is_query and (self.modes is None or self.modes.logs_http)

    @property
    def acs(self) -> bool:
        """A mail action that calls Communication Services (mailTransport acs, or unknown mode)."""
        return self.is_mail and (self.modes is None or self.modes.mail_acs)

    @property
    def through_connection(self) -> bool:
        """An action that goes through an API connection (known only when the mode is known)."""
        if self.modes is None:
            return False
        return (self.is_query and not self.modes.logs_http) or (
            self.action in MAIL_ACTIONS[:2] and not self.modes.mail_acs)


@dataclass(frozen=True)
class Signature:
    key: str
    matches: Callable[[Failure], bool]
    problem: str
    fix: str  # may use {stack}
    evidence: str


def _error_code(body: Any) -> str:
    """The innermost-but-one useful code: error.code, else the body's code."""
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict) and inner.get("code"):
            return str(inner["code"])
        if body.get("code"):
            return str(body["code"])
    return ""


def _as_failure(action: str, status: int | None, body: Any, modes: Modes | None) -> Failure:
    if isinstance(body, str):
        with contextlib.suppress(ValueError):
            body = json.loads(body)
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    return Failure(action, status, _error_code(body), text or "", modes)


SWITCH_MODE = (
    "switch the logs connection off this path: set `logsQuery: http` (recommended: no connection, the "
    "query API with the Logic App's identity) or `logsConnectionAuth: oauth` (then authorize it: "
    "securescore authorize --stack {stack}) in stacks/Pulumi.{stack}.yaml, and run `pulumi up` again"
)

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "connector-managed-identity-token",
        lambda f: f.says("Failed to retrieve token for resource=https://api.loganalytics.io")
        or (f.says("ResourceTokenExchanger") and f.says("Token not found")),
        "the azuremonitorlogs connection could not get a token for the Logic App's managed identity "
        "(a known failure of managed-identity sign-in on this connector)",
        SWITCH_MODE,
        "Azure/logicapps#853, Azure/LogicAppsUX#3134: 400 from .../api/tokens/exchange, \"Failed to retrieve "
        "token for resource=https://api.loganalytics.io. Message=Parameter=Token not found.\"",
    ),
    Signature(
        "connection-not-authorized",
        lambda f: f.says("does not contain an access token", "Please edit the connection and login")
        or (f.status == 401 and f.through_connection),
        "an API connection is not authorized (nobody has signed in to it, or its consent was revoked)",
        "authorize it: securescore authorize --stack {stack} (as the mailbox that sends the report); or use "
        "the zero-touch mode (logsQuery: http, mailTransport: acs), which needs no connection",
        "401 \"The connection does not contain an access token. Please edit the connection and login.\" "
        "(PeterKlapwijk/Microsoft-Logic-Apps#3)",
    ),
    Signature(
        "query-api-wrong-audience",
        lambda f: f.query_api and f.status == 403 and f.code == "InvalidAuthenticationTokenAudience",
        "the query API refused the token's audience",
        "the Http query actions must use audience https://api.loganalytics.io; redeploy with `pulumi up` "
        "(a hand-edited definition may have changed it)",
        "Learn, \"Azure Monitor Log Analytics API errors\": 403 InvalidAuthenticationTokenAudience",
    ),
    Signature(
        "query-api-access-propagating",
        lambda f: f.query_api and f.status == 403,
        "the Logic App's identity may not read the workspace yet",
        "a new role assignment can take up to {minutes} minutes to take effect: wait, then run again "
        "(securescore run-now --stack {stack}); if it persists, check that the identity has Log Analytics "
        "Reader on the workspace (securescore check --stack {stack}, or `pulumi up` to restore it)",
        "Learn, \"Azure Monitor Log Analytics API errors\": 403 InsufficientAccessError; \"Troubleshoot Azure "
        "RBAC\": role assignment changes can take up to 30 minutes",
    ),
    Signature(
        "query-api-partial-result",
        lambda f: f.query_api and f.code == "PartialError",
        "Log Analytics answered the query with part of the result only (a PartialError)",
        "run again later (securescore run-now --stack {stack}); if it repeats, the query hits a Log Analytics "
        "limit: see the error's details in the run history",
        "Learn, \"Azure Monitor Log Analytics API response format\": 200 with an error whose code is PartialError",
    ),
    Signature(
        "query-api-throttled-or-timeout",
        lambda f: f.query_api and f.status in (429, 504),
        "Log Analytics throttled the queries (429) or a query ran out of time (504), after every retry",
        "run again later (securescore run-now --stack {stack}); a query timing out every week needs a "
        "smaller lookbackDays or trendWeeks",
        "Learn, \"Azure Monitor Log Analytics API: timeouts\" (504 Gateway Timeout past Prefer: wait)",
    ),
    Signature(
        "acs-domain-not-linked",
        lambda f: f.acs and (f.code == "DomainNotLinked" or f.says("sender domain has not been linked")),
        "the sender's domain is not linked to the Communication Service",
        "run `pulumi up --refresh`: the stack links the Azure-managed domain, and a custom domain once it is "
        "verified (add the DNS records in the stack output customDomainDnsRecords and verify it first)",
        "MicrosoftDocs/azure-docs#123379: \"The specified sender domain has not been linked.\"",
    ),
    Signature(
        "acs-sender-not-allowed",
        lambda f: f.acs and f.status == 400 and f.says("senderAddress"),
        "Communication Services did not accept the sender address",
        "the sender must be DoNotReply@<linked domain> (stack output senderAddress): run `pulumi up --refresh` "
        "so the workflow gets the current sender",
        "Azure/azure-sdk-for-java#39910: 400 BadRequest \"Request body validation error. See property "
        "'senderAddress'\"",
    ),
    Signature(
        "acs-throttled",
        lambda f: f.acs and (f.status == 429 or f.code == "TooManyRequests"),
        "Communication Services throttled the send (an Azure-managed domain sends 5 emails a minute and 10 an "
        "hour per subscription)",
        "wait an hour and run again; other senders in the subscription count too. For more, use a custom "
        "domain (acsCustomDomain) or ask Azure support to raise the limit",
        "Learn, \"Service limits for Azure Communication Services\", Email rate limits (429 with Retry-After)",
    ),
    Signature(
        "acs-access-propagating",
        lambda f: f.acs and f.status in (401, 403),
        "Communication Services refused the Logic App's identity",
        "a new role assignment can take up to {minutes} minutes to take effect: wait, then run again "
        "(securescore run-now --stack {stack}); if it persists, check the identity's role on the "
        "Communication Service (securescore check --stack {stack}, or `pulumi up` to restore it)",
        "Learn, \"Troubleshoot Azure RBAC\"; Azure-Samples/communication-services-dotnet-quickstarts "
        "SendEmailWithManagedIdentity (the identity needs a role on the resource)",
    ),
    Signature(
        "acs-not-delivered",
        # Delivery_failed's run error always says "did not deliver" (logicapp/mail_acs.py), whatever its code
        # (the operation's error code, else its Failed or Canceled status); EmailDropped is the spec's own code.
        lambda f: f.acs and (f.code == "EmailDropped" or f.says("did not deliver")),
        "Communication Services accepted the email but did not deliver it",
        "check the recipients' addresses and their mail servers; Communication Services' Email logs "
        "(Azure Monitor) give the reason per recipient",
        "REST spec Email 2025-09-01, GetOperationStatusReturnsFailedTerminalStatus: status Failed, "
        "error EmailDropped \"Email was dropped after several attempts to deliver.\"",
    ),
)


def diagnose(
    action: str, status: int | None, body: Any, *, stack: str = "<stack>", modes: Modes | None = None
) -> Diagnosis | None:
    """The first known signature the failed action matches, with its fix; None when none matches.

    `modes` (``settings.modes``) tells which transport an action used: Query_<name> and Send_report
    exist in both modes. Without it, the transport-specific signatures are matched by their messages."""
    failure = _as_failure(action, status, body, modes)
    for signature in SIGNATURES:
        if signature.matches(failure):
            fix = signature.fix.format(stack=_safe(stack), minutes=ROLE_PROPAGATION_MINUTES)
            return Diagnosis(signature.key, signature.problem, fix, signature.evidence)
    return None


def _safe(stack: str) -> str:
    return stack if re.fullmatch(r"[\w./-]{1,100}", stack) else "<stack>"
