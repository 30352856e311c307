""".NET format strings as the emulator reads them, decodeBase64, and the stand-ins' answers.

Expected values are literals from Microsoft's pages, named beside each: Learn, "Custom date and time
format strings" (https://learn.microsoft.com/dotnet/standard/base-types/custom-date-and-time-format-strings),
"Custom numeric format strings" (.../custom-numeric-format-strings), the Logic Apps "Reference guide to
workflow expression functions" (https://learn.microsoft.com/azure/logic-apps/workflow-definition-language-functions-reference),
"Azure Monitor Log Analytics API errors" and the Resource Graph REST spec (2024-04-01 `QueryResponse`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.datasources.sample import SampleSource
from securescore.emulator.expressions import EvaluationContext, ExpressionError, evaluate_value
from securescore.emulator.local_run import PREVIEW_ACS_ENDPOINT, PREVIEW_WORKSPACE_CUSTOMER_ID, LocalAzure, LocalRun
from securescore.emulator.resource_graph import ResourceGraphStandIn, subscription_row
from securescore.emulator.runner import HttpRequest
from securescore.logicapp import discovery
from tests.conftest import REPORT_NOW, make_settings
from tests.emulator.helpers import compose, run

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def ev(expression: str) -> Any:
    return evaluate_value("@" + expression, EvaluationContext(now=NOW))


# --- parseDateTime with a format: every specifier fills its own field --------------------------------


def test_parse_exact_reads_minutes_with_mm() -> None:
    # .NET: "mm" is the minute, 00 through 59; "HH" the hour, 00 through 23. The reference's example
    # parseDateTime('10/20/2014 15h', 'en-US', 'MM/dd/yyyy HH\h') returns '2014-10-20T15:00:00.0000000';
    # with minutes written too they land in the minute field, and the seconds stay 0.
    assert ev("parseDateTime('10/20/2014 15:42', 'en-US', 'MM/dd/yyyy HH:mm')") == "2014-10-20T15:42:00.0000000"
    assert ev("parseDateTime('10/20/2014 15:42:07', 'en-US', 'MM/dd/yyyy HH:mm:ss')") == "2014-10-20T15:42:07.0000000"


def test_parse_exact_z_designator_is_utc_with_no_shift() -> None:
    # .NET "K": a UTC time is written "Z"; parsed back, the time is UTC and unchanged (an offset of zero),
    # so the "o" format prints it with its Z.
    utc = ev("parseDateTime('2014-10-20T15:42:00Z', 'en-US', 'yyyy-MM-ddTHH:mm:ssK')")
    assert utc == "2014-10-20T15:42:00.0000000Z"
    # without the designator the kind is unspecified: no Z
    assert ev("parseDateTime('2014-10-20T15:42:00', 'en-US', 'yyyy-MM-ddTHH:mm:ssK')") == "2014-10-20T15:42:00.0000000"


# --- formatNumber: the escape character -------------------------------------------------------------


def test_escaped_specifiers_are_copied_as_literals() -> None:
    # Custom numeric format strings, table: 987654 ("\###00\#") -> #987654#
    assert ev("formatNumber(987654, '\\###00\\#')") == "#987654#"


# --- an unterminated quote says which kind of format it is in ----------------------------------------


@pytest.mark.parametrize(
    ("expression", "kind", "fmt"),
    [
        ("formatDateTime('2018-03-15T00:00:00Z', 'yyyy ''at')", "date format", "'yyyy 'at'"),
        ("parseDateTime('2018 at', 'en-US', 'yyyy ''at')", "date format", "'yyyy 'at'"),
        ("formatNumber(5, '# ''units')", "numeric format", "'# 'units'"),
    ],
)
def test_an_unterminated_quote_names_the_kind_of_format_and_the_format(expression: str, kind: str, fmt: str) -> None:
    # Both kinds quote literal text with ' or " (both pages, "Character literals"); the workflow may
    # hold both in one expression, so the error says which one is broken.
    with pytest.raises(ExpressionError) as caught:
        ev(expression)
    assert f"unterminated quoted literal in {kind} {fmt}" in str(caught.value)


# --- decodeBase64 (deprecated, equal to base64ToString) ----------------------------------------------


def test_decode_base64_example() -> None:
    # reference, decodeBase64: decodeBase64('aGVsbG8=') returns "hello"
    assert ev("decodeBase64('aGVsbG8=')") == "hello"
    with pytest.raises(ExpressionError, match="'decodeBase64'"):
        ev("decodeBase64('not base64!')")


# --- the trigger's outputs ---------------------------------------------------------------------------


def test_a_recurrence_trigger_outputs_headers_and_body() -> None:
    # Schema reference for trigger and action types: a trigger's outputs are `headers` and `body`;
    # a Recurrence trigger receives no request, so both are empty.
    result = run({"A": compose("@triggerOutputs()")})
    assert result.actions["A"].outputs == {"headers": {}, "body": None}


# --- the preview's stand-ins answer like the services ------------------------------------------------


def local_azure() -> LocalAzure:
    record = LocalRun(run=None)  # type: ignore[arg-type]
    return LocalAzure(SampleSource(make_settings(2), REPORT_NOW), None, record, PREVIEW_WORKSPACE_CUSTOMER_ID,
                      PREVIEW_ACS_ENDPOINT)


def test_a_query_request_without_a_query_is_a_bad_argument() -> None:
    query_uri = f"https://api.loganalytics.azure.com/v1/workspaces/{PREVIEW_WORKSPACE_CUSTOMER_ID}/query"
    token = {"type": "ManagedServiceIdentity", "audience": "https://api.loganalytics.io"}
    answer = local_azure()("Query_overall", HttpRequest("POST", query_uri, body={}, authentication=token))
    # "Azure Monitor Log Analytics API errors", Query syntax error: 400
    # {"error": {"message": "The request had some invalid properties", "code": "BadArgumentError", ...}}
    assert answer["statusCode"] == 400
    assert answer["body"]["error"]["code"] == "BadArgumentError"
    assert answer["body"]["error"]["message"] == "The request had some invalid properties"


def test_resource_graph_returns_the_rows_in_data() -> None:
    group = "contoso-mg"
    rows = [subscription_row("cfbbd179-59d2-4052-aa06-9270a38aa9d6", "Contoso")]
    stand_in = ResourceGraphStandIn(group, rows)
    request = HttpRequest(
        "POST", discovery.RESOURCE_GRAPH_URI, queries={"api-version": "2024-04-01"},
        body={"query": discovery.SUBSCRIPTIONS_QUERY, "managementGroups": [group], "options": {"$top": 1000}},
        authentication={"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"},
    )
    answer = stand_in("List_subscriptions", request)
    # resourcegraph 2024-04-01 QueryResponse (example ResourcesMgBasicQuery.json): totalRecords, count,
    # resultTruncated (a string), facets, data
    assert answer["statusCode"] == 200
    assert answer["body"] == {
        "totalRecords": 1, "count": 1, "resultTruncated": "false", "facets": [],
        "data": [{"id": "/subscriptions/cfbbd179-59d2-4052-aa06-9270a38aa9d6",
                  "subscriptionId": "cfbbd179-59d2-4052-aa06-9270a38aa9d6", "name": "Contoso", "state": "Enabled"}],
    }
