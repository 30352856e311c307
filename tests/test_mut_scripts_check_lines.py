"""`check`'s lines when Azure answers with an error or says little, each with its fix; and what the data
sources and the sign-in say about those answers.

ARM is faked at the transport (tests/fakes/transport.py): a refusal is ARM's ErrorResponse
(common-types/resource-management v2 types.json: {error: {code, message}}). Connections: Microsoft.Web
2016-06-01 connectionsGet.json (tests/fakes/web.py). Runs: Microsoft.Logic 2019-05-01 WorkflowRunsList.json,
WorkflowRunActionsList.json (tests/fakes/logic.py). The query API: Learn "Azure Monitor Log Analytics API
errors" (tests/fakes/loganalytics.py).
"""

from __future__ import annotations

import pytest
from azure.core.exceptions import ClientAuthenticationError

from securescore.arm import ArmClient, AzureEndpoints
from securescore.cli import check, checks_management_group
from securescore.cli.authorize import Target
from securescore.cli.check import check_connection, judge_last_run
from securescore.cli.runs import failed_actions
from securescore.cli.signin import explain_sign_in_error
from securescore.datasources import workspace
from tests.fakes.loganalytics import FakeLogsTransport, query_error
from tests.fakes.logic import action_body
from tests.fakes.transport import Canned, FakeArmTransport, FakeCredential, arm_error, dev_connection
from tests.test_mgmt_checks import ASSIGNMENT, context

O365 = dev_connection("office365")
WORKFLOW = O365.split("/providers/")[0] + "/providers/Microsoft.Logic/workflows/securescore-dev"


def arm(routes: dict) -> ArmClient:
    return ArmClient(FakeCredential(), FakeArmTransport(routes))


def test_a_connection_you_cannot_read_asks_for_reader() -> None:
    error = arm_error("AuthorizationFailed", "The client does not have authorization to perform action "
                      "'Microsoft.Web/connections/read'")
    result = check_connection(arm({("GET", O365): Canned(403, error)}), Target("securescore-dev-office365", O365))
    assert result.check == "API connection: securescore-dev-office365" and not result.ok
    assert "AuthorizationFailed" in result.detail
    assert result.fix == "you need Reader on the connection's resource group"


def test_a_connection_that_reports_no_status_is_unknown_and_needs_authorizing() -> None:
    """statuses and overallStatus are both optional in the spec's ApiConnectionDefinition properties."""
    body = {"id": O365, "name": "securescore-dev-office365", "type": "Microsoft.Web/connections",
            "properties": {"displayName": "securescore-dev-office365", "api": {"name": "office365"}}}
    result = check_connection(arm({("GET", O365): Canned(200, body)}), Target("securescore-dev-office365", O365),
                              "dev")
    assert not result.ok and result.detail == "Unknown: no status reported"
    assert result.fix == "authorize it: securescore authorize --stack dev"


@pytest.mark.parametrize(("status", "code", "fix"), [
    (403, "AuthorizationFailed", "you need Reader on the Logic App"),
    (404, "ResourceNotFound", "deploy the stack first (pulumi up)"),
])
def test_the_last_run_line_fails_when_the_runs_cannot_be_read(status: int, code: str, fix: str) -> None:
    result = judge_last_run(arm({("GET", WORKFLOW + "/runs"): Canned(status, arm_error(code, "refused"))}), WORKFLOW)
    assert result.check == "Logic App last run: securescore-dev"
    assert not result.ok and code in result.detail and result.fix == fix


def test_a_policy_assignment_that_cannot_be_read_is_named() -> None:
    [result] = checks_management_group.check_policy_assignment(context({
        ("GET", ASSIGNMENT): Canned(500, arm_error("InternalServerError", "Encountered internal server error."))}))
    assert result.check.startswith("Policy assignment ") and " at management group " in result.check
    assert not result.ok and "InternalServerError" in result.detail


def test_failed_actions_lists_only_the_failed_ones_with_their_error() -> None:
    actions = [action_body("Run_queries", "Succeeded"),
               action_body("Send_report", "Failed", code="BadRequest",
                           error={"code": "BadRequest", "message": "The recipient is not valid."})]
    with arm({("GET", WORKFLOW + "/runs/08585/actions"): Canned(200, {"value": actions})}) as client:
        [failed] = failed_actions(client, WORKFLOW, "08585")
    assert (failed.name, failed.status) == ("Send_report", "Failed")
    assert "The recipient is not valid." in failed.message


# --- the workspace's query API: each refusal said for what it is ------------------------------------

@pytest.mark.parametrize(("status", "body", "says"), [
    (400, query_error("BadArgumentError", "The request had some invalid properties", "SyntaxError",
                      "A recognition error occurred in the query."), "the query was rejected (HTTP 400)"),
    (401, query_error("InvalidTokenError", "The provided authentication is not valid for this resource"),
     "the token was refused (HTTP 401)"),
])
def test_a_refused_query_says_why(status: int, body: dict, says: str) -> None:
    logs = FakeLogsTransport(lambda target, query: Canned(status, body))
    source = workspace.WorkspaceSource("ws-1234", FakeCredential(), transport=logs)
    with pytest.raises(workspace.WorkspaceQueryError) as caught:
        source.run_query("SecureScores | take 1")
    assert says in str(caught.value) and "ws-1234" in str(caught.value)


def test_a_single_credentials_network_failure_names_the_sign_in_host() -> None:
    """ClientSecretCredential fails alone (no chain of reasons): the host is the one it signs in at."""
    error = ClientAuthenticationError(message="Authentication failed: ('Connection aborted.', "
                                      "RemoteDisconnected('Remote end closed connection without response'))")
    problem = explain_sign_in_error(error, host="login.microsoftonline.us")
    assert problem.unreachable is not None
    assert problem.detail.startswith("login.microsoftonline.us: the connection was closed without an answer")


def test_a_workspace_the_query_api_does_not_know_says_deploy_or_fix_the_id() -> None:
    error = workspace.WorkspaceQueryError("workspace ws: not found (HTTP 404: WorkspaceNotFoundError)", 404,
                                          "WorkspaceNotFoundError", "The workspace could not be found")
    assert check.workspace_fix(error, "ws-1234", "alice@contoso.example") == (
        "no such workspace: deploy the stack (pulumi up) or fix workspaceResourceId")


def test_an_endpoint_from_the_environment_may_end_with_a_slash() -> None:
    """SECURESCORE_LOGS_ENDPOINT as copied from a cloud's documentation, with or without the slash: the
    query path is appended to the host either way (Azure China: https://api.loganalytics.azure.cn)."""
    endpoints = AzureEndpoints.from_env({"SECURESCORE_LOGS_ENDPOINT": "https://api.loganalytics.azure.cn/",
                                         "SECURESCORE_ARM_ENDPOINT": "https://management.chinacloudapi.cn/"})
    assert (endpoints.logs, endpoints.arm) == ("https://api.loganalytics.azure.cn", "https://management.chinacloudapi.cn")
    logs = FakeLogsTransport(lambda target, query: Canned(200, {"tables": [
        {"name": "PrimaryResult", "columns": [{"name": "x", "type": "long"}], "rows": [["1"]]}]}),
        host="api.loganalytics.azure.cn")
    source = workspace.WorkspaceSource("ws-1234", FakeCredential(), endpoint=endpoints.logs, transport=logs)
    assert source.run_query("print x = 1") == [{"x": 1}]
    assert logs.sent[0].path == "/v1/workspaces/ws-1234/query"
