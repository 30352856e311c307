"""The emulator's public names stay importable where callers find them (preview, bench, tests)."""

from __future__ import annotations

import importlib

import pytest

NAMES = {
    "securescore.emulator.runner": [
        "run_workflow", "RunResult", "ActionRun", "ConnectorError", "UnsupportedConstructError",
        "InvalidExpressionError", "ExpressionError", "WorkflowDefinitionError", "HttpRequest", "HttpResponder",
    ],
    "securescore.emulator.local_run": ["run_locally", "LocalRun", "CapturedEmail", "DataSource"],
    "securescore.emulator.expressions": [
        "iter_expressions", "parse", "referenced_actions", "EvaluationContext", "evaluate_value",
        "ExpressionError", "InvalidExpressionError", "UnsupportedConstructError",
    ],
}  # fmt: skip


@pytest.mark.parametrize(("module", "name"), [(module, name) for module, names in NAMES.items() for name in names])
def test_each_name_is_importable_from_its_module_and_from_the_package(module: str, name: str) -> None:
    value = getattr(importlib.import_module(module), name)
    assert getattr(importlib.import_module("securescore.emulator"), name, value) is value


def test_the_package_exports_every_documented_name() -> None:
    package = importlib.import_module("securescore.emulator")
    for name in ["run_workflow", "RunResult", "ActionRun", "ConnectorError", "UnsupportedConstructError",
                 "InvalidExpressionError", "ExpressionError", "WorkflowDefinitionError", "run_locally", "LocalRun",
                 "CapturedEmail", "DataSource", "iter_expressions", "parse", "referenced_actions"]:  # fmt: skip
        assert name in package.__all__
        getattr(package, name)
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018
