"""The failure notice is built whatever the other actions of the scope left behind, and whether or not
Logic Apps evaluates both branches of if().

Sources disagree on if(): a Logic Apps blog (blog.kloud.com.au, 2017-10-17, "Azure Logic App evaluating
IF condition...") reports that both branches are evaluated; Microsoft's own templates rely on the
opposite (docs/design.md, "The failure notice, type-safe"). The emulator evaluates only the chosen branch;
these tests run the failure path a second time with an eager if() patched in, so a branch that cannot be
evaluated on some result() item (a Select's array body, a Compose's HTML) fails here as it would in Azure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from securescore.datasources.sample import SampleSource
from securescore.emulator import ExpressionError, parse
from securescore.emulator.context import EvaluationContext
from securescore.emulator.evaluate import evaluate_expression
from securescore.emulator.functions import logical
from securescore.emulator.functions.registry import FUNCTIONS, bool_arg
from securescore.emulator.local_run import run_locally
from securescore.logicapp.definition import build_definition
from securescore.logicapp.wdl import object_or_empty
from securescore.queries import QUERY_NAMES
from tests.conftest import REPORT_NOW, make_settings

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}
MODES = {"connector": {}, "http": {"logsQuery": "http"}, "acs": ACS, "zerotouch": {"logsQuery": "http", **ACS}}


def _eager_if(nodes: tuple[Any, ...], ctx: Any) -> Any:
    """if() as the 2017 report describes it: every argument is evaluated, then one is returned."""
    condition, when_true, when_false = (logical._evaluate(node, ctx) for node in nodes)
    return when_true if bool_arg("if", condition, 0) else when_false


@pytest.fixture(params=["lazy", "eager"])
def if_semantics(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "eager":
        monkeypatch.setitem(FUNCTIONS, "if", replace(FUNCTIONS["if"], fn=_eager_if))
    yield request.param


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("failing", [QUERY_NAMES[0], QUERY_NAMES[-1]])
def test_the_notice_names_the_failed_query_under_either_if_semantics(mode: str, failing: str,
                                                                     if_semantics: str) -> None:
    settings = make_settings(3, exportAssessments=True, **MODES[mode])
    result = run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW, fail_query=failing)
    statuses = {name: action.status for name, action in result.run.actions.items()}
    # Other queries, their Selects and Composes have succeeded: result() holds array and string bodies.
    assert "Succeeded" in {statuses[f"Query_{q}"] for q in QUERY_NAMES if q != failing}
    assert statuses["Select_failed_actions"] == "Succeeded", result.run.actions["Select_failed_actions"].error
    assert result.email.action == "Send_failure_notice"
    assert f"<b>Query_{failing}</b>" in result.email.html


def test_the_old_connector_expression_fails_on_an_array_body_when_both_branches_are_evaluated(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The class of bug the eager runs catch: selecting a property of a Select's array body."""
    monkeypatch.setitem(FUNCTIONS, "if", replace(FUNCTIONS["if"], fn=_eager_if))
    old = "if(equals(item()?['status'], 'Failed'), item()?['outputs']?['body']?['error']?['message'], '')"
    item = {"name": "Select_trend_rows", "status": "Succeeded", "outputs": {"body": [{"a": 1}]}}
    with pytest.raises(ExpressionError):
        evaluate_expression(old, _item_context(item))


# What a result() item's outputs.body can be: Microsoft Learn, "Reference guide to workflow expression
# functions" (result(): each item's outputs as the action's run history shows them) and the action types
# of the scope (Select: an array; Compose: its value; Http / ApiConnection: the response body, or none).
BODIES: dict[str, Any] = {
    "object with error": {"error": {"code": "PartialError", "message": "m"}},
    "object": {"tables": []},
    "array of objects": [{"a": 1}],
    "array of strings": ["<tr><td>x</td></tr>"],
    "html string": "<table><tr><td>{x}</td></tr></table>",
    "string that looks like an object": "{not json",
    "empty string": "",
    "number": 3,
    "boolean": True,
    "null": None,
}


@pytest.mark.parametrize("body", list(BODIES), ids=list(BODIES))
def test_object_or_empty_reads_any_body_without_failing(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FUNCTIONS, "if", replace(FUNCTIONS["if"], fn=_eager_if))
    item = {"name": "X", "status": "Succeeded", "outputs": {"body": BODIES[body]}}
    expression = object_or_empty("item()?['outputs']?['body']")
    parse(expression)
    if body == "string that looks like an object":
        # The one residual: a text body that starts with "{" and is not JSON. No action of the scope
        # answers such a text (docs/design.md); json() refuses it, in Azure as here.
        with pytest.raises(ExpressionError):
            evaluate_expression(expression, _item_context(item))
        return
    value = evaluate_expression(f"{expression}?['error']?['message']", _item_context(item))
    assert value == ("m" if body == "object with error" else None)


def test_one_safe_form_serves_every_mode() -> None:
    safe = object_or_empty("item()?['outputs']?['body']")
    for mode in MODES.values():
        select = build_definition(make_settings(2, **mode))["actions"]["Select_failed_actions"]["inputs"]["select"]
        assert safe in select
        assert "item()?['outputs']?['body']?[" not in select  # no property read of an unchecked body


def _item_context(item: dict[str, Any]) -> EvaluationContext:
    return EvaluationContext(now=REPORT_NOW, items=[item])
