"""The runner and the preview's local run: what a failed or skipped container reports, what actions()
returns, what the Http action refuses and why, and the preview in management-group mode.

Shapes after Microsoft Learn: "Run actions based on group status by using scopes", the expression
function reference (actions(), result(), whose example gives each entry `name` and `outputs`), "Schema
reference guide for trigger and action types" (Http action, operationOptions), and the Office 365 Outlook
connector reference (Send an email (V2): "To: Specify email addresses separated by semicolons").
"""

from __future__ import annotations

from typing import Any

import pytest

from securescore.datasources.sample import SampleSource
from securescore.emulator import ConnectorError, UnsupportedConstructError
from securescore.emulator.local_run import LOCAL_CONNECTION_IDS, LocalRun, _Connectors, run_locally
from securescore.logicapp.connections import OFFICE365_API
from tests.conftest import REPORT_NOW, make_settings
from tests.emulator.helpers import action, compose, run


def test_a_scope_with_a_failed_action_fails_with_an_error() -> None:
    # "when any action in the scope fails or is canceled, the scope's status is marked Failed"; a failed
    # action carries an error object (code, message), a succeeded one none.
    failed = run({"S": action("Scope", actions={"Divide": compose("@div(1, 0)")})})
    assert failed.actions["S"].status == "Failed"
    assert set(failed.actions["S"].error) == {"code", "message"}
    fine = run({"S": action("Scope", actions={"Add": compose("@add(1, 1)")})})
    assert (fine.actions["S"].status, fine.actions["S"].error) == ("Succeeded", None)


def test_result_of_an_until_lists_its_actions() -> None:
    # result(): "Return the results from the top-level actions in the specified scoped action, such as
    # a For_each, Until, or Scope action".
    actions = {
        "Loop": action("Until", actions={"Step": compose(1)}, expression="@true", limit={"count": 5}),
        "Read": compose("@result('Loop')", {"Loop": ["Succeeded"]}),
    }
    (entry,) = run(actions).actions["Read"].outputs
    assert entry["name"] == "Step"
    assert [iteration["status"] for iteration in entry["outputs"]] == ["Succeeded"]


def test_result_of_a_skipped_foreach_names_its_actions_with_no_iterations() -> None:
    actions = {
        "Gate": compose("@div(1, 0)"),
        "Loop": action("Foreach", actions={"Inner": compose(1)}, run_after={"Gate": ["Succeeded"]},
                       foreach="@createArray(1)"),
        "Read": compose("@result('Loop')", {"Loop": ["Skipped"]}),
    }
    result = run(actions)
    assert result.actions["Loop"].status == "Skipped"
    assert result.actions["Read"].outputs == [{"name": "Inner", "outputs": []}]


def test_actions_gives_the_start_and_end_time() -> None:
    # actions(): the action's "start time, end time, status, inputs, ... and outputs" (result()'s
    # description of the same attributes); the run's clock is pinned, so both are the trigger's time.
    result = run({"A": compose(1), "B": compose("@actions('A')", {"A": ["Succeeded"]})})
    seen = result.actions["B"].outputs
    assert (seen["startTime"], seen["endTime"]) == ("2026-11-22T06:00:00.0000000Z", "2026-11-22T06:00:00.0000000Z")
    assert (seen["name"], seen["status"], seen["outputs"]) == ("A", "Succeeded", 1)


def test_a_select_from_a_non_array_says_what_it_got() -> None:
    select = action("Select", {"from": "@json('{\"k\": 1}')", "select": "@item()"})
    failed = run({"Pick": select}).actions["Pick"]
    assert failed.status == "Failed"
    assert "must be an array, not Object" in failed.error["message"]


def test_an_http_action_with_a_non_string_uri_says_what_it_got() -> None:
    http = action("Http", {"method": "GET", "uri": 5})
    failed = run({"HTTP": http}, http=lambda name, request: {"statusCode": 200}).actions["HTTP"]
    assert failed.status == "Failed"
    assert "got String and Integer" in failed.error["message"]


def test_other_http_authentication_is_unsupported_and_says_what_is_emulated() -> None:
    http = action("Http", {"method": "GET", "uri": "https://contoso.example/", "authentication": {"type": "Basic"}})
    with pytest.raises(UnsupportedConstructError, match="only ManagedServiceIdentity is emulated"):
        run({"HTTP": http}, http=lambda name, request: {"statusCode": 200})


def test_the_async_pattern_is_unsupported_and_the_error_gives_the_way_out() -> None:
    # Schema reference: a 202 with a Location header makes the Http action poll, unless
    # operationOptions is DisableAsyncPattern.
    answer: dict[str, Any] = {"statusCode": 202, "headers": {"Location": "https://contoso.example/status"}}
    http = action("Http", {"method": "GET", "uri": "https://contoso.example/"})
    with pytest.raises(UnsupportedConstructError, match="set operationOptions DisableAsyncPattern"):
        run({"HTTP": http}, http=lambda name, request: answer)


def test_the_outlook_send_takes_semicolon_separated_recipients() -> None:
    record = LocalRun(run=None)  # type: ignore[arg-type]
    settings = make_settings(2)
    connectors = _Connectors(SampleSource(settings, REPORT_NOW), None, record)
    inputs = {"host": {"connection": {"name": LOCAL_CONNECTION_IDS[OFFICE365_API]}}, "path": "/v2/Mail",
              "body": {"To": "secops@contoso.example;ciso@contoso.example", "Subject": "Score", "Body": "<p>hi</p>"}}
    assert connectors("Send_report", inputs)["statusCode"] == 200
    (email,) = record.emails
    assert email.to == ("secops@contoso.example", "ciso@contoso.example")
    with pytest.raises(ConnectorError, match="no connector"):
        connectors("Send_report", {**inputs, "path": "/v2/Other"})


def test_the_preview_of_a_management_group_stack_asks_its_resource_graph_stand_in() -> None:
    settings = make_settings(managementGroupId="contoso-landing-zones", subscriptions=[])
    record = run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW)
    assert record.run.status == "Succeeded"
    answered = [request for _, request in record.http_requests if "Microsoft.ResourceGraph" in request.uri]
    assert answered, "the run never asked Resource Graph"
    assert len(record.emails) == 1
