"""The workflow definition: structure, expressions, determinism, and no way in for config values."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from securescore.emulator.expressions import iter_expressions, parse, referenced_actions
from securescore.logicapp.definition import SCOPE, TRIGGER_NAME, build_definition, definition_json
from securescore.queries import LOGIC_APP_REPORT_TIME, QUERY_NAMES, render_queries
from securescore.settings import PROJECT_ROOT, available_stacks, settings_from_stack
from tests.conftest import make_settings

KNOWN_ACTION_TYPES = {"ApiConnection", "Scope", "Select", "Compose"}
# The zero-touch transports add these (logicapp.logs_http, logicapp.mail_acs).
ZERO_TOUCH_ACTION_TYPES = {"Http", "InitializeVariable", "Until", "Wait", "If", "Terminate"}
# Management-group mode adds these (logicapp.discovery); stacks/Pulumi.mgmt.yaml is also zero-touch.
MANAGEMENT_GROUP_ACTION_TYPES = {"Http", "InitializeVariable", "Until", "SetVariable", "Query"}
HOSTILE_TITLE = "Report @{workflow()} <script>alert(1)</script> '); INJECTED"
HOSTILE_NAME = "Evil @{body('Query_overall')} <b>&\"name\""


def scopes(actions: dict[str, Any], parent: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Each block's own actions (runAfter may only name siblings), outermost first: a Scope's, an
    Until's, and both branches of an If."""
    yield parent, actions
    for name, action in actions.items():
        if action["type"] in ("Scope", "Until", "If"):
            yield from scopes(action["actions"], name)
        if action["type"] == "If":
            yield from scopes(action.get("else", {}).get("actions", {}), f"{name}/else")


def all_actions(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: a for _, siblings in scopes(definition["actions"]) for name, a in siblings.items()}


def definitions() -> Iterator[tuple[str, dict[str, Any]]]:
    for stack in available_stacks():
        yield stack, build_definition(settings_from_stack(stack))
    yield (
        "hostile",
        build_definition(
            make_settings(
                reportTitle=HOSTILE_TITLE, subscriptions=[f"aaaaaaaa-0000-4000-8000-000000000001={HOSTILE_NAME}"]
            )
        ),
    )


@pytest.mark.parametrize(("label", "definition"), list(definitions()))
def test_run_after_targets_are_siblings_and_the_graph_is_acyclic(label: str, definition: dict[str, Any]) -> None:
    for _, siblings in scopes(definition["actions"]):
        for name, action in siblings.items():
            for target, statuses in action["runAfter"].items():
                assert target in siblings, f"{name} runs after {target}, which is not in its scope"
                assert set(statuses) <= {"Succeeded", "Failed", "Skipped", "TimedOut"}
        # Kahn's algorithm: every action can be ordered.
        pending = {name: set(action["runAfter"]) for name, action in siblings.items()}
        while pending:
            ready = [name for name, deps in pending.items() if not deps]
            assert ready, f"cycle among {sorted(pending)}"
            for name in ready:
                del pending[name]
            for deps in pending.values():
                deps.difference_update(ready)


@pytest.mark.parametrize(("label", "definition"), list(definitions()))
def test_every_expression_parses_and_names_existing_actions(label: str, definition: dict[str, Any]) -> None:
    actions = all_actions(definition)
    expressions = list(iter_expressions({"actions": definition["actions"], "triggers": definition["triggers"]}))
    assert len(expressions) > 50
    for expression in expressions:
        parse(expression)
        missing = referenced_actions(expression) - set(actions)
        assert not missing, f"{expression[:80]}… names unknown actions {missing}"
    settings_types = KNOWN_ACTION_TYPES | (ZERO_TOUCH_ACTION_TYPES if label in ("zerotouch", "mgmt") else set()) | (
        MANAGEMENT_GROUP_ACTION_TYPES if label == "mgmt" else set())
    assert {a["type"] for a in actions.values()} <= settings_types


def test_result_function_targets_the_scope() -> None:
    definition = build_definition(settings_from_stack("example"))
    select = definition["actions"]["Select_failed_actions"]
    assert select["inputs"]["from"] == f"@result('{SCOPE}')"
    assert select["runAfter"] == {SCOPE: ["Failed", "TimedOut"]}
    assert definition["actions"]["Send_report"]["runAfter"] == {SCOPE: ["Succeeded"]}


def test_same_settings_give_byte_identical_json_across_processes() -> None:
    here = definition_json(settings_from_stack("prod"))
    code = "from securescore.logicapp.definition import definition_json;"
    code += "from securescore.settings import settings_from_stack;"
    code += "import sys; sys.stdout.write(definition_json(settings_from_stack('prod')))"
    other = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout
    assert other == here


def test_action_count_does_not_grow_with_subscriptions() -> None:
    small = all_actions(build_definition(make_settings(1)))
    large = all_actions(build_definition(make_settings(500, maxSubscriptionRows=500)))
    assert set(small) == set(large)
    # The scope, 7 queries, 5 Selects, the report Compose, the send, and the 2 failure-path actions.
    assert len(small) == 17
    exported = all_actions(build_definition(make_settings(500, exportAssessments=True)))
    assert set(exported) - set(small) == {"Query_recommendations", "Select_recommendations_rows"}
    assert set(small) <= set(exported)


def test_compose_and_select_read_query_results_only_through_one_helper() -> None:
    # Another transport (HTTP to the Log Analytics API) then changes email_values.rows and nothing else.
    definition = build_definition(make_settings(3, exportAssessments=True))
    text = json.dumps({n: a for n, a in all_actions(definition).items() if not n.startswith("Query_")})
    references = re.findall(r"(\w+)\('(Query_\w+)'\)(\?\['value'\])?", text)
    assert references
    assert {(fn, suffix) for fn, _, suffix in references} == {("body", "?['value']")}
    assert {name for _, name, _ in references} == {f"Query_{q}" for q in QUERY_NAMES}


def test_every_expression_fits_the_logic_apps_limit() -> None:
    # "Limits and configuration reference for Azure Logic Apps": expression character limit 8,192.
    for label, definition in definitions():
        for expression in iter_expressions({"actions": definition["actions"]}):
            assert len(expression) <= 8192, (label, expression[:120])


def test_trigger_carries_the_schedule_and_windows_time_zone() -> None:
    settings = settings_from_stack("prod")
    recurrence = build_definition(settings)["triggers"][TRIGGER_NAME]["recurrence"]
    assert recurrence["frequency"] == "Week" and recurrence["interval"] == 1
    assert recurrence["schedule"] == {"weekDays": ["Monday", "Thursday"], "hours": [6], "minutes": [30]}
    assert recurrence["timeZone"] == "W. Europe Standard Time"
    assert "startTime" in recurrence and not recurrence["startTime"].endswith("Z")


def test_query_actions_send_the_rendered_kql_to_the_workspace() -> None:
    settings = settings_from_stack("prod")
    actions = build_definition(settings)["actions"][SCOPE]["actions"]
    expected = render_queries(settings, LOGIC_APP_REPORT_TIME)
    for name in QUERY_NAMES:
        inputs = actions[f"Query_{name}"]["inputs"]
        assert actions[f"Query_{name}"]["runAfter"] == {}  # all six in parallel
        assert (inputs["method"], inputs["path"]) == ("post", "/queryData")
        assert inputs["body"] == expected[name]
        assert inputs["queries"] == {
            "subscriptions": settings.workspace.subscription_id,
            "resourcegroups": "rg-security-monitoring",
            "resourcetype": "Log Analytics Workspace",
            "resourcename": "law-securescore-prod",
            "timerange": "Set in query",
        }
        assert inputs["host"]["connection"]["name"] == "@parameters('$connections')['azuremonitorlogs']['connectionId']"


def test_mail_actions_use_office365_v2_without_retries() -> None:
    definition = build_definition(settings_from_stack("example"))
    for name in ("Send_report", "Send_failure_notice"):
        action = definition["actions"][name]
        assert (action["inputs"]["method"], action["inputs"]["path"]) == ("post", "/v2/Mail")
        assert action["inputs"]["body"]["To"] == "@{join(parameters('recipients'), ';')}"
        assert action["inputs"]["retryPolicy"] == {"type": "none"}
    assert definition["parameters"]["recipients"]["defaultValue"] == ["secops@contoso.example", "ciso@contoso.example"]


def test_config_values_appear_only_as_parameter_values() -> None:
    definition = build_definition(
        make_settings(reportTitle=HOSTILE_TITLE, subscriptions=[f"aaaaaaaa-0000-4000-8000-000000000001={HOSTILE_NAME}"])
    )
    everything_but_parameters = json.dumps({k: v for k, v in definition.items() if k != "parameters"})
    assert "<script>" not in everything_but_parameters and "INJECTED" not in everything_but_parameters
    assert "Evil" not in everything_but_parameters
    assert definition["parameters"]["reportTitle"]["defaultValue"] == HOSTILE_TITLE
    names = definition["parameters"]["subscriptionNames"]["defaultValue"]
    assert names == {"aaaaaaaa-0000-4000-8000-000000000001": HOSTILE_NAME}


def test_email_html_is_inlined_and_self_contained() -> None:
    definition = build_definition(settings_from_stack("example"))
    actions = definition["actions"][SCOPE]["actions"]
    html = actions["Compose_report_html"]["inputs"] + definition["actions"]["Send_report"]["inputs"]["body"]["Body"]
    html += "".join(actions[name]["inputs"]["select"] for name in actions if name.startswith("Select_"))
    lowered = html.lower()
    for forbidden in ("<style", "<script", "<svg", "<link", "data:", "@import", "<img", "font-face", "javascript:"):
        assert forbidden not in lowered
    # Every link goes to the Azure portal.
    assert re.findall(r"https://[^'\"]*?/", html) and set(re.findall(r"https://[^/'\"]*/", html)) == {
        "https://portal.azure.com/"}
    assert "max-width:600px" in html and "style=" in html
    assert "[[" not in html
    # The only comments left are Outlook's conditional ones around the fixed 600px table (report, no-data email).
    assert re.sub(r"<!--\[if mso\]>.*?<!\[endif\]-->", "", html).count("<!--") == 0
    assert html.count("<!--[if mso]>") == 4 and '<table role="presentation" width="600"' in html
