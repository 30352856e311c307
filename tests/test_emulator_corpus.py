"""Real expressions from published workflow definitions, as regression tests, and the corpus script.

Each expression below is copied from a definition Microsoft publishes (the repository is named);
before this emulator rework the parser called every one of them "Logic Apps would reject this".
The measurement behind the figures in docs/design.md is `python -m bench.emulator_corpus DIR`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.emulator_corpus import iter_definitions, measure, report, split_expressions
from securescore.emulator.expressions import (
    EvaluationContext,
    InvalidExpressionError,
    UnsupportedConstructError,
    evaluate_value,
    parse,
)

RUNNABLE = [
    ("Azure/Azure-Network-Security", "first(skip(first(variables('Rows')), 1))"),
    (
        "Azure/Azure-Network-Security",
        "coalesce(body('HTTP_Get_target_ipGroup')?['properties']?['ipAddresses'], createArray())",
    ),
    ("Azure/LogicAppsTemplates", "range(0, length(body('Chunk_text')['value']))"),
    ("Azure/LogicAppsTemplates", "slice(triggerBody()?['name'],-3)"),
    (
        "Azure/LogicAppsTemplates",
        "greater(parseDateTime(item()?['InsertionTime']),triggerOutputs()['windowStartTime'])",
    ),
    ("Azure/Microsoft-Defender-for-Cloud", "base64ToString(body('CurrentScore')?['body'])"),
    ("Azure/Microsoft-Defender-for-Cloud", "addProperty(variables('Tags'), 'host', variables('hostname'))"),
    ("Azure/Microsoft-Defender-for-Cloud", "base64(body('HTTP_3'))"),
    (
        "Azure/Microsoft-Defender-for-Cloud",
        "div(sub(ticks(variables('lastevaldate')),ticks(variables('PrevEvaldate'))),864000000000)",
    ),
    (
        "Azure/logicapps",
        "less(ticks(items('For_each')?['LastModified']), ticks(addDays(utcnow(), variables('TierAgeInDays'))))",
    ),
    ("Azure/logicapps", "rand(1,10)"),
    ("Azure/logicapps", "parameters('$connections')[concat('servicebus_', rand(1,3))]['connectionId']"),
    ("Azure/logicapps", "convertToUtc(triggerBody()?['timestamp'],triggerBody()?['sourceTimeZone'])"),
    ("Azure/logicapps", "triggerBody()?.data"),
    ("Azure/logicapps", "iterationIndexes('Until')"),
    (
        "Azure/logicapps",
        "setProperty(body('Get_vNet'), 'properties', removeProperty(setProperty(variables('vNetProperties'), "
        "'enableDdosProtection', false), 'ddosProtectionPlan'))",
    ),
]

UNSUPPORTED = [
    ("Azure/Azure-Network-Security", "listCallbackUrl()", "listCallbackUrl()"),
    ("Azure/logicapps", "appsetting('httpuri')", "appsetting()"),
    ("Azure/logicapps", "agentParameters('CSV Payload')", "agentParameters()"),
    ("Azure/logicapps", "actionOutputs('List_Runs')['statusCode']", "actionOutputs()"),
    ("Azure/logicapps", "base64ToBinary(items('Foreach')['ContentBytes'])", "base64ToBinary()"),
    ("Azure/logicapps", "xpath(xml(triggerBody()?['Content']), 'namespace-uri(/*)')", "xpath()"),
    # The designer once wrote encodeURIComponent with several arguments; the reference documents one.
    ("Azure/logicapps", "encodeURIComponent('',items('For_each_record')?['RowKey'])", "with 2 argument(s)"),
    (
        "Azure/Microsoft-Defender-for-Cloud",
        "encodeURIComponent('virtualNetworks/',split(item(),'/')[8])",
        "with 2 argument(s)",
    ),
]


@pytest.mark.parametrize(("repository", "expression"), RUNNABLE)
def test_published_expressions_parse(repository: str, expression: str) -> None:
    parse(expression)


@pytest.mark.parametrize(("repository", "expression", "what"), UNSUPPORTED)
def test_published_expressions_the_emulator_cannot_run_are_unsupported(
    repository: str, expression: str, what: str
) -> None:
    with pytest.raises(UnsupportedConstructError) as caught:
        parse(expression)
    assert not isinstance(caught.value, InvalidExpressionError)
    assert what in str(caught.value)


def test_the_one_invalid_published_expression_is_a_real_syntax_error() -> None:
    # Azure/LogicAppsTemplates analyze-documents-ai-docintelligence/default/workflow.json writes
    # "@parameters('OpenAI_TextEmbedding_Deployment_Identifier_docIntelligence": the quote and the
    # parenthesis are never closed, which the WDL reference's literal rules and the designer refuse.
    with pytest.raises(InvalidExpressionError, match="unterminated string literal"):
        parse("parameters('OpenAI_TextEmbedding_Deployment_Identifier_docIntelligence")


def test_published_expressions_evaluate() -> None:
    ctx = EvaluationContext(
        now=datetime(2026, 11, 22, 6, 0, tzinfo=UTC),
        variables={
            "Rows": ("array", [["a", "b"], ["c"]]),
            "lastevaldate": ("string", "2026-11-22T00:00:00Z"),
            "PrevEvaldate": ("string", "2026-11-15T00:00:00Z"),
        },
        trigger={"outputs": {"body": {"name": "report.pdf", "data": {"k": 1}}}},
    )
    assert evaluate_value("@first(skip(first(variables('Rows')), 1))", ctx) == "b"
    assert evaluate_value("@slice(triggerBody()?['name'],-3)", ctx) == "pdf"
    assert evaluate_value("@triggerBody()?.data", ctx) == {"k": 1}
    days = "@div(sub(ticks(variables('lastevaldate')),ticks(variables('PrevEvaldate'))),864000000000)"
    assert evaluate_value(days, ctx) == 7


def test_split_expressions_follows_the_definition_string_rules() -> None:
    assert split_expressions("@body('A')") == ["body('A')"]
    assert split_expressions("x @{a()} y @{'}'} z") == ["a()", "'}'"]
    assert split_expressions("@@{not} @{b()}") == ["b()"]
    assert split_expressions("@") == []
    assert split_expressions("[concat('@{', parameters('x'))]") is None  # an ARM template expression
    assert split_expressions("[[not ARM] @{c()}") == ["c()"]


def test_iter_definitions_finds_arm_standard_and_standalone_definitions() -> None:
    definition = {"triggers": {}, "actions": {"A": {"type": "Compose", "inputs": "@x()"}}}
    arm = {"resources": [{"type": "Microsoft.Logic/workflows", "properties": {"definition": definition}}]}
    nested = {"resources": [{"type": "Microsoft.Resources/deployments", "properties": {"template": arm}}]}
    standard = {"definition": definition, "kind": "Stateful"}
    standalone = {"$schema": "https://schema.management.azure.com/.../workflowdefinition.json#", "actions": {}}
    assert [len(list(iter_definitions(doc))) for doc in (arm, nested, standard, standalone, {"a": 1})] == [
        1,
        1,
        1,
        1,
        0,
    ]


def test_measure_counts_ok_unsupported_and_invalid(tmp_path: Path) -> None:
    actions = {
        "A": {"type": "Compose", "inputs": "@variables('v')", "runAfter": {}},
        "B": {
            "type": "Http",
            "inputs": {"uri": "@{listCallbackUrl()}", "body": "@concat('a'"},
            "runAfter": {"A": ["SUCCEEDED"]},
        },
    }
    (tmp_path / "wf").mkdir()
    (tmp_path / "wf" / "workflow.json").write_text(json.dumps({"definition": {"triggers": {}, "actions": actions}}))
    (tmp_path / "broken.json").write_text("{not json")
    tally = measure(tmp_path)
    assert (tally.files, tally.unreadable, tally.definitions, tally.expressions) == (2, 1, 1, 3)
    assert tally.ok == 1
    assert dict(tally.unsupported) == {"listCallbackUrl()": 1}
    assert dict(tally.invalid) == {"expected ','": 1}
    assert tally.run_after_statuses == {"SUCCEEDED": 1}
    assert tally.definitions_ready == 0
    assert dict(tally.definitions_refused) == {"unsupported: listCallbackUrl()": 1}
    assert "parsed ok:   1 (33.3 %)" in report(tally, examples=False)


def test_measure_replaces_arm_expressions_before_the_runner_checks(tmp_path: Path) -> None:
    actions = {
        "A": {"type": "Compose", "inputs": "[concat('@{body(''X'')}', parameters('p'))]", "runAfter": {}},
        "B": {"type": "ParseJson", "inputs": {"content": "{}", "schema": {}}, "runAfter": {}},
    }
    arm = {"resources": [{"type": "Microsoft.Logic/workflows", "properties": {"definition": {"actions": actions}}}]}
    (tmp_path / "azuredeploy.json").write_text(json.dumps(arm))
    tally = measure(tmp_path)
    assert (tally.arm_strings, tally.expressions) == (1, 0)
    assert dict(tally.definitions_refused) == {"unsupported: action type ParseJson": 1}
    del actions["B"]
    (tmp_path / "azuredeploy.json").write_text(json.dumps(arm))
    assert measure(tmp_path).definitions_ready == 1
