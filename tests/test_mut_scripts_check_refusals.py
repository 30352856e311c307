"""`check`'s lines when ARM refuses a read: each refusal keeps Azure's own words in the detail, and the
fix depends on the status (404: the resource is not deployed; 403: the right to read; anything else:
retry). And a failed run's action is diagnosed from its outputs, read through the outputsLink.

ARM is faked at the transport (tests/fakes/transport.py); a refusal is ARM's ErrorResponse
(common-types/resource-management v2 types.json: {error: {code, message}}). Role assignments: Microsoft.
Authorization 2022-04-01 RoleAssignments_ListForScope. Management-group reads: PolicyInsights 2024-10-01
(Remediations_GetManagementGroupScope.json, PolicyStates_QueryManagementGroupScope.json),
Microsoft.Authorization PolicyAssignments_Get (tests/test_mgmt_checks.py's context).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from securescore.cli import checks_management_group
from securescore.cli.checklist import CheckResult
from tests.fakes.failures import INSUFFICIENT_ACCESS
from tests.fakes.logic import FakeContentTransport, action_body, action_outputs, outputs_uri, run_body
from tests.fakes.transport import USER_OID, Canned, arm_error
from tests.test_mgmt_checks import ASSIGNMENT, GROUP, REMEDIATION, SCOPE, STATES, WORKFLOW, assignment_body, context
from tests.test_scripts_check_modes import WORKFLOW as ZT_WORKFLOW
from tests.test_scripts_check_modes import WORKSPACE, named, results, zero_touch_transport

ROLE_LINE = f"Role Log Analytics Reader at {WORKSPACE}"
LISTING = f"{WORKSPACE}/providers/Microsoft.Authorization/roleAssignments"
# describe_principal of the fake token's claims (tests/fakes/transport.py fake_jwt: upn and oid).
ALICE = f"alice@contoso.example (object id {USER_OID})"


# --- the identity's role line: which fix for which refusal -----------------------------------------

@pytest.mark.parametrize(("status", "code", "fix"), [
    (404, "ResourceNotFound", "deploy the stack first (pulumi up)"),
    (500, "InternalServerError", "retry later"),
    (429, "TooManyRequests", "retry later"),
])
def test_a_role_listing_refused_gets_the_fix_of_its_status(status: int, code: str, fix: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: only a 404 (the scope is not deployed) asks for `pulumi up`; any other failure but a 403 is retried."""
    transport = zero_touch_transport()
    transport.add("GET", LISTING, Canned(status, arm_error(code, "refused here")))
    _, items = results(capsys, transport)
    [line] = named(items, ROLE_LINE)
    assert not line["ok"] and line["detail"] == f"HTTP {status} {code}: refused here"
    assert line["fix"] == fix


def test_a_role_listing_you_may_not_read_asks_for_the_read_right(capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a 403 names who needs which right where (Microsoft.Authorization/roleAssignments/read: Learn,
    "Azure permissions for Identity", Microsoft.Authorization operations), never `pulumi up` nor a retry."""
    transport = zero_touch_transport()
    transport.add("GET", LISTING, Canned(403, arm_error("AuthorizationFailed", "no read")))
    _, items = results(capsys, transport)
    [line] = named(items, ROLE_LINE)
    assert not line["ok"] and line["detail"] == "HTTP 403 AuthorizationFailed: no read"
    assert line["fix"] == (f"{ALICE} needs Reader (Microsoft.Authorization/roleAssignments/read) at {WORKSPACE} "
                           "to see the role assignments")


@pytest.mark.parametrize(("status", "code", "fix"), [
    (404, "ResourceNotFound", "deploy the stack first (pulumi up)"),
    (403, "AuthorizationFailed", f"{ALICE} needs Reader on the Logic App's resource group"),
])
def test_a_logic_app_that_cannot_be_read_gets_the_fix_of_its_status(status: int, code: str, fix: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: the identity line of a Logic App that is not there asks for `pulumi up`; any other refusal asks
    for the right to read it."""
    transport = zero_touch_transport()
    transport.add("GET", ZT_WORKFLOW, Canned(status, arm_error(code, "refused here")))
    _, items = results(capsys, transport)
    [line] = named(items, "Logic App identity: ")
    assert not line["ok"] and line["detail"] == f"HTTP {status} {code}: refused here"
    assert line["fix"] == fix


# --- the last run: its action's outputs are read -----------------------------------------------------

def test_a_failed_action_is_diagnosed_from_the_outputs_its_link_serves(capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: `check` reads a failed action's outputsLink; here only the outputs (HTTP 403 with the query API's
    InsufficientAccessError, Learn "Azure Monitor Log Analytics API errors") say why: the action itself
    carries no error and a code that is not an HTTP status."""
    transport = zero_touch_transport()
    uri = outputs_uri("Query_overall", "08585")
    transport.add("GET", ZT_WORKFLOW + "/runs", Canned(200, {"value": [run_body(
        "08585", "Failed", "2026-11-23T06:00:00Z",
        error={"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."})]}))
    transport.add("GET", ZT_WORKFLOW + "/runs/08585/actions", Canned(200, {"value": [
        action_body("Query_overall", "Failed", code="ActionFailed", outputs_uri=uri)]}))
    content = FakeContentTransport({uri: Canned(200, action_outputs(403, INSUFFICIENT_ACCESS))})
    _, items = results(capsys, transport, content=content)
    [line] = named(items, "Logic App last run")
    assert not line["ok"] and "Query_overall" in line["detail"]
    assert "the Logic App's identity may not read" in line["detail"]
    assert [urlsplit(u).path for u in content.urls] == [urlsplit(uri).path]  # the outputsLink, read once


# --- management-group mode: Azure's words stay in the detail -----------------------------------------

ASSIGNED = {("GET", ASSIGNMENT): Canned(200, assignment_body())}
BOOM = Canned(500, arm_error("InternalServerError", "Encountered internal server error."))


def _refused(check: Any, routes: dict[tuple[str, str], Any]) -> list[CheckResult]:
    return check(context(routes))


@pytest.mark.parametrize(("check", "routes", "prefix"), [
    (checks_management_group.check_policy_assignment, {**ASSIGNED, ("POST", STATES): BOOM}, "compliance: "),
    (checks_management_group.check_remediation, {("GET", REMEDIATION): BOOM}, ""),
    (checks_management_group.check_identity_roles, {("GET", WORKFLOW): BOOM, ("GET", ASSIGNMENT): BOOM}, ""),
    (checks_management_group.check_deployer_rights_at_group, {("GET", GROUP): BOOM}, ""),
    (checks_management_group.check_deployer_rights_at_group,
     {("GET", GROUP): Canned(403, arm_error("AuthorizationFailed", "The client does not have authorization."))}, ""),
], ids=["compliance", "remediation", "identities", "group 500", "group 403"])
def test_a_refused_management_group_read_keeps_azures_words(check: Any, routes: dict, prefix: str) -> None:
    """Rule: each line of a refused read shows the status, ARM's error code and message (ArmError.short)."""
    found = _refused(check, routes)
    assert found and all(not r.ok for r in found)
    for result in found:
        assert result.detail in (prefix + "HTTP 500 InternalServerError: Encountered internal server error.",
                                 prefix + "HTTP 403 AuthorizationFailed: The client does not have authorization.")


def test_the_group_line_names_the_group_it_could_not_read() -> None:
    assert SCOPE is not None
    [result] = _refused(checks_management_group.check_deployer_rights_at_group,
                        {("GET", GROUP): Canned(404, arm_error("ManagementGroupNotFound", "not found"))})
    assert result.detail == "HTTP 404 ManagementGroupNotFound: not found"
    assert "check managementGroupId" in result.fix and ALICE in result.fix
