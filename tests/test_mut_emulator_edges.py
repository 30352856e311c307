"""Edges the seed-2 sample found untested: 12-hour clocks, scientific formats, array indexes, default
ports, double text, Until's smallest limit, retry policies without a type, and the preview's stand-ins.

Expected values are literals from Microsoft Learn, named beside each: "Custom date and time format
strings", "Custom numeric format strings" and "Standard numeric format strings" (.NET), System.Uri.Port,
the Logic Apps expression function reference, "Limits and configuration for Azure Logic Apps", "Handle
errors and exceptions in Azure Logic Apps" and "Azure Monitor Log Analytics API errors".
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.datasources.sample import SampleSource
from securescore.emulator.expressions import (
    EvaluationContext,
    ExpressionError,
    UnsupportedConstructError,
    evaluate_value,
)
from securescore.emulator.local_run import (
    PREVIEW_ACS_ENDPOINT,
    PREVIEW_WORKSPACE_CUSTOMER_ID,
    LocalAzure,
    LocalRun,
    run_locally,
)
from securescore.emulator.resource_graph import ResourceGraphStandIn, subscription_row
from securescore.emulator.runner import HttpRequest
from securescore.logicapp import discovery
from tests.conftest import REPORT_NOW, make_settings
from tests.emulator.helpers import action, compose, run

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def ev(expression: str) -> Any:
    return evaluate_value("@" + expression, EvaluationContext(now=NOW))


# --- dates: the 12-hour clock ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # en-US "M/d/yyyy h:mm tt" text: 1:30 PM is 13:30 ("HH": the hour, 00 through 23)
        ("formatDateTime('03/15/2018 1:30 PM', 'HH:mm')", "13:30"),
        ("formatDateTime('03/15/2018 1:30 pm', 'HH:mm')", "13:30"),
        ("formatDateTime('03/15/2018 12:30 AM', 'HH:mm')", "00:30"),
        # "tt": the AM/PM designator; noon and after is PM
        ("formatDateTime('2018-03-15T12:30:00Z', 'h:mm tt')", "12:30 PM"),
        ("formatDateTime('2018-03-15T11:59:00Z', 'h:mm tt')", "11:59 AM"),
    ],
)
def test_the_twelve_hour_clock(expression: str, expected: str) -> None:
    assert ev(expression) == expected


def test_parse_date_time_without_a_format_reads_iso_text() -> None:
    # parseDateTime: "If the format isn't specified, attempt parsing with multiple formats"; the result
    # is in the "o" format (yyyy-MM-ddTHH:mm:ss.fffffffK).
    assert ev("parseDateTime('2018-03-15T13:30:30Z')") == "2018-03-15T13:30:30.0000000Z"


# --- numbers -----------------------------------------------------------------------------------------


def test_scientific_number_formats_are_unsupported_not_printed_literally() -> None:
    # Custom numeric format strings: 86000 ("0.###E+0") -> 8.6E+4; the emulator does not format
    # exponents, and must not print the E as a literal either.
    with pytest.raises(UnsupportedConstructError, match="scientific notation"):
        ev("formatNumber(86000, '0.###E+0')")


def test_a_double_with_a_negative_exponent_prints_like_dotnet() -> None:
    # Standard numeric format strings, "G": -1.234567890e-25 ("G") -> -1.23456789E-25
    assert ev("string(float('-1.234567890e-25'))") == "-1.23456789E-25"


def test_an_index_past_the_end_says_which_index_and_how_long() -> None:
    with pytest.raises(ExpressionError, match="index 5 is out of range for an array of length 3"):
        ev("createArray(1, 2, 3)[5]")


def test_a_port_without_a_default_is_minus_one() -> None:
    # System.Uri.Port: "If a default port is not specified ... this property returns -1" for a scheme
    # without a default port.
    assert ev("uriPort('foo://contoso.example/path')") == -1


# --- runner ------------------------------------------------------------------------------------------


def test_until_with_a_limit_of_one_runs_once() -> None:
    # Limits and configuration, Until iterations: minimum 1.
    actions = {"Loop": action("Until", actions={"Step": compose(1)}, expression="@false", limit={"count": 1})}
    with pytest.raises(UnsupportedConstructError, match="limit of 1 iterations"):
        run(actions)  # the one iteration ran; the limit reached is what the emulator cannot judge
    done = {"Loop": action("Until", actions={"Step": compose(1)}, expression="@true", limit={"count": 1})}
    assert run(done).actions["Loop"].status == "Succeeded"


def test_a_retry_policy_without_a_type_is_unsupported() -> None:
    # Handle errors and exceptions, retryPolicy: "type" is required (default, none, fixed, exponential).
    http = action("Http", {"method": "GET", "uri": "https://contoso.example/", "retryPolicy": {"count": 3}})
    with pytest.raises(UnsupportedConstructError, match="retryPolicy"):
        run({"HTTP": http}, http=lambda name, request: {"statusCode": 200})


# --- the preview's stand-ins ---------------------------------------------------------------------------


def local_azure(record: LocalRun, acs_endpoint: str = PREVIEW_ACS_ENDPOINT) -> LocalAzure:
    return LocalAzure(SampleSource(make_settings(2), REPORT_NOW), None, record, PREVIEW_WORKSPACE_CUSTOMER_ID,
                      acs_endpoint)


def test_a_status_request_with_another_audience_is_unauthorized_with_headers_and_an_error() -> None:
    record = LocalRun(run=None)  # type: ignore[arg-type]
    arm = {"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"}
    answer = local_azure(record)("Get_send_status", HttpRequest(
        "GET", f"{PREVIEW_ACS_ENDPOINT}/emails/operations/some-id", authentication=arm))
    assert set(answer) == {"statusCode", "headers", "body"}  # an Http action's outputs (schema reference)
    assert (answer["statusCode"], answer["headers"], answer["body"]["error"]["code"]) == (401, {}, "Unauthorized")


def test_the_preview_records_each_query_it_sends_and_a_failed_one_is_a_bad_argument() -> None:
    settings = make_settings(2, logsQuery="http")
    record = run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW)
    sent = {action.removeprefix("Query_"): request.body["query"] for action, request in record.http_requests
            if action.startswith("Query_")}
    assert sent and record.query_texts == sent
    connector = make_settings(2)
    failed = run_locally(connector, SampleSource(connector, REPORT_NOW), REPORT_NOW, fail_query="overall")
    # Log Analytics API errors: a rejected query is 400 BadArgumentError
    assert failed.run.actions["Query_overall"].error["code"] == "BadArgumentError"
    # through the connector too, each query's KQL is recorded as its action sent it
    assert failed.query_texts and all(
        kql == failed.run.actions[f"Query_{name}"].inputs["body"] for name, kql in failed.query_texts.items())


def test_resource_graph_refuses_a_skip_token_of_another_scope() -> None:
    group = "contoso-mg"
    stand_in = ResourceGraphStandIn(group, [subscription_row("cfbbd179-59d2-4052-aa06-9270a38aa9d6", "Contoso")])
    forged = base64.b64encode(json.dumps({"offset": 1, "scope": "another"}).encode()).decode()
    request = HttpRequest(
        "POST", discovery.RESOURCE_GRAPH_URI, queries={"api-version": "2024-04-01"},
        body={"query": discovery.SUBSCRIPTIONS_QUERY, "managementGroups": [group],
              "options": {"$top": 1000, "$skipToken": forged}},
        authentication={"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"},
    )
    answer = stand_in("List_subscriptions", request)
    assert (answer["statusCode"], answer["body"]["error"]["code"]) == (400, "InvalidSkipToken")
