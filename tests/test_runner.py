"""The local workflow runner on small definitions."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.emulator.runner import (
    ConnectorError,
    InvalidExpressionError,
    UnsupportedConstructError,
    WorkflowDefinitionError,
    run_workflow,
)

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def definition(actions: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "parameters": parameters or {},
        "triggers": {"Recurrence": {"type": "Recurrence", "recurrence": {"frequency": "Week", "interval": 1}}},
        "actions": actions,
    }


def compose(inputs: Any, run_after: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"type": "Compose", "inputs": inputs, "runAfter": run_after or {}}


def api(run_after: dict[str, list[str]] | None = None, **inputs: Any) -> dict[str, Any]:
    return {
        "type": "ApiConnection",
        "inputs": {"host": {"connection": {"name": "@parameters('$connections')['x']['connectionId']"}}, **inputs},
        "runAfter": run_after or {},
    }


CONNECTIONS = {"$connections": {"type": "Object", "defaultValue": {"x": {"connectionId": "/c/x"}}}}


class Recorder:
    """A connector answering from a table and recording every call."""

    def __init__(self, answers: dict[str, Any] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((name, inputs))
        answer = self.answers.get(name, {"statusCode": 200, "body": {"value": []}})
        if isinstance(answer, Exception):
            raise answer
        return answer


def run(actions: dict[str, Any], connector: Any = None, parameters: dict[str, Any] | None = None, **kw: Any):
    return run_workflow(
        definition(actions, kw.pop("declared", None)), parameters or {}, connector or Recorder(), NOW, **kw
    )


def test_run_after_order_and_name_order_among_ready_actions() -> None:
    result = run(
        {
            "C": compose("c", {"B": ["Succeeded"]}),
            "B": compose("b"),
            "A": compose("a"),
            "D": compose("@concat(outputs('A'), outputs('C'))", {"A": ["Succeeded"], "C": ["Succeeded"]}),
        }
    )
    assert result.order == ["A", "B", "C", "D"]
    assert result.actions["D"].outputs == "ac"
    assert result.status == "Succeeded"


def test_parallel_branches_both_run() -> None:
    result = run(
        {
            "Start": compose(1),
            "Left": compose("@add(outputs('Start'), 1)", {"Start": ["Succeeded"]}),
            "Right": compose("@add(outputs('Start'), 2)", {"Start": ["Succeeded"]}),
            "Join": compose(
                "@createArray(outputs('Left'), outputs('Right'))", {"Left": ["Succeeded"], "Right": ["Succeeded"]}
            ),
        }
    )
    assert result.actions["Join"].outputs == [2, 3]


def test_failure_skips_dependents_and_runs_the_failure_handler() -> None:
    connector = Recorder(
        {"Query": {"statusCode": 400, "body": {"error": {"code": "BadArgument", "message": "bad KQL"}}}}
    )
    result = run(
        {
            "Query": api(),
            "Use": compose("@body('Query')", {"Query": ["Succeeded"]}),
            "After_use": compose("x", {"Use": ["Succeeded"]}),
            "After_skip": compose("y", {"Use": ["Skipped"]}),
            "Handler": compose("@actions('Query')['error']['message']", {"Query": ["Failed", "TimedOut"]}),
        },
        connector,
        declared=CONNECTIONS,
    )
    query = result.actions["Query"]
    assert query.status == "Failed"
    assert query.error == {"code": "BadArgument", "message": "bad KQL"}
    assert query.code == "BadRequest"
    assert result.actions["Use"].status == "Skipped"
    assert result.actions["After_use"].status == "Skipped"
    assert result.actions["After_skip"].status == "Succeeded"
    assert result.actions["Handler"].outputs == "bad KQL"
    assert result.status == "Succeeded"  # the failure was handled


def test_unhandled_failure_fails_the_run() -> None:
    result = run({"Query": api()}, Recorder({"Query": {"statusCode": 500, "body": "boom"}}), declared=CONNECTIONS)
    assert result.actions["Query"].error == {"code": "500", "message": "The connector returned HTTP 500"}
    assert result.status == "Failed"


def test_connector_error_fails_the_action() -> None:
    result = run({"Query": api()}, Recorder({"Query": ConnectorError("workspace unreachable")}), declared=CONNECTIONS)
    assert result.actions["Query"].status == "Failed"
    assert result.actions["Query"].error == {"code": "ConnectorError", "message": "workspace unreachable"}


def test_connector_gets_evaluated_inputs() -> None:
    connector = Recorder()
    run(
        {"Query": api(body="let T = datetime(@{utcNow()});", path="/q")},
        connector,
        {"$connections": {"value": {"x": {"connectionId": "/c/arm"}}}},
        declared=CONNECTIONS,
    )
    (name, inputs), *_ = connector.calls
    assert name == "Query"
    assert inputs["body"] == "let T = datetime(2026-11-22T06:00:00.0000000Z);"
    assert inputs["host"]["connection"]["name"] == "/c/arm"  # ARM-shaped parameter value


def test_scope_status_and_result() -> None:
    connector = Recorder({"Q2": {"statusCode": 403, "body": {"error": {"code": "Forbidden", "message": "no access"}}}})
    actions = {
        "Run_queries": {
            "type": "Scope",
            "actions": {
                "Q1": api(),
                "Q2": api(),
                "Build": compose("@body('Q1')", {"Q1": ["Succeeded"], "Q2": ["Succeeded"]}),
            },
            "runAfter": {},
        },
        "Send_report": compose("sent", {"Run_queries": ["Succeeded"]}),
        "Send_failure_notice": compose("@length(result('Run_queries'))", {"Run_queries": ["Failed", "TimedOut"]}),
        "Failures": compose(
            "@join(createArray(result('Run_queries')[1]['name'], result('Run_queries')[1]['error']['message']), ': ')",
            {"Run_queries": ["Failed", "TimedOut"]},
        ),
    }
    result = run(actions, connector, declared=CONNECTIONS)
    assert result.actions["Run_queries"].status == "Failed"
    assert result.actions["Build"].status == "Skipped"
    assert result.actions["Build"].scope == "Run_queries"
    assert result.actions["Send_report"].status == "Skipped"
    assert result.actions["Send_failure_notice"].outputs == 3
    assert result.actions["Failures"].outputs == "Q2: no access"
    assert result.order == ["Run_queries", "Q1", "Q2", "Build", "Failures", "Send_failure_notice", "Send_report"]


def test_succeeding_scope() -> None:
    result = run(
        {
            "S": {"type": "Scope", "actions": {"In": compose(1)}, "runAfter": {}},
            "After": compose(2, {"S": ["Succeeded"]}),
        }
    )
    assert result.actions["S"].status == "Succeeded"
    assert result.actions["After"].status == "Succeeded"


def test_select_query_and_compose() -> None:
    rows = [{"Name": "a", "Score": 50.0}, {"Name": "b", "Score": 75.5}, {"Name": "c", "Score": None}]
    result = run(
        {
            "Rows": compose(rows),
            "Filter": {
                "type": "Query",
                "inputs": {"from": "@outputs('Rows')", "where": "@not(equals(item()?['Score'], null))"},
                "runAfter": {"Rows": ["Succeeded"]},
            },
            "Select": {
                "type": "Select",
                "inputs": {
                    "from": "@body('Filter')",
                    "select": {"n": "@toUpper(item()['name'])", "s": "@{formatNumber(item()['Score'], '0.0')}%"},
                },
                "runAfter": {"Filter": ["Succeeded"]},
            },
            "Html": compose("@join(body('Select'), '|')", {"Select": ["Succeeded"]}),
        }
    )
    assert result.actions["Filter"].outputs == {"body": rows[:2]}
    assert result.actions["Select"].outputs == {"body": [{"n": "A", "s": "50.0%"}, {"n": "B", "s": "75.5%"}]}
    assert result.actions["Html"].outputs == '{"n":"A","s":"50.0%"}|{"n":"B","s":"75.5%"}'


def test_runtime_expression_error_fails_the_action_with_invalid_template() -> None:
    result = run({"Bad": compose("@div(1, 0)"), "Handler": compose("handled", {"Bad": ["Failed"]})})
    bad = result.actions["Bad"]
    assert bad.status == "Failed"
    assert bad.error["code"] == "InvalidTemplate"
    assert "'Bad'" in bad.error["message"]
    assert "div(1, 0)" in bad.error["message"]
    assert result.actions["Handler"].status == "Succeeded"


def test_unsupported_action_type_raises_with_the_action_name() -> None:
    parse_json = {"type": "ParseJson", "inputs": {"content": "{}", "schema": {}}, "runAfter": {}}
    with pytest.raises(UnsupportedConstructError, match=r"cannot run action 'Parse'.*'ParseJson'"):
        run({"Parse": parse_json})


def test_unsupported_function_raises_with_the_action_name() -> None:
    with pytest.raises(UnsupportedConstructError, match=r"'Id'.*guid"):
        run({"Id": compose("@guid()")})


def test_invalid_expressions_are_rejected_before_running() -> None:
    connector = Recorder()
    with pytest.raises(InvalidExpressionError, match=r"'Later'.*unterminated"):
        run({"First": api(), "Later": compose("@concat('a)", {"First": ["Failed"]})}, connector, declared=CONNECTIONS)
    with pytest.raises(UnsupportedConstructError, match=r"'Later'.*cannot run nosuch\(\)"):
        run({"First": api(), "Later": compose("@nosuch()", {"First": ["Failed"]})}, connector, declared=CONNECTIONS)
    assert connector.calls == []
    with pytest.raises(InvalidExpressionError, match="undefined action 'Ghost'"):
        run({"A": compose("@body('Ghost')")})
    # An undeclared parameter is a run-time failure: a published Microsoft-Defender-for-Cloud template
    # (Notify-ASCRecommendationsResourceTag) deploys with parameters('GRC Team') undeclared.
    failed = run({"A": compose("@parameters('nope')")}).actions["A"]
    assert (failed.status, failed.code) == ("Failed", "InvalidTemplate")
    assert "the workflow parameter 'nope' is not found" in failed.error["message"]


def test_invalid_graphs_raise() -> None:
    with pytest.raises(WorkflowDefinitionError, match="cycle"):
        run({"A": compose(1, {"B": ["Succeeded"]}), "B": compose(2, {"A": ["Succeeded"]})})
    with pytest.raises(WorkflowDefinitionError, match="'Missing'"):
        run({"A": compose(1, {"Missing": ["Succeeded"]})})
    with pytest.raises(WorkflowDefinitionError, match="Done"):
        run({"A": compose(1), "B": compose(2, {"A": ["Done"]})})
    with pytest.raises(WorkflowDefinitionError, match="more than once"):
        run({"S": {"type": "Scope", "actions": {"A": compose(1)}, "runAfter": {}}, "A": compose(2)})


def test_parameters_defaults_overrides_and_unknown() -> None:
    declared = {
        "title": {"type": "String", "defaultValue": "@not an expression"},
        "n": {"type": "Int", "defaultValue": 1},
    }
    result = run(
        {"A": compose("@createArray(parameters('title'), parameters('n'))")}, parameters={"n": 5}, declared=declared
    )
    assert result.actions["A"].outputs == ["@not an expression", 5]  # parameter values are never evaluated
    with pytest.raises(WorkflowDefinitionError, match="extra"):
        run({"A": compose(1)}, parameters={"extra": 1}, declared=declared)


def test_trigger_defaults_to_the_pinned_clock() -> None:
    result = run({"A": compose("@trigger()['scheduledTime']"), "B": compose("@triggerBody()")})
    assert result.actions["A"].outputs == "2026-11-22T06:00:00.0000000Z"
    assert result.actions["B"].outputs is None


def test_retry_policy_and_runtime_configuration_are_accepted() -> None:
    action = api(retryPolicy={"type": "exponential", "count": 3})
    action["runtimeConfiguration"] = {"secureData": {"properties": ["inputs"]}}
    result = run({"Q": action}, declared=CONNECTIONS)
    assert result.actions["Q"].status == "Succeeded"


def test_same_inputs_same_result() -> None:
    actions = {
        "S": {"type": "Scope", "actions": {"Q1": api(), "Q2": api()}, "runAfter": {}},
        "R": compose("@result('S')", {"S": ["Succeeded", "Failed"]}),
    }
    first = run(copy.deepcopy(actions), declared=CONNECTIONS)
    second = run(copy.deepcopy(actions), declared=CONNECTIONS)
    assert first == second
    assert first.order == ["S", "Q1", "Q2", "R"]
