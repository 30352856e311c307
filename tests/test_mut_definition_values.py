"""Row values and workflow shapes the mutation run (seed 1) found untested.

Sources: Learn "Schema reference guide for trigger and action types in Azure Logic Apps" (the action
type names, written as there: Compose, Query for "Filter array", Select, Http, ApiConnection, Scope, If,
Until, InitializeVariable, SetVariable, Terminate, Wait, ...); REST spec Communication Email data plane
2025-09-01, EmailMessage (headers, senderAddress, content, recipients, attachments, replyTo,
userEngagementTrackingDisabled). Row expressions run in the emulator (securescore/emulator), over rows
shaped like the queries' final projections (kql/*.kql).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from securescore.emulator.expressions import EvaluationContext, evaluate_expression, iter_expressions
from securescore.logicapp.definition import build_definition
from securescore.logicapp.email_values import row_values
from securescore.queries import KQL_DIR
from tests.conftest import REPORT_NOW, make_settings
from tests.test_mut_definition_shapes import MODES, _blocks
from tests.test_zerotouch_definition import _final_columns

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}
# Every action type of the schema reference, spelled as it writes them.
ACTION_TYPES = {
    "ApiConnection", "ApiConnectionWebhook", "AppendToArrayVariable", "AppendToStringVariable", "Compose",
    "DecrementVariable", "Foreach", "Function", "Http", "HttpWebhook", "If", "IncrementVariable",
    "InitializeVariable", "Join", "ParseJson", "Query", "Response", "Scope", "Select", "SetVariable", "Switch",
    "Table", "Terminate", "Until", "Wait", "Workflow",
}
# EmailMessage's properties in the Email REST spec (2025-09-01).
EMAIL_MESSAGE = {"headers", "senderAddress", "content", "recipients", "attachments", "replyTo",
                 "userEngagementTrackingDisabled"}


def _row(expr: str, row: dict[str, Any]) -> Any:
    return evaluate_expression(expr, EvaluationContext(now=REPORT_NOW, items=[row]))


@pytest.mark.parametrize("mode", MODES)
def test_every_action_type_is_spelled_as_the_schema_reference_spells_it(mode: dict[str, Any]) -> None:
    definition = build_definition(make_settings(exportAssessments=True, **mode))
    for where, actions in _blocks(definition["actions"]):
        for name, action in actions.items():
            assert action["type"] in ACTION_TYPES, f"{where}/{name}: {action['type']}"


def test_the_acs_send_body_has_only_the_email_messages_properties_and_no_tracking() -> None:
    definition = build_definition(make_settings(logsQuery="http", **ACS))
    for name in ("Send_report", "Send_failure_notice"):
        body = definition["actions"][name]["inputs"]["body"]
        assert set(body) <= EMAIL_MESSAGE, set(body) - EMAIL_MESSAGE
        assert body["userEngagementTrackingDisabled"] is True, name


@pytest.mark.parametrize("mode", MODES)
def test_first_row_values_read_their_querys_columns_spelled_as_the_query_spells_them(mode: dict[str, Any]) -> None:
    # body('Query_q')?['value']?[0]?['Column'] (connector) or body('Rows_q')?[0]?['Column'] (http).
    first = re.compile(r"body\('(?:Query|Rows)_(\w+)'\)(?:\?\['value'\])?\?\[0\]\?\['(\w+)'\]")
    definition = build_definition(make_settings(exportAssessments=True, **mode))
    found: set[tuple[str, str]] = set()
    for expression in iter_expressions(definition["actions"]):
        found.update(first.findall(expression))
    assert any(query == "overall" for query, _ in found)
    for query, column in found:
        assert column in _final_columns((KQL_DIR / f"{query}.kql").read_text()), (query, column)


# --- table rows ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("severity", "high", "medium", "other"), [
    ("High", "High", "", ""), ("Medium", "", "Medium", ""), ("Low", "", "", "Low"),
])
def test_each_severity_shows_in_its_own_cell(severity: str, high: str, medium: str, other: str) -> None:
    values = row_values(True)["recommendations"]
    row = {"Severity": severity}
    assert (_row(values["severity_high"], row), _row(values["severity_medium"], row),
            _row(values["severity_other"], row)) == (high, medium, other)


@pytest.mark.parametrize("table", ["recommendations", "top_controls", "unhealthy_controls"])
@pytest.mark.parametrize(("count", "shown"), [(1, "1 subscription"), (2, "2 subscriptions"), (0, "0 subscriptions")])
def test_a_rows_subscription_count_agrees_with_its_noun(table: str, count: int, shown: str) -> None:
    values = row_values(True)[table]
    assert _row(values["subscriptions"], {"Subscriptions": count}) == shown
