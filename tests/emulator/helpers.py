"""Small builders for runner tests (a definition, actions), shared by the test_emulator_* files."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from securescore.emulator.expressions import EvaluationContext, evaluate_value
from securescore.emulator.runner import RunResult, run_workflow

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
SCHEMA = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#"


def definition(actions: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": parameters or {},
        "triggers": {"Recurrence": {"type": "Recurrence", "recurrence": {"frequency": "Week", "interval": 1}}},
        "actions": actions,
    }


def action(
    kind: str, inputs: Any = None, run_after: dict[str, list[str]] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind, "runAfter": run_after or {}}
    if inputs is not None:
        body["inputs"] = inputs
    body.update(extra)
    return body


def compose(inputs: Any, run_after: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return action("Compose", inputs, run_after)


def variable(name: str, kind: str, value: Any = None, run_after: dict[str, list[str]] | None = None) -> dict[str, Any]:
    declaration: dict[str, Any] = {"name": name, "type": kind}
    if value is not None:
        declaration["value"] = value
    return action("InitializeVariable", {"variables": [declaration]}, run_after)


def run(actions: dict[str, Any], **kwargs: Any) -> RunResult:
    declared = kwargs.pop("declared", None)
    parameters = kwargs.pop("parameters", None) or {}
    connector = kwargs.pop("connector", None)
    return run_workflow(definition(actions, declared), parameters, connector, NOW, **kwargs)


def ev(expression: str) -> Any:
    """The value of one expression (written without its leading @) at NOW."""
    return evaluate_value("@" + expression, EvaluationContext(now=NOW))
