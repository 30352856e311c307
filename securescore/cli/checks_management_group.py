"""`securescore check` items of management-group mode (``managementGroupId``), as the signed-in user.

After deploying (``post_deploy_checks``):
  - the policy assignment exists, assigns Microsoft's export policy, and its compliance: which
    subscriptions under the group have the export (``policyStates/latest/queryResults`` filtered on the
    assignment, Microsoft.PolicyInsights 2024-10-01, example PolicyStates_QueryManagementGroupScope.json);
  - the remediation task's state and deployments (``GET {remediation}``, 2024-10-01, example
    Remediations_GetManagementGroupScope.json; provisioningState "Evaluating, Canceled, Cancelling,
    Failed, Complete, or Succeeded", the spec's description as pulumi-azure-native 3.29.0 carries it);
  - the identities' roles at the group: the Logic App's ``subscriptionRole`` and the policy identity's
    Contributor (role assignments ``atScope() and assignedTo(...)``, Microsoft.Authorization 2022-04-01);
  - coverage now: the subscriptions under the group (Resource Graph, the query the Logic App sends)
    against the workspace's newest SecureScores row of each.
The subscriptions under the group are discovered once per run (``discovery``, securescore.cli.covered):
the Secure Score API check (first in the list, with the line saying how many were found under which
group) and the coverage check share them, and the coverage check reuses the workspace check's rows.
Before deploying (``readiness_checks``): the management group can be read, the deployer may assign
policies, roles and create remediations there (the readiness check's RBAC matching), and the
subscriptions under it, as the deployer sees them.

Every failure names its fix; "remediate again" is the Azure CLI's ``az policy remediation create``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from securescore.arm import AUTHORIZATION_API_VERSION, LOGIC_API_VERSION, ArmError, role_assignments_path, workflow_id
from securescore.cli import covered
from securescore.cli.checklist import Check, CheckContext, CheckResult
from securescore.datasources.membership import MembershipError
from securescore.settings import Settings

POLICY_ASSIGNMENT_API_VERSION = "2025-01-01"  # as pulumi-azure-native 3.29.0's PolicyAssignment
POLICY_INSIGHTS_API_VERSION = "2024-10-01"  # remediations, policy states
MANAGEMENT_GROUPS_API_VERSION = "2023-04-01"
POLICY_DEFINITION_GUID = "ffb6f416-7bd2-4488-8828-56585fef2be9"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
SUBSCRIPTION_ROLE_IDS = {"Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
                         "SecurityReader": "39bc4728-0917-49c7-9d2c-d95423bc2eb4"}
DEPLOYER_ACTIONS = {
    "Microsoft.Authorization/policyAssignments/write": "the policy assignment",
    "Microsoft.Authorization/roleAssignments/write": "role assignments for the two identities",
    "Microsoft.PolicyInsights/remediations/write": "the remediation task",
}
DONE, RUNNING = ("succeeded", "complete"), ("evaluating", "accepted", "running", "cancelling")
SHOWN = 10  # subscriptions named in one line


def remediate_command(settings: Settings, stamp: str = "<yyyymmdd>") -> str:
    scope = settings.scope
    assert scope is not None
    return (f"az policy remediation create --name securescore-remediate-{stamp} --management-group "
            f"{scope.management_group_id} --policy-assignment {scope.policy_assignment_id} "
            "--resource-discovery-mode ExistingNonCompliant")


def _listing(ids: Sequence[str]) -> str:
    more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
    return ", ".join(ids[:SHOWN]) + more


def _paged(ctx: CheckContext, method: str, path: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every record of a Policy Insights answer, following @odata.nextLink (absolute, with its query)."""
    answer = ctx.arm.call(method, path, POLICY_INSIGHTS_API_VERSION, params=params).json or {}
    records = list(answer.get("value") or [])
    for _ in range(100):
        next_link = answer.get("@odata.nextLink")
        if not next_link:
            break
        answer = ctx.arm.call(method, next_link, POLICY_INSIGHTS_API_VERSION).json or {}
        records += answer.get("value") or []
    return records


# --- after deploying ---------------------------------------------------------------------------------


def check_policy_assignment(ctx: CheckContext) -> list[CheckResult]:
    scope = ctx.settings.scope
    assert scope is not None
    name = f"Policy assignment {scope.policy_assignment_name} at management group {scope.management_group_id}"
    try:
        assignment = ctx.arm.get(scope.policy_assignment_id, POLICY_ASSIGNMENT_API_VERSION) or {}
    except ArmError as error:
        if error.status == 404:
            return [CheckResult(name, False, "not found", "run pulumi up for this stack")]
        return [CheckResult(name, False, error.short(), _read_fix(ctx))]
    definition = str((assignment.get("properties") or {}).get("policyDefinitionId") or "")
    if not definition.lower().endswith(POLICY_DEFINITION_GUID):
        return [CheckResult(name, False, f"assigns {definition or 'no definition'}, not Microsoft's export policy "
                            f"({POLICY_DEFINITION_GUID})", "run pulumi up for this stack (it sets the assignment)")]
    try:
        states = _paged(ctx, "POST", f"{scope.resource_id}/providers/Microsoft.PolicyInsights/policyStates/latest/"
                        "queryResults", {"$filter": f"policyAssignmentId eq '{scope.policy_assignment_id}'"})
    except ArmError as error:
        return [CheckResult(name, False, f"compliance: {error.short()}", _read_fix(ctx))]
    by_subscription: dict[str, str] = {}
    for state in states:
        sub = str(state.get("subscriptionId") or "").lower()
        if sub:
            by_subscription[sub] = str(state.get("complianceState") or "")
    if not by_subscription:
        return [CheckResult(name, False, "assigned, not evaluated yet (no compliance records)",
                            "Azure evaluates a new assignment by itself; check again in an hour (or trigger a scan "
                            "per subscription: az policy state trigger-scan --subscription <id>)")]
    missing = sorted(s for s, c in by_subscription.items() if c.lower() != "compliant")
    compliant = len(by_subscription) - len(missing)
    detail = f"{compliant} of {len(by_subscription)} subscriptions compliant (export deployed)"
    if missing:
        return [CheckResult(name, False, f"{detail}; non-compliant: {_listing(missing)}",
                            f"remediate them: {remediate_command(ctx.settings, ctx.now.strftime('%Y%m%d'))}")]
    return [CheckResult(name, True, detail)]


def check_remediation(ctx: CheckContext) -> list[CheckResult]:
    scope = ctx.settings.scope
    assert scope is not None
    name = f"Remediation task {scope.remediation_name}"
    again = remediate_command(ctx.settings, ctx.now.strftime("%Y%m%d"))
    try:
        body = ctx.arm.get(scope.remediation_id, POLICY_INSIGHTS_API_VERSION) or {}
    except ArmError as error:
        if error.status == 404:
            return [CheckResult(name, False, "not found (Azure deletes a remediation task 60 days after its last "
                                "change)", f"pulumi up --refresh creates it again, or remediate by hand: {again}")]
        return [CheckResult(name, False, error.short(), _read_fix(ctx))]
    properties = body.get("properties") or {}
    state = str(properties.get("provisioningState") or "unknown")
    counts = properties.get("deploymentStatus") or {}
    total, failed = int(counts.get("totalDeployments") or 0), int(counts.get("failedDeployments") or 0)
    done = int(counts.get("successfulDeployments") or 0)
    detail = f"{state}: {done} of {total} deployments succeeded" + (f", {failed} failed" if failed else "")
    if state.lower() in RUNNING:
        return [CheckResult(name, False, f"{detail} (still running)", "wait, then check again")]
    if state.lower() not in DONE or failed:
        return [CheckResult(name, False, detail,
                            "see which deployments failed: az policy remediation deployment list --name "
                            f"{scope.remediation_name} --management-group {scope.management_group_id}; a role that "
                            f"had not propagated yet is the usual cause: then {again}")]
    if total == 0:
        return [CheckResult(name, True, f"{detail} (nothing was non-compliant when it ran; the compliance line "
                            "above says whether to remediate again)")]
    return [CheckResult(name, True, detail)]


def _has_role(ctx: CheckContext, scope: str, principal_id: str, role_guid: str) -> tuple[bool, str]:
    assignments = list(ctx.arm.list(role_assignments_path(scope), AUTHORIZATION_API_VERSION, params={
        "$filter": f"atScope() and assignedTo('{principal_id}')"}))
    roles = {str((a.get("properties") or {}).get("roleDefinitionId") or "").rsplit("/", 1)[-1].lower()
             for a in assignments}
    return role_guid in roles, ", ".join(sorted(r for r in roles if r)) or "none"


def check_identity_roles(ctx: CheckContext) -> list[CheckResult]:
    settings = ctx.settings
    scope = settings.scope
    assert scope is not None
    results: list[CheckResult] = []
    role = settings.subscription_role
    wanted = [("Logic App identity", workflow_id(settings.deployment_subscription_id, settings.resource_group_name,
                                                   settings.logic_app_name), LOGIC_API_VERSION,
               SUBSCRIPTION_ROLE_IDS[role], role),
              ("Policy assignment identity", scope.policy_assignment_id, POLICY_ASSIGNMENT_API_VERSION, CONTRIBUTOR,
               "Contributor")]
    for label, resource, version, role_guid, role_name in wanted:
        name = f"{label}: {role_name} at management group {scope.management_group_id}"
        try:
            principal = str(((ctx.arm.get(resource, version) or {}).get("identity") or {}).get("principalId") or "")
            if not principal:
                results.append(CheckResult(name, False, "no system-assigned identity", "run pulumi up for this stack"))
                continue
            held, roles = _has_role(ctx, scope.resource_id, principal, role_guid)
        except ArmError as error:
            fix = "run pulumi up for this stack" if error.status == 404 else _read_fix(ctx)
            results.append(CheckResult(name, False, error.short(), fix))
            continue
        if held:
            results.append(CheckResult(name, True, f"assigned to {principal}"))
        else:
            results.append(CheckResult(name, False, f"not assigned to {principal} (role ids held: {roles})",
                                       "run pulumi up for this stack; a role can take up to 30 minutes to apply"))
    return results


def coverage(found: covered.Covered, last: Mapping[str, datetime], now: datetime,
             lookback: timedelta) -> tuple[list[tuple[str, str]], int, int]:
    """(id, why) of each subscription under the group without a score row in the lookback, the number
    that have one, and the number of rows whose id is not a GUID (ignored, as the workflow does)."""
    uncovered: list[tuple[str, str]] = []
    reporting = 0
    states = {s.id: state for s, state in found.not_enabled}
    for member in found.members:
        label, seen = found.label(member.id), last.get(member.id)
        if seen is not None and now - seen <= lookback:
            reporting += 1
        elif member.id in states:
            uncovered.append((member.id, f"{label}: {states[member.id]}, cannot report"))
        elif seen is None:
            uncovered.append((member.id, f"{label}: never reported"))
        else:
            uncovered.append((member.id, f"{label}: last row {seen:%Y-%m-%d}"))
    return uncovered, reporting, found.ignored


def discovery(ctx: CheckContext) -> tuple[covered.Covered | None, CheckResult | None]:
    """The subscriptions the helpers cover and, in management-group mode, the line saying how many
    were discovered under which group (None found: Resource Graph could not list them)."""
    scope = ctx.settings.scope
    if scope is None:
        return covered.of_stack(ctx.settings), None
    name = f"Subscriptions under management group {scope.management_group_id}"
    try:
        found = covered.for_check(ctx)
    except MembershipError as error:
        return None, CheckResult(name, False, error.detail,
                                 error.fix or "retry later; if it persists, check the Azure status page")
    if not found.subscriptions:
        return found, CheckResult(name, False, found.summary(), covered.none_found_fix(ctx.settings, ctx.principal))
    return found, CheckResult(name, True, found.summary())


def check_discovery(ctx: CheckContext) -> list[CheckResult]:
    _, line = discovery(ctx)
    return [line] if line is not None else []


def check_coverage(ctx: CheckContext) -> list[CheckResult]:
    from securescore.cli.check import FRESHNESS_QUERY, LAST_ROWS_KEY, last_rows, workspace_target  # check imports us
    from securescore.datasources import SourceError

    settings = ctx.settings
    scope = settings.scope
    assert scope is not None
    name = f"Coverage now: subscriptions under {scope.management_group_id} with a score row"
    try:
        found = covered.for_check(ctx)
    except MembershipError as error:
        return [CheckResult(name, False, f"the subscriptions under the group are unknown: {error.detail}",
                            "see the line on the subscriptions under the management group above")]
    last = ctx.options.get(LAST_ROWS_KEY)
    if last is None:  # the workspace check did not get its rows: ask once more for this line
        try:
            last = last_rows(ctx.options["logs_factory"](workspace_target(ctx)).run_query(FRESHNESS_QUERY))
        except SourceError as error:
            return [CheckResult(name, False, str(error), "see the line above for the workspace or sign-in")]
    lookback = timedelta(days=settings.report.lookback_days)
    uncovered, count, ignored = coverage(found, last, ctx.now, lookback)
    detail = f"{count} of {count + len(uncovered)} in the last {settings.report.lookback_days} days" + (
        f" ({ignored} rows without a GUID id ignored)" if ignored else "")
    if uncovered:
        return [CheckResult(name, False, f"{detail}; without: {_listing([why for _, why in uncovered])}",
                            "a subscription exports once the policy has deployed to it: check the policy and "
                            f"remediation lines above, or remediate: {remediate_command(settings)}")]
    return [CheckResult(name, True, detail)]


def post_deploy_checks(settings: Settings) -> list[Check]:
    """The mode's items after `pulumi up` ([] outside management-group mode)."""
    if settings.scope is None:
        return []
    return [
        Check("Policy assignment and compliance", check_policy_assignment),
        Check("Remediation task", check_remediation),
        Check("Identities' roles at the management group", check_identity_roles),
        Check("Coverage now", check_coverage),
    ]


# --- before deploying ----------------------------------------------------------------------------------


def check_deployer_rights_at_group(ctx: CheckContext) -> list[CheckResult]:
    from securescore.cli.readiness import RoleReader

    scope = ctx.settings.scope
    assert scope is not None
    name = f"Deployer rights at management group {scope.management_group_id} (policy assignment, roles, remediation)"
    try:
        ctx.arm.get(scope.resource_id, MANAGEMENT_GROUPS_API_VERSION)
        grants = RoleReader(ctx.arm, ctx.assignee).grants(scope.resource_id)
    except ArmError as error:
        if error.status in (403, 404):
            return [CheckResult(name, False, error.short(),
                                f"check managementGroupId (its id, not its display name), and that {ctx.principal} "
                                "can read the group (Reader or more on it)")]
        return [CheckResult(name, False, error.short(), "retry later; if it persists, check the Azure status page")]
    missing = [action for action in DEPLOYER_ACTIONS if not grants.allowing(action)]
    roles = sorted({grants.role_name(a) for a in grants.assignments})
    held = f"roles held: {', '.join(roles)}" if roles else "no role assignments at or above the group"
    if missing:
        return [CheckResult(name, False, f"not allowed: {', '.join(missing)} ({held})",
                            f"ask the owners of the management group hierarchy (usually the platform team) for Owner "
                            f"at {scope.resource_id}, or Resource Policy Contributor plus Role Based Access Control "
                            f"Administrator there, for {ctx.principal}")]
    return [CheckResult(name, True, f"allowed ({held})")]


def readiness_checks(settings: Settings) -> list[Check]:
    """The mode's readiness items ([] outside management-group mode)."""
    if settings.scope is None:
        return []
    return [Check("Deployer rights at the management group", check_deployer_rights_at_group),
            Check("Subscriptions under the management group", check_discovery)]


def _read_fix(ctx: CheckContext) -> str:
    scope = ctx.settings.scope
    where = scope.resource_id if scope else "the management group"
    return f"{ctx.principal} needs at least Reader on {where} to check it"

