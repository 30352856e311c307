"""The readiness check (``check --before-deploy``): as the signed-in deployer, can the stack be deployed?

One line per check, each with a fix:
  - the resource groups the stack creates do not exist yet (it creates them, and deletes them on
    ``pulumi destroy``): ``HEAD /subscriptions/{sub}/resourcegroups/{name}`` (Microsoft.Resources
    2021-04-01 ResourceGroups_CheckExistence: 204 exists, 404 not);
  - the resource providers the stack's resources need are registered in each subscription:
    ``GET /subscriptions/{sub}/providers/{namespace}`` (Providers_Get, ``registrationState``;
    example GetProvider.json);
  - the deployer may create what the stack creates in each subscription, and role assignments at
    every scope the stack assigns a role: the deployer's role assignments at or above the scope
    (``GET {scope}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope() and
    assignedTo('{objectId}')``, 2022-04-01 RoleAssignments_ListForScope; assignedTo includes group
    memberships, Microsoft Learn "List Azure role assignments using the REST API", and is what
    ``az role assignment list --include-groups --scope`` sends) and their role definitions
    (RoleDefinitions_GetById), actions matched with Azure RBAC's wildcard rules. The Permissions API
    (Microsoft.Authorization/permissions) would say the same, but only for resource groups and
    resources, and the groups do not exist yet. Deny assignments and role assignment conditions are
    not evaluated (a condition is named in the line);
  - an existing workspace is reachable: ``GET {workspaceResourceId}`` (Microsoft.OperationalInsights
    2022-10-01 Workspaces_Get).

Per mode: API connections (Microsoft.Web) only for the connections the workflow uses (none in
zero-touch mode); with ``mailTransport: acs`` the Communication Services resources (Microsoft.Communication:
``CommunicationServices/Write``, ``EmailServices/write``, ``EmailServices/Domains/write``, Learn "Azure
permissions", Microsoft.Communication) and the right to assign the sender role on a Communication
Service that does not exist yet, asked at its subscription. In management-group mode the stack creates
nothing per subscription (the policy's identity deploys the exports), and the rights at the group (the
policy assignment, the role assignments there, the remediation) and the subscriptions under it are the
mode's own items (``checks_management_group.readiness_checks``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from securescore.arm import (
    AUTHORIZATION_API_VERSION,
    RESOURCES_API_VERSION,
    WORKSPACE_API_VERSION,
    ArmClient,
    ArmError,
    provider_path,
    resource_group_id,
    role_assignments_path,
)
from securescore.cli import checks_management_group
from securescore.cli.checklist import Check, CheckContext, CheckResult
from securescore.cli.mode_facts import at_management_group
from securescore.logicapp.connections import used_apis
from securescore.settings import Settings

READINESS_SIGN_IN = "Deployer sign-in"
ROLE_ASSIGNMENTS_WRITE = "Microsoft.Authorization/roleAssignments/write"
RESOURCE_GROUPS_WRITE = "Microsoft.Resources/subscriptions/resourceGroups/write"
# What mailTransport acs creates (Learn, "Azure permissions", Microsoft.Communication; spelled as listed there).
ACS_WRITE_ACTIONS = ("Microsoft.Communication/CommunicationServices/Write",
                     "Microsoft.Communication/EmailServices/write",
                     "Microsoft.Communication/EmailServices/Domains/write")
# Resource providers registered in every subscription (Microsoft Learn, "Azure resource providers and
# types": "registered by default"): never checked.
ALWAYS_REGISTERED = frozenset({"Microsoft.Resources", "Microsoft.Authorization"})


# --- what the stack creates -----------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedGroup:
    subscription_id: str
    name: str
    keys: tuple[str, ...]  # the config keys that name it


def stack_resource_groups(settings: Settings) -> list[CreatedGroup]:
    """Every resource group the stack creates (as securescore.infra.stack does), once per Azure group
    (same subscription, same name compared case-insensitively)."""
    wanted: list[tuple[str, str, str]] = [
        (settings.deployment_subscription_id, settings.resource_group_name, "resourceGroupName")]
    ws = settings.workspace
    if not ws.existing:
        wanted.append((ws.subscription_id, ws.resource_group_name, "workspaceResourceGroupName"))
    wanted += [(sub, settings.export.resource_group_name, "exportResourceGroupName")
               for sub in settings.subscription_ids]
    groups: dict[tuple[str, str], CreatedGroup] = {}
    for sub, name, key in wanted:
        id_ = (sub.lower(), name.lower())
        known = groups.get(id_)
        if known is None:
            groups[id_] = CreatedGroup(sub, name, (key,))
        elif key not in known.keys:
            groups[id_] = CreatedGroup(known.subscription_id, known.name, (*known.keys, key))
    return list(groups.values())


@dataclass
class SubscriptionNeeds:
    """What the deployer needs in one subscription: providers registered, actions allowed."""

    subscription_id: str
    providers: list[str] = field(default_factory=list)
    actions: dict[str, str] = field(default_factory=dict)  # action -> what it creates, in words

    def add(self, provider: str, action: str, what: str) -> None:
        if provider not in self.providers and provider not in ALWAYS_REGISTERED:
            self.providers.append(provider)
        self.actions.setdefault(action, what)


def subscription_needs(settings: Settings) -> list[SubscriptionNeeds]:
    """Per subscription, from the resources securescore.infra creates there (the operation names are
    those of Microsoft Learn, "Azure resource provider operations")."""
    needs: dict[str, SubscriptionNeeds] = {}

    def need(sub: str) -> SubscriptionNeeds:
        return needs.setdefault(sub, SubscriptionNeeds(sub))

    for group in stack_resource_groups(settings):
        need(group.subscription_id).add("Microsoft.Resources", RESOURCE_GROUPS_WRITE, "resource groups")
    deploy = need(settings.deployment_subscription_id)
    if used_apis(settings):  # zero-touch mode creates no API connection
        deploy.add("Microsoft.Web", "Microsoft.Web/connections/write", "API connections")
    deploy.add("Microsoft.Logic", "Microsoft.Logic/workflows/write", "the Logic App")
    if settings.modes.mail_acs:
        for action in ACS_WRITE_ACTIONS:
            deploy.add("Microsoft.Communication", action, "Communication Services Email")
    ws = settings.workspace
    if not ws.existing:
        need(ws.subscription_id).add("Microsoft.OperationalInsights",
                                     "Microsoft.OperationalInsights/workspaces/write", "the workspace")
        need(ws.subscription_id).add("Microsoft.OperationsManagement", "Microsoft.OperationsManagement/solutions/write",
                                     "the SecurityCenterFree solution")
    for sub in settings.subscription_ids:
        need(sub).add("Microsoft.Security", "Microsoft.Security/automations/write", "continuous export")
    return list(needs.values())


def role_scopes(settings: Settings) -> list[str]:
    """Where the stack assigns roles to the Logic App's identity: securescore.infra.roles.grants, the
    one definition of them."""
    from securescore.infra.roles import grants

    return list(dict.fromkeys(grant.scope for grant in grants(settings)))


def _subscription_of(scope: str) -> str:
    return scope.split("/")[2]


def created_scopes(settings: Settings) -> set[str]:
    """Role scopes the stack creates itself (lower case): they do not exist before `pulumi up`, so the
    right to assign a role there is asked where it will be inherited from (the subscription)."""
    created = set() if settings.workspace.existing else {settings.workspace.resource_id.lower()}
    acs = settings.modes.acs
    if acs is not None:
        created.add(acs.resource_id(settings.deployment_subscription_id, settings.resource_group_name).lower())
    return created


def rights_to_check(settings: Settings) -> dict[str, tuple[list[str], list[str]]]:
    """Scope -> (actions the deployer needs there, in words). Resources are created in the
    subscription (their groups do not exist yet); role assignments at each scope of
    ``role_scopes``, or at its subscription when the stack creates that scope (a created workspace, the
    Communication Service)."""
    rights: dict[str, tuple[list[str], list[str]]] = {}

    def add(scope: str, action: str, what: str) -> None:
        actions, words = rights.setdefault(scope, ([], []))
        if action not in actions:
            actions.append(action)
        if what not in words:
            words.append(what)

    for needs in subscription_needs(settings):
        for action, what in needs.actions.items():
            add(f"/subscriptions/{needs.subscription_id}", action, what)
    created = created_scopes(settings)
    for scope in role_scopes(settings):
        if at_management_group(scope):  # asked with the policy's rights by checks_management_group
            continue
        exists_now = scope.lower() not in created
        add(scope if exists_now else f"/subscriptions/{_subscription_of(scope)}", ROLE_ASSIGNMENTS_WRITE,
            "role assignments")
    return rights


# --- Azure RBAC, as far as the readiness check needs it ----------------------------------------------


def _pattern(action: str) -> re.Pattern[str]:
    """Azure RBAC action strings: case-insensitive, ``*`` matches any characters (also "/")."""
    return re.compile(".*".join(re.escape(part) for part in action.split("*")), re.IGNORECASE)


def permission_allows(permission: Mapping[str, Any], action: str) -> bool:
    """One ``permissions`` entry of a role definition: an action matches and no notAction does
    (notActions subtract from the actions of the same entry)."""
    if not any(_pattern(str(a)).fullmatch(action) for a in permission.get("actions") or []):
        return False
    return not any(_pattern(str(a)).fullmatch(action) for a in permission.get("notActions") or [])


@dataclass
class Grants:
    """The deployer's role assignments at or above one scope, with their role definitions."""

    scope: str
    assignments: list[dict[str, Any]]
    definitions: dict[str, dict[str, Any]]  # lower-case role definition id -> definition

    def allowing(self, action: str) -> list[dict[str, Any]]:
        found = []
        for assignment in self.assignments:
            definition = self.definitions.get(_role_id(assignment).lower()) or {}
            permissions = (definition.get("properties") or {}).get("permissions") or []
            if any(permission_allows(p, action) for p in permissions):
                found.append(assignment)
        return found

    def role_name(self, assignment: Mapping[str, Any]) -> str:
        definition = self.definitions.get(_role_id(assignment).lower()) or {}
        return str((definition.get("properties") or {}).get("roleName") or _role_id(assignment).rsplit("/", 1)[-1])


def _role_id(assignment: Mapping[str, Any]) -> str:
    return str((assignment.get("properties") or {}).get("roleDefinitionId") or "")


class RoleReader:
    """Reads assignments per scope and each role definition once."""

    def __init__(self, arm: ArmClient, object_id: str) -> None:
        self.arm, self.object_id = arm, object_id
        self.definitions: dict[str, dict[str, Any]] = {}

    def grants(self, scope: str) -> Grants:
        assignments = list(self.arm.list(role_assignments_path(scope), AUTHORIZATION_API_VERSION, params={
            "$filter": f"atScope() and assignedTo('{self.object_id}')"}))
        for assignment in assignments:
            role_id = _role_id(assignment)
            if role_id and role_id.lower() not in self.definitions:
                self.definitions[role_id.lower()] = self.arm.get(role_id, AUTHORIZATION_API_VERSION) or {}
        return Grants(scope, assignments, self.definitions)


# --- the checks -------------------------------------------------------------------------------------


def check_resource_groups(ctx: CheckContext) -> list[CheckResult]:
    results = []
    for group in stack_resource_groups(ctx.settings):
        name = f"Resource group {group.name} in {group.subscription_id} ({', '.join(group.keys)})"
        path = resource_group_id(group.subscription_id, group.name)
        try:
            exists = ctx.arm.exists(path, RESOURCES_API_VERSION)
        except ArmError as error:
            results.append(CheckResult(name, False, error.short(), _read_fix(error, group.subscription_id, ctx)))
            continue
        if exists:
            results.append(CheckResult(
                name, False, "already exists: the stack creates this group and deletes it (with everything in it) "
                "on pulumi destroy",
                f"choose a name that is not in use for {' / '.join(group.keys)}; if an earlier `pulumi up` of this "
                "stack created it, this is expected (use `check` without --before-deploy)"))
        else:
            results.append(CheckResult(name, True, "does not exist yet; the stack creates it"))
    return results


def check_providers(ctx: CheckContext) -> list[CheckResult]:
    results = []
    for needs in subscription_needs(ctx.settings):
        for namespace in needs.providers:
            name = f"Resource provider {namespace} in {needs.subscription_id}"
            try:
                body = ctx.arm.get(provider_path(needs.subscription_id, namespace), RESOURCES_API_VERSION) or {}
            except ArmError as error:
                results.append(CheckResult(name, False, error.short(), _read_fix(error, needs.subscription_id, ctx)))
                continue
            state = str(body.get("registrationState") or "Unknown")
            register = f"az provider register --namespace {namespace} --subscription {needs.subscription_id}"
            if state.lower() == "registered":
                results.append(CheckResult(name, True, "Registered"))
            elif state.lower() == "registering":
                results.append(CheckResult(name, False, "Registering (not finished yet)",
                                           f"wait a few minutes and check again (or: {register} --wait)"))
            else:
                results.append(CheckResult(name, False, state, f"register it: {register}"))
    return results


def check_deployer_rights(ctx: CheckContext) -> list[CheckResult]:
    reader = RoleReader(ctx.arm, ctx.assignee)
    return [_rights_result(ctx, reader, scope, actions, ", ".join(words))
            for scope, (actions, words) in rights_to_check(ctx.settings).items()]


def _rights_result(ctx: CheckContext, reader: RoleReader, scope: str, actions: list[str], what: str) -> CheckResult:
    name = f"Deployer rights at {scope} ({what})"
    try:
        grants = reader.grants(scope)
    except ArmError as error:
        return CheckResult(name, False, error.short(), _read_fix(error, _subscription_of(scope), ctx))
    missing = [a for a in actions if not grants.allowing(a)]
    conditions = sorted({grants.role_name(a) for action in actions for a in grants.allowing(action)
                         if (a.get("properties") or {}).get("condition")})
    roles = sorted({grants.role_name(a) for a in grants.assignments})
    held = f"roles held: {', '.join(roles)}" if roles else "no role assignments at or above this scope"
    if missing:
        return CheckResult(name, False, f"not allowed: {', '.join(missing)} ({held})",
                           f"ask for Owner, or Contributor plus Role Based Access Control Administrator, at {scope} "
                           f"for {ctx.principal}")
    note = f"; with a condition (not evaluated here): {', '.join(conditions)}" if conditions else ""
    return CheckResult(name, True, f"allowed ({held}){note}")


def check_existing_workspace(ctx: CheckContext) -> list[CheckResult]:
    ws = ctx.settings.workspace
    if not ws.existing:
        return []
    name = f"Workspace {ws.name} (workspaceResourceId)"
    try:
        body = ctx.arm.get(ws.resource_id, WORKSPACE_API_VERSION) or {}
    except ArmError as error:
        if error.status == 404:
            return [CheckResult(name, False, error.short(), "no such workspace: fix workspaceResourceId (copy it from "
                                "the workspace's Properties, or az monitor log-analytics workspace show --query id)")]
        return [CheckResult(name, False, error.short(), _read_fix(error, ws.subscription_id, ctx))]
    properties = body.get("properties") or {}
    state = str(properties.get("provisioningState") or "")
    if state and state.lower() != "succeeded":
        return [CheckResult(name, False, f"provisioning state {state}", "wait until the workspace is ready")]
    if str(properties.get("publicNetworkAccessForQuery") or "Enabled").lower() == "disabled":
        return [CheckResult(name, False, "queries over the public network are disabled "
                            f"(publicNetworkAccessForQuery: Disabled); {_who_queries(ctx.settings)} queries the public "
                            "endpoint",
                            "enable public network access for queries on the workspace (Network isolation), or "
                            "use a workspace that allows it")]
    customer = properties.get("customerId")
    where = body.get("location")
    return [CheckResult(name, True, f"reachable (workspace id {customer or '?'}, {where or 'location ?'})")]


def _who_queries(settings: Settings) -> str:
    return "the Logic App's query API call (logsQuery: http)" if settings.modes.logs_http else \
        "the Logic App's Azure Monitor Logs connector"


def _read_fix(error: ArmError, subscription_id: str, ctx: CheckContext) -> str:
    text = f"{error.code} {error.message}".lower()
    if error.status == 403:
        return f"{ctx.principal} needs at least Reader on /subscriptions/{subscription_id} to deploy there"
    if "subscriptionnotfound" in text or (error.status == 404 and "subscription" in text):
        return ("no such subscription in the tenant you signed in to: check the id in the stack and the tenant "
                "(AZURE_TENANT_ID, az login --tenant)")
    return "retry later; if it persists, check the Azure status page"


def readiness_checks(settings: Settings) -> list[Check]:
    """Before the first `pulumi up`. A mode that deploys more appends its own Check here."""
    return [
        Check("Resource groups the stack creates", check_resource_groups),
        Check("Resource providers", check_providers),
        Check("Deployer rights", check_deployer_rights),
        Check("Existing workspace", check_existing_workspace),
        *checks_management_group.readiness_checks(settings),
    ]
