"""scripts.check: every check, its failures and fixes, --json, exit codes, redaction."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.core.rest import HttpRequest
from azure.monitor.query import LogsQueryError, LogsQueryPartialResult, LogsQueryResult, LogsTable

from securescore.cli import check
from tests.conftest import make_settings
from tests.fakes_arm import (
    DEV_SUB,
    DEV_WORKFLOW,
    DEV_WORKSPACE,
    FAKE_SECRET,
    TENANT_ID,
    USER_OID,
    Canned,
    FakeArmTransport,
    FakeCredential,
    FakeResponse,
    action_body,
    arm_error,
    connection_body,
    dev_connection,
    run_body,
    secure_score_body,
)

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SCORES = f"/subscriptions/{DEV_SUB}/providers/Microsoft.Security/secureScores"
SECRET_ENV = {"AZURE_TENANT_ID": TENANT_ID, "AZURE_CLIENT_ID": USER_OID, "AZURE_CLIENT_SECRET": FAKE_SECRET}


def table(rows: list[tuple[str, Any]]) -> LogsTable:
    return LogsTable(name="PrimaryResult", columns=["SubscriptionId", "LastRow"],
                     columns_types=["string", "datetime"], rows=[list(r) for r in rows])


def fresh_result() -> LogsQueryResult:
    return LogsQueryResult(tables=[table([(DEV_SUB, "2026-11-22T09:15:00Z")])])


class FakeLogs:
    """LogsQueryClient at the SDK boundary: records calls, returns or raises what it was given."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str, str]] = []

    def _answer(self, method: str, target: str, query: str) -> Any:
        self.calls.append((method, target, query))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def query_resource(self, resource_id: str, query: str, *, timespan: Any) -> Any:
        return self._answer("resource", resource_id, query)

    def query_workspace(self, workspace_id: str, query: str, *, timespan: Any) -> Any:
        return self._answer("workspace", workspace_id, query)


def healthy_transport() -> FakeArmTransport:
    logs, o365 = dev_connection("azuremonitorlogs"), dev_connection("office365")
    return FakeArmTransport({
        ("GET", SCORES): Canned(200, {"value": [secure_score_body(DEV_SUB)]}),
        ("GET", logs): Canned(200, connection_body(logs)),
        ("GET", o365): Canned(200, connection_body(o365)),
        ("GET", DEV_WORKFLOW + "/runs"): Canned(200, {"value": [
            run_body("08584", "Succeeded", "2026-11-20T14:00:00.1234567Z")]}),
    })


def run(argv: list[str], transport: FakeArmTransport | None = None, logs: Any = None,
        credential: FakeCredential | None = None, env: dict | None = None) -> int:
    fake_logs = logs if isinstance(logs, FakeLogs) else FakeLogs(logs if logs is not None else fresh_result())
    return check.main(argv, credential=credential or FakeCredential(), transport=transport or healthy_transport(),
                      logs_client_factory=lambda credential: fake_logs, env=env or {}, now=NOW)


def results(capsys: pytest.CaptureFixture[str], argv: list[str], **kwargs: Any) -> tuple[int, list[dict]]:
    code = run([*argv, "--json"], **kwargs)
    return code, json.loads(capsys.readouterr().out)


def by_prefix(items: list[dict], prefix: str) -> dict:
    return next(i for i in items if i["check"].startswith(prefix))


def http_error(status: int, code: str, message: str) -> HttpResponseError:
    request = HttpRequest("POST", "https://api.loganalytics.io/v1/workspaces/x/query")
    return HttpResponseError(response=FakeResponse(request, status, {"error": {"code": code, "message": message}}))


def test_all_checks_pass(capsys: pytest.CaptureFixture[str]) -> None:
    logs = FakeLogs(fresh_result())
    assert run(["--stack", "dev"], logs=logs) == 0
    out = capsys.readouterr().out
    assert "[FAIL]" not in out and "All 6 checks passed." in out
    assert f"[ok]   Azure sign-in (token for management.azure.com): signed in as alice@contoso.example " \
           f"(object id {USER_OID})" in out
    assert "[ok]   Secure Score API: Development (0b1f6471-1bf0-4dda-aec3-cb9272f09590): ASC score 54.3% " \
           "(31.5 of 58 points)" in out
    assert "latest row 2026-11-22 09:15 UTC (22 h ago); 1 of 1 subscriptions reporting" in out
    assert "[ok]   Logic App last run: securescore-dev: Succeeded" in out
    assert logs.calls[0][:2] == ("resource", DEV_WORKSPACE)
    assert "SecureScores" in logs.calls[0][2]


def test_json_output_is_a_list_of_checks(capsys: pytest.CaptureFixture[str]) -> None:
    code, items = results(capsys, ["--stack", "dev"])
    assert code == 0 and len(items) == 6
    assert all(set(i) == {"check", "ok", "detail", "fix"} and i["ok"] is True for i in items)


@pytest.mark.parametrize(
    ("message", "fix"),
    [
        ("AADSTS7000215: Invalid client secret provided.", "client secret is wrong or expired"),
        ("AADSTS700016: Application with identifier 'x' was not found in the directory", "AZURE_CLIENT_ID"),
        ("AADSTS90002: Tenant 'x' not found.", "AZURE_TENANT_ID) is unknown"),
        ("invalid_client: bad credentials", "credentials were rejected"),
    ],
)
def test_token_failures_are_explained_and_the_rest_skipped(message: str, fix: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    credential = FakeCredential(error=ClientAuthenticationError(message=f"Authentication failed: {message}"))
    code, items = results(capsys, ["--stack", "dev"], credential=credential)
    assert code == 1
    assert items[0]["ok"] is False and fix in items[0]["fix"]
    assert all(i["detail"] == "skipped: no token" for i in items[1:]) and len(items) == 6


def test_secure_score_403_asks_for_a_role_for_the_signed_in_principal(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", SCORES, Canned(403, arm_error(
        "AuthorizationFailed", "The client does not have authorization to perform action "
        "'Microsoft.Security/secureScores/read'")))
    code, items = results(capsys, ["--stack", "dev"], transport=transport)
    item = by_prefix(items, "Secure Score API")
    assert code == 1 and not item["ok"] and "HTTP 403 AuthorizationFailed" in item["detail"]
    assert f"assign Reader or Security Reader on /subscriptions/{DEV_SUB} to alice@contoso.example " \
           f"(object id {USER_OID})" in item["fix"]
    assert f"--assignee {USER_OID} --scope /subscriptions/{DEV_SUB}" in item["fix"]


@pytest.mark.parametrize(
    ("code", "message"),
    [("NotFound", "Secure score 'ascScore' does not exist"),
     ("SubscriptionNotFound", f"The subscription '{DEV_SUB}' could not be found.")],
)
def test_secure_score_404_means_not_registered(code: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", SCORES, Canned(404, arm_error(code, message)))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    item = by_prefix(items, "Secure Score API")
    assert message in item["detail"]
    assert f"az provider register -n Microsoft.Security --subscription {DEV_SUB}" in item["fix"]


def test_empty_workspace_says_no_rows_yet(capsys: pytest.CaptureFixture[str]) -> None:
    code, items = results(capsys, ["--stack", "dev"], logs=LogsQueryResult(tables=[table([])]))
    item = by_prefix(items, "Log Analytics")
    assert code == 1 and not item["ok"]
    assert item["fix"].startswith("no rows yet: continuous export writes within hours of a change; snapshots weekly")


def test_workspace_403_asks_for_log_analytics_reader(capsys: pytest.CaptureFixture[str]) -> None:
    error = http_error(403, "InsufficientAccessError", "The provided credentials have insufficient access")
    _, items = results(capsys, ["--stack", "dev"], logs=error)
    item = by_prefix(items, "Log Analytics")
    assert "HTTP 403" in item["detail"] and "insufficient access" in item["detail"]
    assert item["fix"] == (f"assign Log Analytics Reader on {DEV_WORKSPACE} to alice@contoso.example "
                           f"(object id {USER_OID})")


def test_workspace_partial_result_fails_with_its_error(capsys: pytest.CaptureFixture[str]) -> None:
    partial = LogsQueryPartialResult(partial_data=[table([(DEV_SUB, "2026-11-22T09:15:00Z")])],
                                     partial_error=LogsQueryError(code="PartialError", message="limits exceeded"))
    _, items = results(capsys, ["--stack", "dev"], logs=partial)
    item = by_prefix(items, "Log Analytics")
    assert not item["ok"] and "partial result: PartialError limits exceeded" in item["detail"]


def test_workspace_names_missing_and_stale_subscriptions(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(3, lookbackDays=14)
    subs = settings.subscription_ids
    mocker.patch("securescore.cli.check.load_settings", return_value=settings)
    stale_time = (NOW - timedelta(days=20)).isoformat()
    logs = LogsQueryResult(tables=[table([(subs[0].upper(), "2026-11-22T09:15:00Z"), (subs[1], stale_time)])])
    _, items = results(capsys, ["--stack", "any"], logs=logs, transport=FakeArmTransport())
    item = by_prefix(items, "Log Analytics")
    assert f"2 of 3 subscriptions reporting; no rows from {subs[2]}" in item["detail"]
    logs = LogsQueryResult(tables=[table([(s, stale_time if s == subs[1] else "2026-11-22T09:15:00Z")
                                          for s in subs])])
    _, items = results(capsys, ["--stack", "any"], logs=logs, transport=FakeArmTransport())
    item = by_prefix(items, "Log Analytics")
    assert f"older than 14 days: {subs[1]}" in item["detail"] and "exportSnapshots" in item["fix"]


def test_workspace_id_flag_uses_query_workspace(capsys: pytest.CaptureFixture[str]) -> None:
    logs = FakeLogs(fresh_result())
    ws = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    assert run(["--stack", "dev", "--workspace-id", ws], logs=logs) == 0
    assert logs.calls[0][:2] == ("workspace", ws)


def test_connection_not_connected_points_to_authorize(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    o365 = dev_connection("office365")
    transport.add("GET", o365, Canned(200, connection_body(o365, "Error")))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    item = by_prefix(items, "API connection: securescore-dev-office365")
    assert item["detail"] == "Error: This connection is not authenticated."
    assert item["fix"] == "authorize it: python -m scripts.authorize --stack dev"


def test_missing_logic_app_and_connections_say_deploy(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({("GET", SCORES): Canned(200, {"value": [secure_score_body(DEV_SUB)]})})
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    assert [i["fix"] for i in items if i["check"].startswith(("API connection", "Logic App"))] == \
        ["deploy the stack first (pulumi up)"] * 3


def test_failed_last_run_lists_its_failed_actions(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", DEV_WORKFLOW + "/runs", Canned(200, {"value": [run_body(
        "08585", "Failed", "2026-11-23T06:00:00Z",
        error={"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."})]}))
    transport.add("GET", DEV_WORKFLOW + "/runs/08585/actions", Canned(200, {"value": [
        action_body("Query_overall", "Failed", {"code": "BadRequest", "message": "Failed to resolve table"}),
        action_body("Send_report", "Skipped")]}))
    code, items = results(capsys, ["--stack", "dev"], transport=transport)
    item = by_prefix(items, "Logic App last run")
    assert code == 1 and not item["ok"]
    assert item["detail"] == ("Failed, started 2026-11-23T06:00:00Z: ActionFailed: An action failed. No dependent "
                              "actions succeeded.; Query_overall: BadRequest: Failed to resolve table")
    assert transport.requests_to("GET", "/runs")[0].query["$top"] == ["1"]


def test_no_runs_yet_is_fine(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", DEV_WORKFLOW + "/runs", Canned(200, {"value": []}))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    assert by_prefix(items, "Logic App last run")["ok"] is True


def test_managed_identity_connection_is_ok_without_consent(capsys: pytest.CaptureFixture[str]) -> None:
    sub = "11111111-1111-4111-8111-111111111111"
    logs = (f"/subscriptions/{sub}/resourceGroups/rg-securescore-example/providers/Microsoft.Web/connections/"
            "securescore-example-azuremonitorlogs")
    transport = FakeArmTransport({("GET", logs): Canned(200, connection_body(logs, managed_identity=True))})
    _, items = results(capsys, ["--stack", "example"], transport=transport)
    item = by_prefix(items, "API connection: securescore-example-azuremonitorlogs")
    assert item["ok"] and "no consent needed" in item["detail"]
    assert len([i for i in items if i["check"].startswith("Secure Score API")]) == 6


def test_config_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "nope"]) == 2
    assert "stacks available" in capsys.readouterr().err
    assert run(["--stack", "dev", "--workspace-id", "law-dev"]) == 2
    assert run([]) == 2  # no --stack and none selected: the error lists the stacks
    assert "dev, example, prod" in capsys.readouterr().err


def test_secret_never_shown(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    credential = FakeCredential(error=ClientAuthenticationError(
        message=f"AADSTS7000215: Invalid client secret provided: '{FAKE_SECRET}'"))
    assert run(["--stack", "dev", "-v"], credential=credential, env=SECRET_ENV) == 1
    captured = capsys.readouterr()
    assert "client secret is wrong or expired" in captured.out
    assert FAKE_SECRET not in captured.out + captured.err + caplog.text
    ok_credential = FakeCredential()
    assert run(["--stack", "dev", "-v", "--json"], credential=ok_credential, env=SECRET_ENV) == 0
    captured = capsys.readouterr()
    assert "Request URL" in caplog.text
    for secret in (FAKE_SECRET, ok_credential.token):
        assert secret not in captured.out + captured.err + caplog.text
