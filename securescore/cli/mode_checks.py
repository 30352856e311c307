"""The checks `check` runs because of the stack's mode (securescore.cli.mode_facts says what they are):

- the Logic App identity's roles (every mode: its grants are those of ``securescore.infra.roles``);
- the mode's Azure resources (the Communication Service and its domains with ``mailTransport: acs``,
  the workspace whose customer id the query API is called with, with ``logsQuery: http``);
- with ``logsQuery: http``, the workspace queried the way the Logic App queries it: the query API's
  host, the workspace's customer id, a token for the query API's audience, as the signed-in user.

Requests and the fields read (docs/design.md, "Azure APIs the helpers call"):

- ``GET {workflow}?api-version=2019-05-01``: ``identity.principalId`` (Learn "Authenticate access and
  connections with managed identities"; spec logic 2019-05-01 Workflows_Get.json), ``properties.changedTime``;
- ``GET {scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=principalId
  eq '{id}'`` (RoleAssignments_ListForScope: the filter returns the principal's assignments at, above
  and below the scope): ``properties.{roleDefinitionId, scope, createdOn}``;
- ``GET`` each resource with its own api-version: Microsoft.Communication 2025-09-01
  (communicationServices/get.json: ``properties.{provisioningState, disableLocalAuth, linkedDomains,
  hostName}``; domains/get.json: ``properties.{provisioningState, fromSenderDomain, domainManagement,
  verificationStates.Domain.status}``), Microsoft.OperationalInsights 2023-09-01 (WorkspacesGet.json:
  ``properties.{customerId, provisioningState}``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from securescore.arm import AUTHORIZATION_API_VERSION, LOGS_ENDPOINT, ArmError, role_assignments_path, workflow_id
from securescore.cli.checklist import Check, CheckContext, CheckResult
from securescore.cli.failure_signatures import ROLE_PROPAGATION_MINUTES
from securescore.cli.mode_facts import (
    QueryApiFact,
    ResourceFact,
    RoleFact,
    identity_roles,
    query_api_check,
    resources_to_check,
)
from securescore.cli.runs import parse_time, read_workflow
from securescore.settings import Settings

IDENTITY_ROLES = "Logic App identity's roles"
MODE_RESOURCES = "Mode resources"
# Provisioning states that are still moving: Microsoft.Communication 2025-09-01 (Creating, Updating, Running,
# Moving), Microsoft.OperationalInsights workspaces (WorkspaceEntityStatus: Creating, Updating,
# ProvisioningAccount), and ARM's resource provider contract (Accepted, Provisioning).
_IN_PROGRESS = ("creating", "updating", "running", "moving", "accepted", "provisioning", "provisioningaccount")


def mode_checks(settings: Settings) -> list[Check]:
    """The identity's roles (every mode), and the mode's resources when it has any."""
    checks = [Check(IDENTITY_ROLES, check_identity_roles)]
    if resources_to_check(settings):
        checks.append(Check(MODE_RESOURCES, check_mode_resources))
    return checks


# --- the identity's roles ---------------------------------------------------------------------


def check_identity_roles(ctx: CheckContext) -> list[CheckResult]:
    settings = ctx.settings
    workflow = workflow_id(settings.deployment_subscription_id, settings.resource_group_name, settings.logic_app_name)
    name = f"Logic App identity: {settings.logic_app_name}"
    try:
        body = read_workflow(ctx.arm, workflow)
    except ArmError as error:
        fix = "deploy the stack first (pulumi up)" if error.status == 404 else \
            f"{ctx.principal} needs Reader on the Logic App's resource group"
        return [CheckResult(name, False, error.short(), fix)]
    principal = str((body.get("identity") or {}).get("principalId") or "")
    if not principal:
        return [CheckResult(name, False, "the Logic App has no system-assigned managed identity",
                            "run `pulumi up`: the stack gives the Logic App its identity")]
    return [check_role(ctx, principal, fact) for fact in identity_roles(settings)]


def check_role(ctx: CheckContext, principal: str, fact: RoleFact) -> CheckResult:
    name = f"Role {fact.role_name} at {fact.scope}"
    try:
        assignments = list(ctx.arm.list(role_assignments_path(fact.scope), AUTHORIZATION_API_VERSION,
                                        params={"$filter": f"principalId eq '{principal}'"}))
    except ArmError as error:
        if error.status == 403:
            return CheckResult(name, False, error.short(),
                               f"{ctx.principal} needs Reader (Microsoft.Authorization/roleAssignments/read) at "
                               f"{fact.scope} to see the role assignments")
        fix = "deploy the stack first (pulumi up)" if error.status == 404 else "retry later"
        return CheckResult(name, False, error.short(), fix)
    held = [a for a in assignments if _grants(a, fact)]
    if not held:
        return CheckResult(
            name, False, f"the Logic App's identity {principal} has no {fact.role_name} here (it {fact.reason})",
            f"run `pulumi up` (it assigns the role), or: az role assignment create --assignee-object-id {principal} "
            f"--assignee-principal-type ServicePrincipal --role {fact.role_definition_guid} --scope {fact.scope}")
    detail = f"held (the identity {fact.reason})"
    return CheckResult(name, True, detail + _recent(held, ctx.now))


def _grants(assignment: Mapping[str, Any], fact: RoleFact) -> bool:
    """This role, assigned at the scope or above it (a role at a parent scope is inherited)."""
    properties = assignment.get("properties") or {}
    role = str(properties.get("roleDefinitionId") or "").rstrip("/").rsplit("/", 1)[-1]
    scope = str(properties.get("scope") or "").rstrip("/").lower()
    target = fact.scope.rstrip("/").lower()
    at_or_above = scope in ("", "/") or target == scope or target.startswith(scope + "/")
    return role.lower() == fact.role_definition_guid.lower() and at_or_above


def _recent(assignments: list[Mapping[str, Any]], now: datetime) -> str:
    """A note when the newest assignment is younger than the time Azure RBAC may take to apply it."""
    created = [parse_time(str((a.get("properties") or {}).get("createdOn") or "")) for a in assignments]
    known = [c for c in created if c is not None]
    if not known or len(known) < len(assignments):
        return ""
    newest = max(known)
    window = timedelta(minutes=ROLE_PROPAGATION_MINUTES)
    if now - newest >= window:
        return ""
    return (f"; assigned {max((now - newest).total_seconds(), 0) / 60:.0f} minutes ago: it may still be propagating "
            f"(up to {ROLE_PROPAGATION_MINUTES} minutes, until {(newest + window):%H:%M} UTC)")


# --- the mode's resources --------------------------------------------------------------------------


def check_mode_resources(ctx: CheckContext) -> list[CheckResult]:
    facts = resources_to_check(ctx.settings)
    domains = [f.resource_id for f in facts if f.kind == "Email domain"]
    return [_judge(ctx, fact, domains) for fact in facts]


def read_resource(ctx: CheckContext, fact: ResourceFact) -> Mapping[str, Any]:
    """The resource's GET body, read once per check run (the workspace check reuses it)."""
    cache: dict[str, Any] = ctx.options.setdefault("resource_bodies", {})
    key = fact.resource_id.lower()
    if key not in cache:
        try:
            cache[key] = ctx.arm.get(fact.resource_id, fact.api_version) or {}
        except ArmError as error:
            cache[key] = error
    found = cache[key]
    if isinstance(found, ArmError):
        raise found
    return found


def _judge(ctx: CheckContext, fact: ResourceFact, domains: list[str]) -> CheckResult:
    name = f"{fact.kind} {fact.resource_id.rsplit('/', 1)[-1]}"
    try:
        body = read_resource(ctx, fact)
    except ArmError as error:
        if error.status == 404:
            return CheckResult(name, False, "not found", fact.fix)
        if error.status == 403:
            return CheckResult(name, False, error.short(), f"{ctx.principal} needs Reader on {fact.resource_id}")
        return CheckResult(name, False, error.short(), "retry later")
    properties = body.get("properties") or {}
    state = str(properties.get("provisioningState") or "")
    if state.lower() != "succeeded":
        waiting = state.lower() in _IN_PROGRESS
        return CheckResult(name, False, f"provisioning state {state or 'not given'}",
                           "wait a few minutes and check again" if waiting else fact.fix)
    judge: Callable[[CheckResult, Mapping[str, Any], ResourceFact, list[str]], CheckResult] = {
        "Communication Service": _communication_service,
        "Email domain": _email_domain,
        "Log Analytics workspace": _workspace,
    }.get(fact.kind, lambda ok, *_: ok)
    return judge(CheckResult(name, True, "Succeeded"), properties, fact, domains)


def _communication_service(ok: CheckResult, properties: Mapping[str, Any], fact: ResourceFact,
                           domains: list[str]) -> CheckResult:
    if properties.get("disableLocalAuth") is not True:
        return CheckResult(ok.check, False, "local (key) authentication is enabled: anyone with its key can send",
                           "run `pulumi up`: the stack sets disableLocalAuth, so only Entra ID tokens can send")
    linked = {str(d).lower() for d in properties.get("linkedDomains") or []}
    ours = [d for d in domains if d.lower() in linked]
    if not ours:
        return CheckResult(ok.check, False, f"no sending domain of the stack is linked ({len(linked)} linked)",
                           fact.fix)
    host = properties.get("hostName")
    return CheckResult(ok.check, True, f"Succeeded, Entra ID only, {host or 'no host name'}, linked: "
                       + ", ".join(d.rsplit("/", 1)[-1] for d in ours))


def _email_domain(ok: CheckResult, properties: Mapping[str, Any], fact: ResourceFact,
                  domains: list[str]) -> CheckResult:
    sender = str(properties.get("fromSenderDomain") or "")
    if str(properties.get("domainManagement") or "").lower() == "customermanaged":
        states = properties.get("verificationStates") or {}
        domain = str((states.get("Domain") or {}).get("status") or "NotStarted")
        if domain != "Verified":
            return CheckResult(ok.check, False, f"domain verification: {domain}; until it is Verified the report "
                               "is sent from the Azure-managed domain", fact.fix)
        others = {key: (value or {}).get("status") for key, value in states.items() if key != "Domain"}
        pending = sorted(key for key, status in others.items() if status != "Verified")
        note = f"; not Verified yet: {', '.join(pending)} (delivery may suffer)" if pending else ""
        return CheckResult(ok.check, True, f"Verified, sends as DoNotReply@{sender}{note}")
    if not sender:
        return CheckResult(ok.check, False, "no fromSenderDomain yet", fact.fix)
    return CheckResult(ok.check, True, f"Succeeded, sends as DoNotReply@{sender}")


def _workspace(ok: CheckResult, properties: Mapping[str, Any], fact: ResourceFact, domains: list[str]) -> CheckResult:
    customer = properties.get("customerId")
    if not customer:
        return CheckResult(ok.check, False, "the workspace has no customerId", fact.fix)
    return CheckResult(ok.check, True, f"Succeeded, workspace id {customer} (the query API is called with it)")


# --- the query API, as the Logic App calls it ----------------------------------------------------------


def query_api_target(ctx: CheckContext) -> tuple[QueryApiFact, str] | tuple[None, str]:
    """With logsQuery http: the fact and the workspace's customer id (from --workspace-id or ARM);
    (None, why) when it cannot be had. (None, "") in the connector mode."""
    fact = query_api_check(ctx.settings)
    if fact is None:
        return None, ""
    if ctx.options.get("workspace_id"):
        return fact, str(ctx.options["workspace_id"])
    workspace = next(f for f in resources_to_check(ctx.settings) if f.kind == "Log Analytics workspace")
    try:
        body = read_resource(ctx, workspace)
    except ArmError as error:
        return None, f"could not read the workspace's customer id ({error.short()})"
    customer = str((body.get("properties") or {}).get("customerId") or "")
    return (fact, customer) if customer else (None, "the workspace has no customerId")


def query_api_host(fact: QueryApiFact, logs_endpoint: str) -> str:
    """Where to send the query: the Logic App's host (``fact.endpoint`` without ``/v1/workspaces``),
    unless the helpers were pointed at another endpoint (SECURESCORE_LOGS_ENDPOINT: another cloud)."""
    if logs_endpoint.rstrip("/") != LOGS_ENDPOINT:
        return logs_endpoint.rstrip("/")
    return fact.endpoint.removesuffix("/workspaces").removesuffix("/v1")
