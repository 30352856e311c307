"""A local stand-in for Azure Logic Apps: evaluates workflow expressions and runs a definition.

Not part of what gets deployed. The preview uses it to execute the very definition `pulumi up`
deploys (`securescore.emulator.local_run`). The parts, in reading order:

- `syntax`     definition strings (`@expr`, `@{expr}`, `@@`), tokens, the syntax tree
- `values`     value types, JSON text, Logic Apps' implicit conversions and comparisons
- `functions`  the expression function reference, one module per family (strings, collection,
               logical, conversion, arithmetic, dates, workflow, uri, manipulation)
- `dotnet`     the .NET date and number formatting Logic Apps inherits
- `evaluate`   parse with function checks; evaluate values in an `EvaluationContext`
- `runner`     run a definition: validation, the run loop, one module per action family
- `local_run`  the preview: the stack's definition against a data source, mail captured

Errors (`errors`): `InvalidExpressionError` only for what Logic Apps refuses on save (each rule
proven from Microsoft's documentation), `UnsupportedConstructError` for what the emulator cannot
run, `ExpressionError` for runtime failures, `WorkflowDefinitionError` for broken definitions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from securescore.emulator.errors import (
    ConnectorError,
    ExpressionError,
    InvalidExpressionError,
    UnsupportedConstructError,
    WorkflowDefinitionError,
)
from securescore.emulator.evaluate import iter_expressions, parse, referenced_actions
from securescore.emulator.runner import ActionRun, HttpRequest, HttpResponder, RunResult, run_workflow

if TYPE_CHECKING:
    from securescore.emulator.local_run import CapturedEmail, DataSource, LocalRun, run_locally

__all__ = [
    "ActionRun",
    "CapturedEmail",
    "ConnectorError",
    "DataSource",
    "ExpressionError",
    "HttpRequest",
    "HttpResponder",
    "InvalidExpressionError",
    "LocalRun",
    "RunResult",
    "UnsupportedConstructError",
    "WorkflowDefinitionError",
    "iter_expressions",
    "parse",
    "referenced_actions",
    "run_locally",
    "run_workflow",
]

_LOCAL_RUN = frozenset({"CapturedEmail", "DataSource", "LocalRun", "run_locally"})


def __getattr__(name: str) -> Any:
    # local_run builds the stack's definition (settings, logicapp): loaded only when asked for, so
    # the parser and runner stay importable on their own.
    if name in _LOCAL_RUN:
        from securescore.emulator import local_run

        return getattr(local_run, name)
    raise AttributeError(f"module 'securescore.emulator' has no attribute '{name}'")
