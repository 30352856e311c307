"""The zero-touch workflow: Http query actions, their Rows Selects, the ACS send and its follow-up.

Expected shapes are literals from Microsoft's documents (named beside them), not from the code.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample
from securescore.emulator.expressions import iter_expressions, parse, referenced_actions
from securescore.logicapp.definition import SCOPE, build_definition
from securescore.logicapp.logs_http import QUERY_COLUMNS, SERVER_WAIT_SECONDS
from securescore.queries import KQL_DIR, LOGIC_APP_REPORT_TIME, QUERY_NAMES, render_queries
from tests.conftest import REPORT_NOW, REPORT_TIME, make_settings

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}
ZERO_TOUCH = {"logsQuery": "http", **ACS}
COMBINATIONS = [
    pytest.param({}, id="connector+office365"),
    pytest.param({"logsQuery": "http"}, id="http+office365"),
    pytest.param(ACS, id="connector+acs"),
    pytest.param(ZERO_TOUCH, id="http+acs"),
    pytest.param({"logsConnectionAuth": "oauth", **ACS}, id="connector(oauth)+acs"),
]


def every_action(actions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, action in actions.items():
        found[name] = action
        found.update(every_action(action.get("actions") or {}))
        found.update(every_action((action.get("else") or {}).get("actions") or {}))
    return found


def scope_actions(definition: dict[str, Any]) -> dict[str, Any]:
    return definition["actions"][SCOPE]["actions"]


# --- queries over HTTP ------------------------------------------------------------------------------


def test_each_query_posts_its_kql_to_the_query_api_as_the_identity() -> None:
    settings = make_settings(3, logsQuery="http", exportAssessments=True)
    actions = scope_actions(build_definition(settings))
    expected = render_queries(settings, LOGIC_APP_REPORT_TIME)
    for name in QUERY_NAMES:
        action = actions[f"Query_{name}"]
        assert action["type"] == "Http" and action["runAfter"] == {}
        inputs = action["inputs"]
        assert inputs["method"] == "POST"
        # Learn, "Azure Monitor Log Analytics API request format": POST https://api.loganalytics.azure.com
        # /{api-version}/workspaces/{workspaceId}/query, body {"query": ...}, Content-Type application/json.
        assert inputs["uri"] == (
            "https://api.loganalytics.azure.com/v1/workspaces/@{uriComponent(parameters('workspaceCustomerId'))}/query")
        assert inputs["body"] == {"query": expected[name]}
        assert inputs["headers"]["Content-Type"] == "application/json"
        assert inputs["authentication"] == {"type": "ManagedServiceIdentity", "audience": "https://api.loganalytics.io"}


def test_the_server_timeout_ends_before_the_logic_apps_request_limit() -> None:
    # Learn, Log Analytics API "Timeouts": Prefer: wait=<seconds>, default 180, at most 600.
    # Logic Apps limits, multitenant: an outbound request gets 120 seconds.
    action = scope_actions(build_definition(make_settings(logsQuery="http")))["Query_overall"]
    wait = int(re.fullmatch(r"wait=(\d+)", action["inputs"]["headers"]["Prefer"]).group(1))
    assert wait == SERVER_WAIT_SECONDS and 0 < wait < 120


def test_queries_retry_throttling_and_server_errors_but_the_send_is_protected_by_its_operation_id() -> None:
    definition = build_definition(make_settings(**ZERO_TOUCH))
    query = scope_actions(definition)["Query_trend"]["inputs"]["retryPolicy"]
    assert query["type"] == "exponential" and 1 <= query["count"] <= 90
    send = definition["actions"]["Send_report"]["inputs"]
    assert send["retryPolicy"]["type"] in ("exponential", "fixed")
    assert send["headers"]["Operation-Id"] == "@{variables('operationId')}"


def test_rows_selects_turn_positional_rows_into_the_connectors_row_objects() -> None:
    actions = scope_actions(build_definition(make_settings(logsQuery="http", exportAssessments=True)))
    for name in QUERY_NAMES:
        rows = actions[f"Rows_{name}"]
        assert rows["type"] == "Select" and rows["runAfter"] == {f"Query_{name}": ["Succeeded"]}
        assert rows["inputs"]["select"] == {
            column: f"@item()?[{index}]" for index, column in enumerate(QUERY_COLUMNS[name])}
        # rows of tables[0] when the answer has no error; the error object (not an array) otherwise
        assert "['tables']?[0]?['rows']" in rows["inputs"]["from"] and "?['error']" in rows["inputs"]["from"]


def test_the_email_reads_rows_only_from_the_rows_selects() -> None:
    definition = build_definition(make_settings(logsQuery="http", exportAssessments=True))
    text = json.dumps({n: a for n, a in every_action(definition["actions"]).items()
                       if not n.startswith(("Query_", "Rows_", "Select_failed")) and a["type"] != "Scope"})
    assert "body('Query_" not in text and "?['value']" not in text
    assert {f"Rows_{q}" for q in QUERY_NAMES} <= set(re.findall(r"body\('(Rows_\w+)'\)", text))


# --- the column order contract ----------------------------------------------------------------------


def _final_columns(kql: str) -> list[str]:
    """Output names of the query's last `project` or `print` (what the column order contract is about)."""
    last = max(kql.rfind("| project "), kql.rfind("\nprint "))
    clause = kql[last:].split(None, 2)[-1] if kql[last] == "|" else kql[last:].split(None, 1)[-1]
    clause = clause.split("\n| order by")[0]
    names, depth, current = [], 0, ""
    for char in clause + ",":
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            names.append(re.match(r"\s*(\w+)", current).group(1))
            current = ""
        else:
            current += char
    return names


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_the_column_contract_is_the_kql_final_projection(name: str) -> None:
    kql = (KQL_DIR / f"{name}.kql").read_text()
    assert _final_columns(kql) == list(QUERY_COLUMNS[name])


def test_the_column_contract_matches_the_rows_the_local_engine_returns() -> None:
    settings = make_settings(6, exportAssessments=True)
    engine = LocalEngine(generate_sample(settings, REPORT_NOW))
    try:
        for name, kql in render_queries(settings, REPORT_TIME).items():
            rows = engine.run(kql)
            assert rows, name
            assert list(rows[0]) == list(QUERY_COLUMNS[name]), name
    finally:
        engine.close()


def test_the_contract_agrees_with_the_design_document() -> None:
    design = (KQL_DIR.parent.parent / "docs" / "design.md").read_text()
    for name, columns in QUERY_COLUMNS.items():
        line = next(line for line in design.splitlines() if line.startswith(f"- `{name}`"))
        block = design[design.index(line):].split("\n- `", 1)[0]
        assert all(f"`{column}`" in block for column in columns), name


# --- mail through ACS -------------------------------------------------------------------------------


def test_the_send_follows_the_email_rest_spec() -> None:
    definition = build_definition(make_settings(**ZERO_TOUCH))
    for name in ("Send_report", "Send_failure_notice"):
        inputs = definition["actions"][name]["inputs"]
        assert definition["actions"][name]["type"] == "Http" and inputs["method"] == "POST"
        # REST spec Email data plane, stable 2025-09-01: POST {endpoint}/emails:send?api-version=2025-09-01
        assert inputs["uri"] == "@{parameters('acsEndpoint')}/emails:send"
        assert inputs["queries"] == {"api-version": "2025-09-01"}
        assert inputs["authentication"] == {"type": "ManagedServiceIdentity", "audience": "https://communication.azure.com"}
        body = inputs["body"]
        assert body["senderAddress"] == "@parameters('senderAddress')"
        assert body["recipients"] == {"to": "@parameters('recipients')"}
        assert set(body["content"]) == {"subject", "html"}
        # Azure-Samples SendHighImportanceEmailToMultipleRecipients: "x-priority" "1" is High.
        assert set(body["headers"]) == {"x-priority"}
    assert definition["actions"]["Send_failure_notice"]["inputs"]["body"]["headers"] == {"x-priority": "1"}
    assert definition["parameters"]["recipients"]["defaultValue"] == [{"address": "secops@contoso.example"}]


def test_one_operation_id_per_run_exists_before_anything_is_sent() -> None:
    actions = build_definition(make_settings(**ACS))["actions"]
    init = actions["Initialize_operation_id"]
    assert init["type"] == "InitializeVariable" and init["runAfter"] == {}
    assert init["inputs"]["variables"] == [{"name": "operationId", "type": "string", "value": "@{guid()}"}]
    assert actions[SCOPE]["runAfter"] == {"Initialize_operation_id": ["Succeeded"]}


def test_the_send_is_followed_to_its_end_and_a_failed_send_fails_the_run() -> None:
    actions = build_definition(make_settings(**ACS))["actions"]
    follow = actions["Follow_send"]
    assert follow["type"] == "Until"
    either = ["Succeeded", "Skipped"]
    assert follow["runAfter"] == {"Send_report": either, "Send_failure_notice": either}
    status = follow["actions"]["Get_send_status"]["inputs"]
    # REST spec: GET {endpoint}/emails/operations/{operationId}; terminal statuses Succeeded, Failed, Canceled.
    assert status["method"] == "GET"
    assert status["uri"] == "@{parameters('acsEndpoint')}/emails/operations/@{variables('operationId')}"
    assert status["queries"] == {"api-version": "2025-09-01"}
    for terminal in ("'Succeeded'", "'Failed'", "'Canceled'"):
        assert terminal in follow["expression"]
    wait = follow["actions"]["Wait_before_status"]
    assert wait["type"] == "Wait" and wait["inputs"]["interval"]["unit"] == "Second"
    # ACS limits, Azure-managed domain: Get Email Status 10 a minute, 20 an hour.
    rounds, seconds = follow["limit"]["count"], wait["inputs"]["interval"]["count"]
    assert rounds <= 10 and rounds <= 20 and 60 / seconds <= 10
    check = actions["Check_delivery"]
    assert check["type"] == "If" and check["runAfter"] == {"Follow_send": ["Succeeded"]}
    terminate = check["actions"]["Delivery_failed"]
    assert terminate["type"] == "Terminate" and terminate["inputs"]["runStatus"] == "Failed"


# --- every mode ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", COMBINATIONS)
def test_action_count_is_constant_in_the_number_of_subscriptions(mode: dict[str, str]) -> None:
    small = every_action(build_definition(make_settings(1, **mode))["actions"])
    large = every_action(build_definition(make_settings(500, maxSubscriptionRows=500, **mode))["actions"])
    assert set(small) == set(large)


@pytest.mark.parametrize("mode", COMBINATIONS)
def test_expressions_parse_name_existing_actions_and_fit_the_limit(mode: dict[str, str]) -> None:
    definition = build_definition(make_settings(3, exportAssessments=True, **mode))
    names = set(every_action(definition["actions"]))
    for expression in iter_expressions({"actions": definition["actions"]}):
        parse(expression)
        assert referenced_actions(expression) <= names, expression[:80]
        assert len(expression) <= 8192  # Logic Apps: expression character limit


@pytest.mark.parametrize("mode", COMBINATIONS)
def test_connections_parameter_only_when_a_connection_is_used(mode: dict[str, str]) -> None:
    definition = build_definition(make_settings(**mode))
    types = {a["type"] for a in every_action(definition["actions"]).values()}
    uses_connector = mode.get("logsQuery") != "http" or mode.get("mailTransport") != "acs"
    assert ("$connections" in definition["parameters"]) == uses_connector
    assert ("ApiConnection" in types) == uses_connector
    assert ("workspaceCustomerId" in definition["parameters"]) == (mode.get("logsQuery") == "http")
    assert ({"acsEndpoint", "senderAddress"} <= set(definition["parameters"])) == (mode.get("mailTransport") == "acs")


def test_deploy_time_values_are_parameters_never_expression_text() -> None:
    definition = build_definition(make_settings(**ZERO_TOUCH))
    for name in ("workspaceCustomerId", "acsEndpoint", "senderAddress"):
        assert definition["parameters"][name] == {"type": "String", "defaultValue": ""}
    text = json.dumps(definition["actions"])
    assert "azurecomm.net" not in text and "communication.azure.com/" not in text.replace(
        '"audience": "https://communication.azure.com"', "")


def test_hostile_config_stays_data_in_zero_touch_mode() -> None:
    hostile = "Evil @{body('Query_overall')} <b>&\"name\""
    definition = build_definition(make_settings(
        reportTitle="Report @{workflow()} '); INJECTED", **ZERO_TOUCH,
        subscriptions=[f"aaaaaaaa-0000-4000-8000-000000000001={hostile}"]))
    outside = json.dumps({k: v for k, v in definition.items() if k != "parameters"})
    assert "INJECTED" not in outside and "Evil" not in outside
