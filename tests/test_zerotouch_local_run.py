"""The preview runs the zero-touch definition: LocalAzure answers the query API and captures the ACS send.

Answers played through `http_faults` are shaped after Microsoft's pages (named beside each one).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from securescore.cli.failure_signatures import diagnose
from securescore.datasources.sample import SampleSource
from securescore.emulator.local_run import (
    PREVIEW_ACS_ENDPOINT,
    PREVIEW_WORKSPACE_CUSTOMER_ID,
    kusto_type,
    query_api_body,
    run_locally,
)
from securescore.emulator.runner import HttpRequest
from securescore.settings import settings_from_stack
from tests.conftest import REPORT_NOW, make_settings

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}
ZERO_TOUCH = {"logsQuery": "http", **ACS}
MODES = [{}, {"logsQuery": "http"}, ACS, ZERO_TOUCH]


def run(settings, **kwargs: Any):
    return run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW, **kwargs)


@pytest.fixture(scope="module")
def zero_touch_run():
    settings = make_settings(5, exportAssessments=True, **ZERO_TOUCH)
    return settings, run(settings)


def statuses(result) -> dict[str, str]:
    return {name: action.status for name, action in result.run.actions.items()}


def test_every_mode_mails_the_same_report() -> None:
    emails = [run(make_settings(5, exportAssessments=True, **mode)).email for mode in MODES]
    assert {e.action for e in emails} == {"Send_report"}
    assert len({e.html for e in emails}) == 1 and len({e.subject for e in emails}) == 1
    assert len({e.importance for e in emails}) == 1 and len({e.to for e in emails}) == 1


def test_the_zerotouch_stack_previews_like_the_example_stack() -> None:
    # Same subscriptions and title: the email a zero-touch deployment sends is the connector mode's.
    assert run(settings_from_stack("zerotouch")).email.html == run(settings_from_stack("example")).email.html


def test_queries_go_to_the_workspace_with_the_identity(zero_touch_run) -> None:
    _, result = zero_touch_run
    queries = [(a, r) for a, r in result.http_requests if a.startswith("Query_")]
    assert len(queries) == 8
    for _, request in queries:
        assert request.method == "POST" and request.audience == "https://api.loganalytics.io"
        assert request.url == f"https://api.loganalytics.azure.com/v1/workspaces/{PREVIEW_WORKSPACE_CUSTOMER_ID}/query"
    assert set(result.query_texts) == {a.removeprefix("Query_") for a, _ in queries}


def test_one_email_one_send_one_status_read(zero_touch_run) -> None:
    settings, result = zero_touch_run
    sends = [r for a, r in result.http_requests if a == "Send_report"]
    reads = [r for a, r in result.http_requests if a == "Get_send_status"]
    assert len(sends) == 1 and len(reads) == 1 and len(result.emails) == 1
    operation = sends[0].header("Operation-Id")
    assert uuid.UUID(operation)  # the spec's format: uuid
    assert reads[0].url == f"{PREVIEW_ACS_ENDPOINT}/emails/operations/{operation}?api-version=2025-09-01"
    assert result.email.to == settings.recipients
    assert result.run.status == "Succeeded"
    assert statuses(result)["Delivery_failed"] == "Skipped"


def test_the_run_is_deterministic() -> None:
    settings = make_settings(3, **ZERO_TOUCH)
    first, second = run(settings), run(settings)
    assert [r.header("Operation-Id") for _, r in first.http_requests if _ == "Send_report"] == [
        r.header("Operation-Id") for _, r in second.http_requests if _ == "Send_report"]
    assert first.email == second.email


def test_action_count_is_constant_in_subscriptions_and_reported() -> None:
    def executed(count: int) -> int:
        return sum(1 for a in run(make_settings(count, **ZERO_TOUCH)).run.actions.values() if a.status != "Skipped")

    small, large = executed(1), executed(25)
    # Initialize, the Scope with 7 queries, 7 Rows, 5 row Selects and the Compose, the send, the Until
    # with its Wait and status read, the If: 27 whatever the number of subscriptions.
    assert small == large == 27


# --- what the query API can answer --------------------------------------------------------------------


def _query_fault(name: str, answer: dict[str, Any]):
    def faults(action: str, request: HttpRequest) -> dict[str, Any] | None:
        return answer if action == f"Query_{name}" else None
    return faults


def test_204_no_content_is_no_rows() -> None:
    # The "204 for no data": no body at all; every query then reads as empty.
    settings = make_settings(3, **ZERO_TOUCH)
    result = run(settings, http_faults=lambda a, r: {"statusCode": 204, "headers": {}, "body": None}
                 if a.startswith("Query_") else None)
    assert result.run.status == "Succeeded"
    assert result.email.subject.endswith(": no data exported yet")


def test_a_partial_result_fails_the_run_visibly_and_names_the_query() -> None:
    # Learn, "Azure Monitor Log Analytics API response format": a non-fatal error answers 200 with the
    # tables and an error object whose code is PartialError, the details in `details`.
    partial = {"statusCode": 200, "headers": {}, "body": {
        "tables": [{"name": "PrimaryResult", "columns": [{"name": "WeekEnd", "type": "datetime"}], "rows": []}],
        "error": {"code": "PartialError", "message": "There were some errors when processing your query.",
                  "details": [{"code": "EngineError", "message": "Query exceeded the memory limit"}]},
    }}
    result = run(make_settings(3, **ZERO_TOUCH), http_faults=_query_fault("trend", partial))
    assert statuses(result)["Query_trend"] == "Succeeded"
    assert statuses(result)["Rows_trend"] == "Failed" and statuses(result)["Send_report"] == "Skipped"
    assert result.email.action == "Send_failure_notice"
    assert "<b>Query_trend</b>: There were some errors when processing your query." in result.email.html


def test_a_403_while_the_role_propagates_shows_the_reason_in_the_notice() -> None:
    # Learn, "Azure Monitor Log Analytics API errors": 403 InsufficientAccessError, innererror UnauthorizedClient.
    forbidden = {"statusCode": 403, "headers": {}, "body": {"error": {
        "message": "The provided credentials have insufficient access to perform the requested operation",
        "code": "InsufficientAccessError",
        "innererror": {"code": "UnauthorizedClient",
                       "message": "The service principal does not have sufficient permissions to access this resource"},
    }}}
    result = run(make_settings(3, **ZERO_TOUCH), http_faults=_query_fault("overall", forbidden))
    assert result.run.actions["Query_overall"].attempts == 1  # a 403 is not retried
    assert result.email.action == "Send_failure_notice"
    assert "does not have sufficient permissions" in result.email.html


def test_throttling_is_retried_and_nothing_is_sent_twice() -> None:
    calls: list[str] = []

    def faults(action: str, request: HttpRequest) -> dict[str, Any] | None:
        calls.append(action)
        if action == "Query_overall" and calls.count(action) <= 2:
            return {"statusCode": 429, "headers": {"Retry-After": "5"},
                    "body": {"error": {"code": "ThrottledError", "message": "Too many requests"}}}
        return None

    result = run(make_settings(3, **ZERO_TOUCH), http_faults=faults)
    assert result.run.actions["Query_overall"].attempts == 3
    assert result.email.action == "Send_report" and len(result.emails) == 1


def test_a_retried_send_keeps_its_operation_id_so_acs_queues_one_email() -> None:
    sends: list[HttpRequest] = []

    def faults(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action == "Send_report":
            sends.append(request)
            if len(sends) == 1:
                return {"statusCode": 503, "headers": {}, "body": {"error": {"code": "ServiceUnavailable",
                                                                           "message": "try again"}}}
        return None

    result = run(make_settings(3, **ACS), http_faults=faults)
    assert len(sends) == 2 and sends[0].header("Operation-Id") == sends[1].header("Operation-Id")
    assert len(result.emails) == 1 and result.run.status == "Succeeded"


def test_a_failed_delivery_fails_the_run_with_acs_error() -> None:
    # REST spec Email 2025-09-01, GetOperationStatusReturnsFailedTerminalStatus.json.
    def faults(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action == "Get_send_status":
            operation = request.uri.rsplit("/", 1)[-1]
            return {"statusCode": 200, "headers": {}, "body": {
                "id": operation, "status": "Failed",
                "error": {"code": "EmailDropped", "message": "Email was dropped after several attempts to deliver."}}}
        return None

    result = run(make_settings(3, **ACS), http_faults=faults)
    assert result.run.status == "Failed"
    assert result.run.error["code"] == "EmailDropped"
    assert "Email was dropped after several attempts to deliver." in result.run.error["message"]


def test_a_canceled_send_fails_the_run_and_check_reads_it_as_not_delivered() -> None:
    # EmailSendResult.status (REST spec Email 2025-09-01): NotStarted, Running, Succeeded, Failed, Canceled;
    # a Canceled operation need carry no error.
    def faults(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action == "Get_send_status":
            return {"statusCode": 200, "headers": {}, "body": {"id": request.uri.rsplit("/", 1)[-1],
                                                                "status": "Canceled"}}
        return None

    settings = make_settings(3, **ACS)
    result = run(settings, http_faults=faults)
    assert result.run.status == "Failed" and result.run.error["code"] == "Canceled"
    found = diagnose("Delivery_failed", None, result.run.error, modes=settings.modes)
    assert found is not None and found.key == "acs-not-delivered"


def test_a_rejected_send_fails_the_send_action() -> None:
    # Azure/azure-sdk-for-java#39910: 400 BadRequest for a sender address ACS does not accept.
    def faults(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action == "Send_report":
            return {"statusCode": 400, "headers": {}, "body": {"error": {
                "code": "BadRequest", "message": "Request body validation error. See property 'senderAddress'"}}}
        return None

    result = run(make_settings(3, **ACS), http_faults=faults)
    assert statuses(result)["Send_report"] == "Failed" and result.run.status == "Failed"
    assert result.run.actions["Send_report"].attempts == 1 and result.emails == []


def test_the_failure_notice_goes_through_acs_too() -> None:
    result = run(make_settings(3, **ZERO_TOUCH), fail_query="freshness")
    assert result.email.action == "Send_failure_notice" and result.email.importance == "High"
    assert [a for a, _ in result.http_requests if a.startswith("Send_")] == ["Send_failure_notice"]
    assert statuses(result)["Follow_send"] == "Succeeded"


# --- the stand-in itself --------------------------------------------------------------------------------


def test_query_api_body_has_the_documented_shape() -> None:
    body = query_api_body([{"Category": "Administrative", "count_": 20839}, {"Category": "Alert", "count_": 64}])
    # Learn, "Azure Monitor Log Analytics API response format", the example's own values.
    assert body == {"tables": [{"name": "PrimaryResult",
                                "columns": [{"name": "Category", "type": "string"}, {"name": "count_", "type": "long"}],
                                "rows": [["Administrative", 20839], ["Alert", 64]]}]}


@pytest.mark.parametrize(("values", "kind"), [
    ([True, None], "bool"), ([1, 2], "long"), ([1.5, 2], "real"), (["2017-08-24T06:59:59Z"], "datetime"),
    (["x", None], "string"), ([None], "string"),
])
def test_column_types_follow_the_values(values: list[Any], kind: str) -> None:
    assert kusto_type(values) == kind


def test_the_stand_in_answers_like_azure_for_wrong_audience_workspace_and_operation() -> None:
    from securescore.emulator.local_run import LocalAzure, LocalRun

    record = LocalRun(run=None)  # type: ignore[arg-type]
    azure = LocalAzure(SampleSource(make_settings(2), REPORT_NOW), None, record, PREVIEW_WORKSPACE_CUSTOMER_ID,
                       PREVIEW_ACS_ENDPOINT)
    query_uri = f"https://api.loganalytics.azure.com/v1/workspaces/{PREVIEW_WORKSPACE_CUSTOMER_ID}/query"
    arm_token = {"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"}
    # Learn, "Azure Monitor Log Analytics API errors": 403 InvalidAuthenticationTokenAudience.
    answer = azure("Query_overall", HttpRequest("POST", query_uri, body={"query": "print 1"}, authentication=arm_token))
    assert (answer["statusCode"], answer["body"]["error"]["code"]) == (403, "InvalidAuthenticationTokenAudience")
    other = query_uri.replace(PREVIEW_WORKSPACE_CUSTOMER_ID, str(uuid.uuid4()))
    la_token = {"type": "ManagedServiceIdentity", "audience": "https://api.loganalytics.io"}
    assert azure("Query_overall", HttpRequest("POST", other, body={"query": "print 1"},
                                              authentication=la_token))["statusCode"] == 404
    acs_token = {"type": "ManagedServiceIdentity", "audience": "https://communication.azure.com"}
    missing = azure("Get_send_status", HttpRequest("GET", f"{PREVIEW_ACS_ENDPOINT}/emails/operations/nope",
                                                   authentication=acs_token))
    assert missing["statusCode"] == 404 and record.emails == []
