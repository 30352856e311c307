"""`securescore check` items of management-group mode, against ARM faked at the HTTP transport with
bodies after the REST specs' examples (tests/fakes/resourcegraph.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.arm import ArmClient, role_assignments_path, workflow_id
from securescore.cli import check, checks_management_group, readiness
from securescore.cli.checklist import CheckContext
from securescore.settings import settings_from_stack
from tests.fakes.resourcegraph import RESOURCE_GRAPH_PATH, graph_pages, policy_state, remediation, subscription
from tests.fakes.resources import BUILT_IN_ROLES, CONTRIBUTOR, OWNER, READER
from tests.fakes.transport import USER_OID, Canned, FakeArmTransport, FakeCredential, arm_error

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SETTINGS = settings_from_stack("mgmt")
SCOPE = SETTINGS.scope
assert SCOPE is not None
GROUP = SCOPE.resource_id
ASSIGNMENT, REMEDIATION = SCOPE.policy_assignment_id, SCOPE.remediation_id
STATES = f"{GROUP}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults"
WORKFLOW = workflow_id(SETTINGS.deployment_subscription_id, SETTINGS.resource_group_name, SETTINGS.logic_app_name)
APP_PRINCIPAL, POLICY_PRINCIPAL = "5f0c9a0e-0000-4000-8000-00000000a001", "5f0c9a0e-0000-4000-8000-00000000b002"
A, B, C = (f"{c * 8}-0000-4000-8000-{c * 12}" for c in "abc")


def assignment_body(definition: str = "ffb6f416-7bd2-4488-8828-56585fef2be9") -> dict[str, Any]:
    # Microsoft.Authorization policyAssignments: properties.policyDefinitionId, identity.principalId.
    return {"id": ASSIGNMENT, "name": SCOPE.policy_assignment_name, "location": "westeurope",
            "identity": {"type": "SystemAssigned", "principalId": POLICY_PRINCIPAL, "tenantId": "t"},
            "properties": {"policyDefinitionId": f"/providers/Microsoft.Authorization/policyDefinitions/{definition}",
                           "scope": GROUP, "enforcementMode": "Default"}}


def role_assignment(role: str) -> dict[str, Any]:
    return {"properties": {"roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{role}",
                           "scope": GROUP}}


def context(routes: dict[tuple[str, str], Any], logs_rows: list[dict[str, Any]] | None = None) -> CheckContext:
    class Logs:
        def run_query(self, kql: str) -> list[dict[str, Any]]:
            return logs_rows or []

    arm = ArmClient(FakeCredential(), FakeArmTransport(routes))
    claims = {"oid": USER_OID, "upn": "alice@contoso.example"}
    return CheckContext("mgmt", SETTINGS, None, FakeCredential(), arm, claims, NOW,  # type: ignore[arg-type]
                        {"workspace_id": None, "logs_factory": lambda target: Logs()})


def test_the_mode_adds_its_items_to_both_lists() -> None:
    names = [c.name for c in check.post_deploy_checks(SETTINGS)]
    assert names[-4:] == ["Policy assignment and compliance", "Remediation task",
                          "Identities' roles at the management group", "Coverage now"]
    assert [c.name for c in readiness.readiness_checks(SETTINGS)][-2:] == [
        "Deployer rights at the management group", "Subscriptions under the management group"]
    other = settings_from_stack("example")
    assert checks_management_group.post_deploy_checks(other) == []
    assert checks_management_group.readiness_checks(other) == []


def test_compliance_lists_the_subscriptions_without_the_export() -> None:
    first = {"value": [policy_state(A, ASSIGNMENT, "Compliant"), policy_state(B, ASSIGNMENT, "NonCompliant")],
             "@odata.nextLink": f"https://management.azure.com{STATES}?api-version=2024-10-01&$skiptoken=x"}
    calls: list[Any] = []

    def states(sent: Any) -> Canned:
        calls.append(sent)
        if "$skiptoken" in sent.query:
            return Canned(200, {"value": [policy_state(C, ASSIGNMENT, "Compliant")]})
        return Canned(200, first)

    [result] = checks_management_group.check_policy_assignment(context({
        ("GET", ASSIGNMENT): Canned(200, assignment_body()), ("POST", STATES): states}))
    assert not result.ok and result.detail.startswith("2 of 3 subscriptions compliant")
    assert B in result.detail and A not in result.detail
    assert result.fix.startswith("remediate them: az policy remediation create --name securescore-remediate-20261123")
    assert f"--policy-assignment {ASSIGNMENT}" in result.fix
    assert calls[0].query["$filter"] == [f"policyAssignmentId eq '{ASSIGNMENT}'"]


@pytest.mark.parametrize(("assignment", "states", "ok", "detail"), [
    (Canned(200, assignment_body()), Canned(200, {"value": [policy_state(A, ASSIGNMENT, "Compliant")]}), True,
     "1 of 1 subscriptions compliant"),
    (Canned(200, assignment_body()), Canned(200, {"value": []}), False, "assigned, not evaluated yet"),
    (Canned(404, arm_error("PolicyAssignmentNotFound", "not found")), None, False, "not found"),
    (Canned(200, assignment_body("0000")), None, False,
     "assigns /providers/Microsoft.Authorization/policyDefinitions/0000, not Microsoft's export policy"),
    # An assignment whose properties carry no policyDefinitionId says so instead of naming an empty id.
    (Canned(200, {**assignment_body(), "properties": {"scope": GROUP}}), None, False,
     "assigns no definition, not Microsoft's export policy"),
])
def test_assignment_states(assignment: Canned, states: Canned | None, ok: bool, detail: str) -> None:
    routes: dict[tuple[str, str], Any] = {("GET", ASSIGNMENT): assignment}
    if states is not None:
        routes[("POST", STATES)] = states
    [result] = checks_management_group.check_policy_assignment(context(routes))
    assert result.ok is ok and detail in result.detail


@pytest.mark.parametrize(("body", "ok", "words"), [
    (remediation(REMEDIATION, ASSIGNMENT, "Succeeded", 2, 2), True, "Succeeded: 2 of 2 deployments succeeded"),
    (remediation(REMEDIATION, ASSIGNMENT, "Evaluating", 0, 0), False, "still running"),
    (remediation(REMEDIATION, ASSIGNMENT, "Failed", 3, 1, 2), False, "2 failed"),
    (remediation(REMEDIATION, ASSIGNMENT, "Complete", 0, 0), True, "nothing was non-compliant"),
])
def test_remediation_states(body: dict[str, Any], ok: bool, words: str) -> None:
    [result] = checks_management_group.check_remediation(context({("GET", REMEDIATION): Canned(200, body)}))
    assert result.ok is ok and words in result.detail
    if not ok and "failed" in words:
        assert "az policy remediation deployment list" in result.fix


def test_a_deleted_remediation_record_says_how_to_remediate_again() -> None:
    [result] = checks_management_group.check_remediation(context({
        ("GET", REMEDIATION): Canned(404, arm_error("RemediationNotFound", "gone"))}))
    assert not result.ok and "60 days" in result.detail and "pulumi up --refresh" in result.fix


def test_both_identities_roles_at_the_group() -> None:
    roles_path = role_assignments_path(GROUP)

    def assignments(sent: Any) -> Canned:
        principal = sent.query["$filter"][0].split("'")[1]
        role = {APP_PRINCIPAL: READER, POLICY_PRINCIPAL: OWNER}[principal]  # the policy's role is wrong here
        return Canned(200, {"value": [role_assignment(role)]})

    results = checks_management_group.check_identity_roles(context({
        ("GET", WORKFLOW): Canned(200, {"identity": {"type": "SystemAssigned", "principalId": APP_PRINCIPAL}}),
        ("GET", ASSIGNMENT): Canned(200, assignment_body()),
        ("GET", roles_path): assignments}))
    assert [r.ok for r in results] == [True, False]
    assert results[0].check.startswith("Logic App identity: Reader at management group")
    assert "Contributor" in results[1].check and "pulumi up" in results[1].fix


def test_coverage_now() -> None:
    members = [subscription(A, "Alpha"), subscription(B, "Beta"), subscription(C, "Gamma", "Disabled"),
               {"subscriptionId": "not-a-guid", "name": "x", "state": "Enabled"}]
    rows = [{"SubscriptionId": A, "LastRow": "2026-11-22T09:00:00Z"},
            {"SubscriptionId": B, "LastRow": "2026-10-01T09:00:00Z"}]
    [result] = checks_management_group.check_coverage(context(
        {("POST", RESOURCE_GRAPH_PATH): graph_pages([members])}, rows))
    assert not result.ok
    assert result.detail.startswith("1 of 3 in the last 14 days (1 rows without a GUID id ignored)")
    assert "Beta" in result.detail and "last row 2026-10-01" in result.detail
    assert "Gamma" in result.detail and "Disabled, cannot report" in result.detail


def test_deployer_rights_at_the_group() -> None:
    def definition(role: str) -> Canned:
        name, actions, not_actions = BUILT_IN_ROLES[role]
        return Canned(200, {"id": f"/providers/Microsoft.Authorization/roleDefinitions/{role}",
                            "properties": {"roleName": name, "permissions": [
                                {"actions": actions, "notActions": not_actions}]}})

    base = {("GET", GROUP): Canned(200, {"id": GROUP, "name": SCOPE.management_group_id}),
            ("GET", f"/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"): definition(OWNER),
            ("GET", f"/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"): definition(CONTRIBUTOR)}
    roles = role_assignments_path(GROUP)
    [owner] = checks_management_group.check_deployer_rights_at_group(context(
        {**base, ("GET", roles): Canned(200, {"value": [role_assignment(OWNER)]})}))
    [contributor] = checks_management_group.check_deployer_rights_at_group(context(
        {**base, ("GET", roles): Canned(200, {"value": [role_assignment(CONTRIBUTOR)]})}))
    assert owner.ok and "Owner" in owner.detail
    # Contributor's notActions include Microsoft.Authorization/*/Write (Learn, "Azure built-in roles").
    assert not contributor.ok
    assert "Microsoft.Authorization/policyAssignments/write" in contributor.detail
    assert "Microsoft.Authorization/roleAssignments/write" in contributor.detail
    assert "Microsoft.PolicyInsights/remediations/write" not in contributor.detail
    assert "Owner" in contributor.fix
    [missing] = checks_management_group.check_deployer_rights_at_group(context({
        ("GET", GROUP): Canned(404, arm_error("NotFound", "no such group"))}))
    assert not missing.ok and "check managementGroupId" in missing.fix
