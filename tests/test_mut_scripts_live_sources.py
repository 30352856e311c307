"""The helpers' live data sources, faked at the HTTP boundary only: what they send to Azure and what they
say when Azure refuses.

Log Analytics is stood in for by the local engine behind the query API's JSON (tests/fakes/loganalytics.py:
spec operationalinsights data-plane v1 OperationalInsights.json, example oms-post-example.json), so a
query that is not the deployed one (or none at all) is answered as Log Analytics would: with an error,
or with other rows. The Secure Score API answers ARM's ErrorResponse (common-types/resource-management
v2 types.json: {error: {code, message}}; Microsoft.Security 2020-01-01 secureScores).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from securescore.cli import checks_management_group, preview
from securescore.cli.check import check_workspace
from securescore.cli.checklist import CheckContext
from securescore.datasources import SourceError, workspace
from securescore.datasources.engine import LocalEngine
from securescore.datasources.secure_score_api import ApiSource
from tests.fakes.loganalytics import FakeLogsTransport, engine_answer
from tests.fakes.resourcegraph import RESOURCE_GRAPH_PATH, graph_pages, subscription
from tests.fakes.transport import FakeCredential
from tests.test_mgmt_checks import NOW, SETTINGS, context
from tests.test_sources import SUB_A, SUB_B, FakeArmTransport, api_routes, two_subscriptions
from tests.test_sources import FakeCredential as ArmCredential

A, B = (f"{c * 8}-0000-4000-8000-{c * 12}" for c in "ab")
# Rows of the SecureScores table (kql/tables.json) as continuous export writes them: a subscription id
# as Defender writes it (upper case here), the time of the row.
SCORE_ROWS = [
    {"TimeGenerated": "2026-11-22T09:00:00Z", "SecureScoresSubscriptionId": A.upper(), "PercentageScore": 0.5},
    {"TimeGenerated": "2026-11-20T09:00:00Z", "SecureScoresSubscriptionId": A, "PercentageScore": 0.4},
    {"TimeGenerated": "2026-10-01T09:00:00Z", "SecureScoresSubscriptionId": B, "PercentageScore": 0.7},
]


def logs_context(routes: dict[tuple[str, str], Any]) -> tuple[CheckContext, FakeLogsTransport]:
    """A management-group check context whose workspace is the local engine behind the query API."""
    transport = FakeLogsTransport(engine_answer(LocalEngine({"SecureScores": SCORE_ROWS})))
    ctx = context(routes)
    ctx.options["logs_factory"] = lambda target: workspace.WorkspaceSource(target, FakeCredential(),
                                                                           transport=transport)
    return ctx, transport


def test_coverage_asks_the_workspace_for_each_subscriptions_newest_row_when_it_has_none() -> None:
    members = [subscription(A, "Alpha"), subscription(B, "Beta")]
    ctx, transport = logs_context({("POST", RESOURCE_GRAPH_PATH): graph_pages([members])})
    [result] = checks_management_group.check_coverage(ctx)
    assert len(transport.sent) == 1
    # Alpha's newest row (upper-case id in the table) is two days old; Beta's is older than the 14 days.
    assert not result.ok and result.detail.startswith("1 of 2 in the last 14 days")
    assert "Beta" in result.detail and "last row 2026-10-01" in result.detail and "Alpha" not in result.detail


def test_the_workspace_line_and_the_coverage_line_read_the_same_rows() -> None:
    """The workspace check asks once; the coverage line then reads its rows instead of asking again."""
    members = [subscription(A, "Alpha"), subscription(B, "Beta")]
    ctx, transport = logs_context({("POST", RESOURCE_GRAPH_PATH): graph_pages([members])})
    [line] = check_workspace(ctx)
    assert line.check.startswith(f"Log Analytics workspace: {SETTINGS.workspace.name}")
    [result] = checks_management_group.check_coverage(ctx)
    assert len(transport.sent) == 1
    assert result.detail.startswith("1 of 2 in the last 14 days")


def test_the_preview_reads_a_workspace_signed_in_with_the_default_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`preview --workspace-id`: the real Log Analytics client, its token from DefaultAzureCredential for
    the query API's audience (Learn "Access the Azure Monitor Log Analytics API": scope
    https://api.loganalytics.io/.default), sent as a bearer token."""
    credentials: list[FakeCredential] = []

    def default_azure_credential(**kwargs: Any) -> FakeCredential:
        credentials.append(FakeCredential())
        return credentials[-1]

    logs = FakeLogsTransport(engine_answer(LocalEngine({"SecureScores": SCORE_ROWS})))
    real_client = workspace.build_logs_client
    monkeypatch.setattr("azure.identity.DefaultAzureCredential", default_azure_credential)
    monkeypatch.setattr(workspace, "build_logs_client", lambda credential, limits, endpoint, transport=None:
                        real_client(credential, limits, endpoint, logs))
    out = tmp_path / "live.html"
    code = preview.main(["--now", "2026-11-23T07:00:00Z", "--workspace-id", "ws-1234", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert logs.sent and all(s.path == "/v1/workspaces/ws-1234/query" for s in logs.sent)
    [credential] = credentials
    assert {s.headers["Authorization"] for s in logs.sent} == {f"Bearer {credential.token}"}
    assert credential.scopes and set(credential.scopes) == {("https://api.loganalytics.io/.default",)}
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


# --- every refusal of the Secure Score API names the subscription and what to do ----------------------

@pytest.mark.parametrize(("status", "body", "says"), [
    (401, {"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}},
     "not signed in (HTTP 401): The access token is invalid."),
    (403, {"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization"}},
     "access denied (HTTP 403: AuthorizationFailed)"),
    # Learn "Throttling Resource Manager requests": HTTP 429 with code TooManyRequests.
    (429, {"error": {"code": "TooManyRequests", "message": "The request is being throttled."}},
     "throttled by Azure Resource Manager (HTTP 429); wait a minute and run again"),
    (500, {"error": {"code": "InternalServerError", "message": "Encountered internal server error."}},
     "Secure Score API failed (HTTP 500): Encountered internal server error."),
])
def test_a_refusal_names_the_subscription_and_the_way_out(status: int, body: dict[str, Any], says: str) -> None:
    transport = FakeArmTransport(api_routes([(status, body)]))
    with pytest.raises(SourceError) as caught:
        ApiSource(two_subscriptions(), ArmCredential(), NOW, transport=transport, retry_total=0)
    assert str(caught.value).startswith(f"subscription {SUB_B}: ")
    assert says in str(caught.value) and SUB_A not in str(caught.value)
