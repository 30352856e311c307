"""scripts.check: every check, its failures and fixes, --json, exit codes, redaction.

ARM and the Log Analytics query API are faked at the HTTP transport, with bodies shaped after the
REST specs' examples and real responses (tests/fakes/)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError

from securescore.cli import check, runs
from tests.conftest import make_settings
from tests.fakes.loganalytics import FakeLogsTransport, partial_error, query_answer, query_error
from tests.fakes.logic import WORKFLOW_STATUSES, action_body, run_body, workflow_body
from tests.fakes.resources import READER, role_assignment_body
from tests.fakes.security import NO_SCORES, SPEC_LIST_EXAMPLE, no_score_404, scores_path, secure_score_body
from tests.fakes.transport import (
    DEV_SUB,
    DEV_WORKFLOW,
    DEV_WORKSPACE,
    FAKE_SECRET,
    TENANT_ID,
    USER_OID,
    Canned,
    FakeArmTransport,
    FakeCredential,
    arm_error,
    dev_connection,
)
from tests.fakes.web import connection_body

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SCORES = scores_path(DEV_SUB)
SECRET_ENV = {"AZURE_TENANT_ID": TENANT_ID, "AZURE_CLIENT_ID": USER_OID, "AZURE_CLIENT_SECRET": FAKE_SECRET}
FRESHNESS_COLUMNS = [("SubscriptionId", "string"), ("LastRow", "datetime")]


def logs_answering(rows: list[list[Any]] | None = None, status: int = 200, body: Any = None) -> FakeLogsTransport:
    def answer(target: str, query: str) -> Canned:
        if body is not None:
            return Canned(status, body)
        return Canned(200, query_answer(FRESHNESS_COLUMNS, rows if rows is not None else
                                        [[DEV_SUB, "2026-11-22T09:15:00.1234567Z"]]))
    return FakeLogsTransport(answer)


PRINCIPAL = "6f4a9c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b"  # the Logic App's identity (tests/fakes/logic.workflow_body)


def identity_routes(transport: FakeArmTransport, workflow: str, roles: list[tuple[str, str]]) -> FakeArmTransport:
    """The Logic App with its identity, and each (scope, role guid) assigned to it."""
    transport.add("GET", workflow, Canned(200, workflow_body(workflow)))
    for scope, role in roles:
        transport.add("GET", f"{scope}/providers/Microsoft.Authorization/roleAssignments", Canned(200, {"value": [
            role_assignment_body(scope, role, PRINCIPAL, scope.split("/")[2], principal_type="ServicePrincipal")]}))
    return transport


def healthy_transport() -> FakeArmTransport:
    logs, o365 = dev_connection("azuremonitorlogs"), dev_connection("office365")
    transport = FakeArmTransport({
        ("GET", SCORES): Canned(200, {"value": [secure_score_body(DEV_SUB)]}),
        ("GET", logs): Canned(200, connection_body(logs)),
        ("GET", o365): Canned(200, connection_body(o365)),
        ("GET", DEV_WORKFLOW + "/runs"): Canned(200, {"value": [
            run_body("08584", "Succeeded", "2026-11-20T14:00:00.1234567Z")]}),
    })
    return identity_routes(transport, DEV_WORKFLOW, [(f"/subscriptions/{DEV_SUB}", READER)])


def run(argv: list[str], transport: FakeArmTransport | None = None, logs: FakeLogsTransport | None = None,
        credential: FakeCredential | None = None, env: dict | None = None) -> int:
    return check.main(argv, credential=credential or FakeCredential(), transport=transport or healthy_transport(),
                      logs_transport=logs or logs_answering(), env=env or {}, now=NOW)


def results(capsys: pytest.CaptureFixture[str], argv: list[str], **kwargs: Any) -> tuple[int, list[dict]]:
    code = run([*argv, "--json"], **kwargs)
    return code, json.loads(capsys.readouterr().out)


def by_prefix(items: list[dict], prefix: str) -> dict:
    return next(i for i in items if i["check"].startswith(prefix))


def test_all_checks_pass(capsys: pytest.CaptureFixture[str]) -> None:
    logs = logs_answering()
    assert run(["--stack", "dev"], logs=logs) == 0
    out = capsys.readouterr().out
    assert "[FAIL]" not in out and "All 7 checks passed." in out
    assert f"[ok]   Role Reader at /subscriptions/{DEV_SUB}: held (the identity reads the subscription's secure " \
           "score)" in out
    assert f"[ok]   Azure sign-in (token for Azure Resource Manager): signed in as alice@contoso.example " \
           f"(object id {USER_OID})" in out
    assert "[ok]   Secure Score API: Development (0b1f6471-1bf0-4dda-aec3-cb9272f09590): ASC score 54.3% " \
           "(31.5 of 58 points)" in out
    assert "latest row 2026-11-22 09:15 UTC (22 h ago); 1 of 1 subscriptions reporting" in out
    assert "[ok]   Logic App last run: securescore-dev: Succeeded" in out
    # The query goes to the workspace by its resource id (Log Analytics "query by resource").
    assert logs.sent[0].path == f"/v1{DEV_WORKSPACE}/query" and "SecureScores" in logs.sent[0].body["query"]
    assert logs.sent[0].headers["Prefer"] == "wait=15"


def test_the_spec_example_of_the_list_is_read(capsys: pytest.CaptureFixture[str], mocker: Any) -> None:
    sub = SPEC_LIST_EXAMPLE["value"][0]["id"].split("/")[2]
    mocker.patch("securescore.cli.check.load_settings", return_value=make_settings(0, subscriptions=[sub]))
    transport = FakeArmTransport({("GET", scores_path(sub)): Canned(200, SPEC_LIST_EXAMPLE)})
    _, items = results(capsys, ["--stack", "any"], transport=transport)
    # ListSecureScores_example.json: current 23.53 of max 39, percentage 0.6033
    assert by_prefix(items, "Secure Score API")["detail"] == "ASC score 60.3% (23.53 of 39 points)"


def test_json_output_is_a_list_of_checks(capsys: pytest.CaptureFixture[str]) -> None:
    code, items = results(capsys, ["--stack", "dev"])
    assert code == 0 and len(items) == 7
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
    # Secure Score API, workspace, connections, the identity's roles, last run
    assert [i["detail"] for i in items[1:]] == ["skipped: no token"] * 5


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


@pytest.mark.parametrize("answer", [Canned(200, NO_SCORES), Canned(404, no_score_404(DEV_SUB))],
                         ids=["empty list", "404 does not exist"])
def test_a_subscription_without_a_secure_score_is_reported_with_the_fix(
        answer: Canned, capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", SCORES, answer)
    code, items = results(capsys, ["--stack", "dev"], transport=transport)
    item = by_prefix(items, "Secure Score API")
    assert code == 1 and not item["ok"] and "no secure score" in item["detail"]
    assert f"az provider register -n Microsoft.Security --subscription {DEV_SUB}" in item["fix"]
    assert "open Microsoft Defender for Cloud" in item["fix"]


def test_subscription_not_found_points_to_the_tenant(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", SCORES, Canned(404, arm_error("SubscriptionNotFound",
                                                       f"The subscription '{DEV_SUB}' could not be found.")))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    assert "tenant" in by_prefix(items, "Secure Score API")["fix"]


def test_another_initiative_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", SCORES, Canned(200, {"value": [
        secure_score_body(DEV_SUB, display="CIS Microsoft Azure Foundations", name="cis")]}))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    item = by_prefix(items, "Secure Score API")
    assert item["detail"] == "no secure score named 'ASC score'; the API has: CIS Microsoft Azure Foundations"
    assert "initiativeName" in item["fix"]


def test_empty_workspace_says_no_rows_yet(capsys: pytest.CaptureFixture[str]) -> None:
    code, items = results(capsys, ["--stack", "dev"], logs=logs_answering([]))
    item = by_prefix(items, "Log Analytics")
    assert code == 1 and not item["ok"]
    # Defender for Cloud, continuous export (azure-facts.md): a row when something changes (controls are
    # recalculated about every 8 hours), a snapshot once a week, and no backfill from before the export.
    assert item["fix"] == ("no rows yet: continuous export writes within hours of a change; snapshots weekly. "
                           "Check again later (export only covers data produced after it was enabled)")


def test_workspace_403_asks_for_log_analytics_reader(capsys: pytest.CaptureFixture[str]) -> None:
    logs = logs_answering(status=403, body=query_error("InsufficientAccessError",
                                                       "The provided credentials have insufficient access to perform "
                                                       "the requested operation"))
    _, items = results(capsys, ["--stack", "dev"], logs=logs)
    item = by_prefix(items, "Log Analytics")
    assert "HTTP 403" in item["detail"] and "InsufficientAccessError" in item["detail"]
    assert item["fix"] == (f"assign Log Analytics Reader on {DEV_WORKSPACE} to alice@contoso.example "
                           f"(object id {USER_OID})")


def test_missing_table_says_it_appears_with_the_first_rows(capsys: pytest.CaptureFixture[str]) -> None:
    logs = logs_answering(status=400, body=query_error(
        "BadArgumentError", "The request had some invalid properties", "SemanticError",
        "'SecureScores' operator: Failed to resolve table or column expression named 'SecureScores'"))
    _, items = results(capsys, ["--stack", "dev"], logs=logs)
    assert "SecurityCenterFree" in by_prefix(items, "Log Analytics")["fix"]


def test_workspace_partial_result_fails_with_its_error(capsys: pytest.CaptureFixture[str]) -> None:
    def answer(target: str, query: str) -> Canned:
        return Canned(200, query_answer(FRESHNESS_COLUMNS, [[DEV_SUB, "2026-11-22T09:15:00Z"]], partial_error()))
    _, items = results(capsys, ["--stack", "dev"], logs=FakeLogsTransport(answer))
    item = by_prefix(items, "Log Analytics")
    assert not item["ok"] and "partial result (PartialError: There were some errors" in item["detail"]


def test_workspace_names_missing_and_stale_subscriptions(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(3, lookbackDays=14)
    subs = settings.subscription_ids
    mocker.patch("securescore.cli.check.load_settings", return_value=settings)
    stale_time = (NOW - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    logs = logs_answering([[subs[0].upper(), "2026-11-22T09:15:00Z"], [subs[1], stale_time]])
    _, items = results(capsys, ["--stack", "any"], logs=logs, transport=FakeArmTransport())
    item = by_prefix(items, "Log Analytics")
    assert f"2 of 3 subscriptions reporting; no rows from {subs[2]}" in item["detail"]
    logs = logs_answering([[s, stale_time if s == subs[1] else "2026-11-22T09:15:00Z"] for s in subs])
    _, items = results(capsys, ["--stack", "any"], logs=logs, transport=FakeArmTransport())
    item = by_prefix(items, "Log Analytics")
    assert f"older than 14 days: {subs[1]}" in item["detail"] and "exportSnapshots" in item["fix"]


def test_workspace_id_flag_queries_by_workspace_id(capsys: pytest.CaptureFixture[str]) -> None:
    logs = logs_answering()
    ws = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    assert run(["--stack", "dev", "--workspace-id", ws], logs=logs) == 0
    assert logs.sent[0].path == f"/v1/workspaces/{ws}/query"


def test_connection_not_connected_points_to_authorize(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    o365 = dev_connection("office365")
    transport.add("GET", o365, Canned(200, connection_body(o365, "Error")))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    item = by_prefix(items, "API connection: securescore-dev-office365")
    assert item["detail"] == "Error: This connection is not authenticated."
    assert item["fix"] == "authorize it: securescore authorize --stack dev"


def test_missing_logic_app_and_connections_say_deploy(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({("GET", SCORES): Canned(200, {"value": [secure_score_body(DEV_SUB)]})})
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    assert [i["fix"] for i in items if i["check"].startswith(("API connection", "Logic App"))] == \
        ["deploy the stack first (pulumi up)"] * 4


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


def test_the_newest_run_is_found_whatever_the_list_order(capsys: pytest.CaptureFixture[str]) -> None:
    """Oldest first, on two pages: the verdict is the run that started last."""
    transport = healthy_transport()
    next_link = f"https://management.azure.com{DEV_WORKFLOW}/runs?api-version=2016-06-01&$skipToken=2"
    transport.add("GET", DEV_WORKFLOW + "/runs", lambda sent: Canned(200, {"value": [
        run_body("08583", "Failed", "2026-11-13T06:00:00Z")]}) if "$skipToken" in sent.query else Canned(200, {
            "value": [run_body("08581", "Succeeded", "2026-10-30T06:00:00Z")], "nextLink": next_link}))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    assert by_prefix(items, "Logic App last run")["detail"].startswith("Failed, started 2026-11-13T06:00:00Z")


def test_runs_without_a_start_time_come_after_every_run_that_started() -> None:
    # WorkflowRunProperties.startTime is read-only and not required (Microsoft.Logic 2019-05-01 spec): a run
    # without one sorts after any that has one, even the earliest instant a timestamp can carry.
    waiting = run_body("08590", "Waiting", "2026-11-23T06:00:00Z")
    del waiting["properties"]["startTime"]
    bodies = [waiting, run_body("08580", "Succeeded", "0001-01-01T00:00:01Z"),
              run_body("08585", "Failed", "2026-11-16T06:00:00Z")]
    ordered = runs.newest_first([runs.Run.from_body(body) for body in bodies])
    assert [run.name for run in ordered] == ["08585", "08580", "08590"]


# Expected verdicts written from the Logic Apps documentation of each run status (Microsoft Learn,
# "Monitor workflow run status"): only a successful run sent the report; a run still going is fine.
RUN_VERDICTS = {
    "Succeeded": True, "Running": True, "Waiting": True, "Paused": True, "Suspended": True, "NotSpecified": True,
    "Failed": False, "Faulted": False, "TimedOut": False, "Aborted": False, "Cancelled": False,
    "Skipped": False, "Ignored": False,
}


@pytest.mark.parametrize("status", WORKFLOW_STATUSES)
def test_every_documented_run_status_is_judged(status: str, capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", DEV_WORKFLOW + "/runs", Canned(200, {"value": [run_body("08590", status,
                                                                                 "2026-11-23T06:00:00Z")]}))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    item = by_prefix(items, "Logic App last run")
    assert item["ok"] is RUN_VERDICTS[status] and item["detail"].startswith(status)
    if status in ("Skipped", "Ignored"):
        assert "no report was sent" in item["detail"]


def test_a_run_in_progress_is_judged_by_the_one_before(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", DEV_WORKFLOW + "/runs", Canned(200, {"value": [
        run_body("08590", "Running", "2026-11-23T06:59:00Z"), run_body("08589", "TimedOut", "2026-11-16T06:00:00Z")]}))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    item = by_prefix(items, "Logic App last run")
    assert not item["ok"] and item["detail"].startswith("Running (in progress) since 2026-11-23T06:59:00Z; before "
                                                        "it: TimedOut")


def test_an_undocumented_status_is_not_taken_for_success(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", DEV_WORKFLOW + "/runs", Canned(200, {"value": [run_body("08590", "Weird", "2026-11-23T06Z")]}))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    assert by_prefix(items, "Logic App last run")["ok"] is False


def test_no_runs_yet_is_fine(capsys: pytest.CaptureFixture[str]) -> None:
    transport = healthy_transport()
    transport.add("GET", DEV_WORKFLOW + "/runs", Canned(200, {"value": []}))
    _, items = results(capsys, ["--stack", "dev"], transport=transport)
    assert by_prefix(items, "Logic App last run")["ok"] is True


EXAMPLE_SUB = "11111111-1111-4111-8111-111111111111"
EXAMPLE_LOGS = (f"/subscriptions/{EXAMPLE_SUB}/resourceGroups/rg-securescore-example/providers/Microsoft.Web/"
                "connections/securescore-example-azuremonitorlogs")


@pytest.mark.parametrize(("answer", "ok", "detail"), [
    (Canned(200, connection_body(EXAMPLE_LOGS, "Ready", managed_identity=True)), True, "Ready (signs in with"),
    (Canned(200, connection_body(EXAMPLE_LOGS, "Ready", managed_identity=True, with_overall=False)), True, "Ready"),
    (Canned(200, connection_body(EXAMPLE_LOGS, "Error", managed_identity=True,
                                 error={"code": "ManagedIdentityNotEnabled", "message": "no identity"})),
     False, "Error: no identity (managed identity)"),
    (Canned(404, arm_error("ResourceNotFound", "not found")), False, "not found"),
])
def test_managed_identity_connection_healthy_or_not(answer: Canned, ok: bool, detail: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({("GET", EXAMPLE_LOGS): answer})
    _, items = results(capsys, ["--stack", "example"], transport=transport)
    item = by_prefix(items, "API connection: securescore-example-azuremonitorlogs")
    assert item["ok"] is ok and item["detail"].startswith(detail)
    assert "authorize" not in item["fix"]  # a managed-identity connection never goes to consent
    assert len([i for i in items if i["check"].startswith("Secure Score API")]) == 6


def test_config_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "nope"]) == 2
    assert "stacks available" in capsys.readouterr().err
    assert run(["--stack", "dev", "--workspace-id", "law-dev"]) == 2
    assert run([]) == 2  # no --stack and none selected: the error lists the stacks
    assert "dev, example, mgmt, prod" in capsys.readouterr().err


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
