"""Management-group mode's checks, each state and each right on its own: ARM faked at the transport with
bodies after the REST specs (tests/fakes/resourcegraph.py; tests/test_mgmt_checks.py's context)."""

from __future__ import annotations

import pytest

from securescore.arm import role_assignments_path
from securescore.cli import checks_management_group
from securescore.cli.checklist import CheckResult
from tests.fakes.resourcegraph import policy_state, remediation
from tests.fakes.resources import BUILT_IN_ROLES, OWNER, USER_ACCESS_ADMINISTRATOR
from tests.fakes.transport import Canned
from tests.test_mgmt_checks import (
    ASSIGNMENT,
    GROUP,
    REMEDIATION,
    SCOPE,
    STATES,
    assignment_body,
    context,
    role_assignment,
)

# The remediation's provisioningState: "Evaluating, Canceled, Cancelling, Failed, Complete, or Succeeded"
# (PolicyInsights 2024-10-01, Remediations_GetManagementGroupScope.json; docs/design.md), and ARM's
# non-terminal states of an asynchronous operation, Accepted and Running (ARM resource provider contract,
# "Asynchronous operations").
STILL_RUNNING = ["Evaluating", "Cancelling", "Accepted", "Running", "cancelling"]


@pytest.mark.parametrize("state", STILL_RUNNING)
def test_a_remediation_still_going_says_wait(state: str) -> None:
    [result] = checks_management_group.check_remediation(context({
        ("GET", REMEDIATION): Canned(200, remediation(REMEDIATION, ASSIGNMENT, state, 3, 1))}))
    assert not result.ok and result.detail == f"{state}: 1 of 3 deployments succeeded (still running)"
    assert result.fix == "wait, then check again"


@pytest.mark.parametrize("state", ["Canceled", "Failed"])
def test_a_remediation_that_ended_short_says_which_deployments_to_read(state: str) -> None:
    [result] = checks_management_group.check_remediation(context({
        ("GET", REMEDIATION): Canned(200, remediation(REMEDIATION, ASSIGNMENT, state, 3, 1))}))
    assert not result.ok and "still running" not in result.detail
    assert result.fix.startswith("see which deployments failed: az policy remediation deployment list")


@pytest.mark.parametrize("state", ["Succeeded", "Complete", "succeeded"])
def test_a_remediation_done_is_ok(state: str) -> None:
    [result] = checks_management_group.check_remediation(context({
        ("GET", REMEDIATION): Canned(200, remediation(REMEDIATION, ASSIGNMENT, state, 2, 2))}))
    assert result.ok and result.detail == f"{state}: 2 of 2 deployments succeeded"


def definition(role: str) -> Canned:
    """GetRoleDefinitionById.json's shape, with the built-in role's permissions (Learn, "Azure built-in roles")."""
    name, actions, not_actions = BUILT_IN_ROLES[role]
    return Canned(200, {"id": f"/providers/Microsoft.Authorization/roleDefinitions/{role}",
                        "properties": {"roleName": name, "permissions": [
                            {"actions": actions, "notActions": not_actions}]}})


def rights(*roles: str) -> CheckResult:
    routes = {("GET", GROUP): Canned(200, {"id": GROUP, "name": SCOPE.management_group_id}),
              ("GET", role_assignments_path(GROUP)): Canned(200, {"value": [role_assignment(r) for r in roles]})}
    for role in roles:
        routes[("GET", f"/providers/Microsoft.Authorization/roleDefinitions/{role}")] = definition(role)
    [result] = checks_management_group.check_deployer_rights_at_group(context(routes))
    return result


def test_the_deployer_needs_the_right_to_start_the_remediation_too() -> None:
    """User Access Administrator (Microsoft.Authorization/*) may assign the policy and the roles, but not
    create the remediation task (Microsoft.PolicyInsights/remediations/write)."""
    result = rights(USER_ACCESS_ADMINISTRATOR)
    assert not result.ok
    assert result.detail == ("not allowed: Microsoft.PolicyInsights/remediations/write "
                             "(roles held: User Access Administrator)")
    assert rights(OWNER).ok


@pytest.mark.parametrize(("count", "more"), [(10, ""), (11, " and 1 more")])
def test_a_line_names_ten_non_compliant_subscriptions_and_counts_the_rest(count: int, more: str) -> None:
    # check's own limit: ten GUIDs keep the line readable in a terminal.
    subs = [f"{n:08x}-0000-4000-8000-000000000000" for n in range(1, count + 1)]
    [result] = checks_management_group.check_policy_assignment(context({
        ("GET", ASSIGNMENT): Canned(200, assignment_body()),
        ("POST", STATES): Canned(200, {"value": [policy_state(s, ASSIGNMENT, "NonCompliant") for s in subs]})}))
    assert result.detail == (f"0 of {count} subscriptions compliant (export deployed); non-compliant: "
                             + ", ".join(subs[:10]) + more)
