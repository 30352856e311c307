"""What the emulator records of a run, and a few parse and format rules, that the seed-6 mutation
sample showed untested: offsets west of UTC, integral floats as text, the codes of failed and cancelled
actions, a loop's enclosing scope, a one-unit Wait, the Query action's inputs, an Integer step, the
refusal of a runAfter at the top level, the uri with queries, the simulated query failure."""

from __future__ import annotations

import pytest

from securescore.datasources.sample import SampleSource
from securescore.emulator.errors import WorkflowDefinitionError
from securescore.emulator.local_run import PREVIEW_ACS_ENDPOINT, PREVIEW_WORKSPACE_CUSTOMER_ID, LocalAzure, LocalRun
from securescore.emulator.runner import HttpRequest
from tests.conftest import REPORT_NOW, make_settings
from tests.emulator.helpers import action, compose, ev, run, variable


def test_an_offset_west_of_utc_is_added_to_reach_utc() -> None:
    # .NET "zzz": the offset from UTC; 10:00 at -05:00 is 15:00 UTC, 10:00 at +05:00 is 05:00 UTC.
    assert ev("parseDateTime('2020-01-01 10:00 -05:00', 'en-US', 'yyyy-MM-dd HH:mm zzz')") \
        == "2020-01-01T15:00:00.0000000Z"
    assert ev("parseDateTime('2020-01-01 10:00 +05:00', 'en-US', 'yyyy-MM-dd HH:mm zzz')") \
        == "2020-01-01T05:00:00.0000000Z"


def test_an_integral_float_is_written_without_a_fraction() -> None:
    # Reference, float: float('10.333') is 10.333; .NET writes the double 2.0 as "2" (round-trip text).
    assert ev("string(float('2.0'))") == "2"
    assert ev("string(float('-7'))") == "-7"


def test_a_failed_scope_has_the_code_action_failed() -> None:
    # A Scope whose action failed ends Failed with the code ActionFailed: recorded run histories of real
    # workflows show a failed container (an Apply_to_each) as "code": "ActionFailed", "error": {"code":
    # "ActionFailed", "message": "An action failed. No dependent actions succeeded."}. A succeeded action's
    # code is OK (reference, result(): "code": "OK").
    result = run({"Outer": action("Scope", None, actions={"Bad": compose("@div(1, 0)")}),
                  "Fine": compose(1)})
    assert result.actions["Outer"].status == "Failed"
    assert result.actions["Outer"].code == "ActionFailed"
    assert result.actions["Fine"].code == "OK"


def test_an_action_cancelled_by_terminate_has_the_code_cancelled() -> None:
    stop = action("Terminate", {"runStatus": "Cancelled"})
    result = run({"Check": action("If", expression="@true", actions={"Stop": stop})})
    assert result.actions["Check"].status == "Cancelled"
    assert result.actions["Check"].code == "Cancelled"


def test_a_loop_inside_a_scope_is_recorded_in_that_scope() -> None:
    loop = action("Foreach", foreach="@createArray(1)", actions={"Each": compose("@item()")})
    result = run({"Outer": action("Scope", None, actions={"Loop": loop})})
    assert result.actions["Loop"].status == "Succeeded"
    assert result.actions["Loop"].scope == "Outer"
    assert result.actions["Outer"].scope is None


def test_a_wait_of_one_unit_is_accepted() -> None:
    # "Schema reference for trigger and action types", Wait: "interval": {"count": <number-of-units>,
    # "unit": "<interval>"}; the reference's example waits 1 minute.
    ok = run({"Wait": action("Wait", {"interval": {"count": 1, "unit": "Minute"}})})
    assert ok.actions["Wait"].status == "Succeeded"
    refused = run({"Wait": action("Wait", {"interval": {"count": 0, "unit": "Minute"}})})
    assert refused.actions["Wait"].status == "Failed"


def test_the_query_action_records_from_and_where() -> None:
    # Query (Filter array) inputs: {"from": <array>, "where": "<condition>"} (schema reference, Query action).
    where = "@greater(item(), 1)"
    result = run({"Filter": action("Query", {"from": [1, 2, 3], "where": where})})
    assert result.actions["Filter"].inputs == {"from": [1, 2, 3], "where": where}
    assert result.actions["Filter"].outputs == {"body": [2, 3]}


def test_an_integer_variable_steps_only_by_whole_numbers() -> None:
    # Learn "Create variables...": increment "Integer or Float" variables; an Integer cannot hold 1.5.
    result = run({"Init": variable("n", "Integer", 1),
                  "Inc": action("IncrementVariable", {"name": "n", "value": 1.5}, {"Init": ["Succeeded"]})})
    assert result.actions["Inc"].status == "Failed"
    floats = run({"Init": variable("f", "Float", 1.0),
                  "Inc": action("IncrementVariable", {"name": "f", "value": 1.5}, {"Init": ["Succeeded"]})})
    assert floats.actions["Inc"].status == "Succeeded"


def test_a_run_after_of_a_missing_action_names_the_top_level() -> None:
    with pytest.raises(WorkflowDefinitionError, match="which is not in the top level"):
        run({"B": compose(1, {"Nowhere": ["Succeeded"]})})


def test_queries_are_appended_after_a_uri_that_has_some() -> None:
    # Schema reference, HTTP action: "queries" are added to the uri's query string.
    request = HttpRequest("GET", "https://example.com/a?b=1", queries={"api-version": "2018-01-01"})
    assert request.url == "https://example.com/a?b=1&api-version=2018-01-01"
    assert HttpRequest("GET", "https://example.com/a", queries={"c": 2}).url == "https://example.com/a?c=2"


def test_a_simulated_query_failure_has_the_api_errors_inner_error() -> None:
    # "Azure Monitor Log Analytics API errors", Query syntax error: a 400 whose error has an innererror
    # with its own code and message.
    record = LocalRun(run=None)  # type: ignore[arg-type]
    azure = LocalAzure(SampleSource(make_settings(2), REPORT_NOW), "overall", record, PREVIEW_WORKSPACE_CUSTOMER_ID,
                       PREVIEW_ACS_ENDPOINT)
    uri = f"https://api.loganalytics.azure.com/v1/workspaces/{PREVIEW_WORKSPACE_CUSTOMER_ID}/query"
    token = {"type": "ManagedServiceIdentity", "audience": "https://api.loganalytics.io"}
    answer = azure("Query_overall", HttpRequest("POST", uri, body={"query": "SecureScores"}, authentication=token))
    assert answer["statusCode"] == 400
    inner = answer["body"]["error"]["innererror"]
    assert inner["code"] == "SyntaxError"
    assert "overall" in inner["message"]


def test_result_items_carry_the_failed_actions_error() -> None:
    # Reference, result(): each item is an action's run record (name, inputs, outputs, startTime, endTime,
    # status, code, ...), with "error" holding a failed action's code and message.
    scope = action("Scope", None, actions={"Bad": compose("@div(1, 0)")})
    result = run({"Outer": scope, "Read": compose("@result('Outer')", {"Outer": ["Failed"]})})
    (item,) = result.actions["Read"].outputs
    assert item["name"] == "Bad" and item["status"] == "Failed"
    assert set(item["error"]) >= {"code", "message"}
