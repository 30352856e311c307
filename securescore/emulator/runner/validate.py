"""Checks made before anything runs: what Logic Apps refuses on save, and what the emulator cannot run.

Logic Apps' save-time rules applied here, each with its source (docs/design.md lists them):
- runAfter names an action of the same block ("actions that exist inside a control workflow action
  can only 'run after' other actions that are in the same control workflow structure", schema
  reference for trigger and action types), with the statuses Succeeded, Failed, Skipped, TimedOut
  in any case; no cycles; action names unique.
- body()/outputs()/actions()/result() name actions that exist ("The template validation failed:
  'The action(s) 'X' referenced by 'inputs' in action 'Y' are not defined in the template'", the
  save-time error quoted in Microsoft Graph's Power Automate training). An undeclared parameter is
  not such a rule: published templates deploy with one (it fails the action when it runs).
- InitializeVariable only at the top level ("Create variables to store and manage values");
  Terminate never inside Foreach or Until (schema reference, Terminate action).
Everything else the emulator does not know (action types, properties, runtime options) is refused
as unsupported, naming the action and the construct.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from securescore.emulator.errors import (
    ExpressionError,
    InvalidExpressionError,
    WorkflowDefinitionError,
    cannot_run,
)
from securescore.emulator.evaluate import iter_expressions, referenced_actions
from securescore.emulator.runner.engine import child_blocks, topological_order
from securescore.emulator.runner.model import RUN_AFTER_STATUSES, canonical_status

Json = Any

_COMMON = frozenset(
    {"type", "inputs", "runAfter", "runtimeConfiguration", "operationOptions", "description", "metadata",
     "trackedProperties", "limit"}
)  # fmt: skip
_CONTAINER_PROPERTIES = {
    "scope": {"actions"},
    "if": {"actions", "else", "expression"},
    "foreach": {"actions", "foreach"},
    "until": {"actions", "expression"},
}
_OPERATION_OPTIONS = {
    "foreach": {"sequential"},
    "http": {"disableasyncpattern", "suppressworkflowheaders"},
    "apiconnection": {"disableasyncpattern"},
}
_RUNTIME_CONFIGURATION = {"securedata", "concurrency"}  # staticResult, paginationPolicy, contentTransfer: not run
EVALUATED_PROPERTIES = ("inputs", "expression", "foreach", "limit")


def iter_all_actions(actions: dict[str, Json]) -> Iterator[tuple[str, dict[str, Json]]]:
    for name, action in actions.items():
        yield name, action
        if isinstance(action, dict):
            for block in child_blocks(action):
                yield from iter_all_actions(block)


def collect_names(actions: dict[str, Json]) -> set[str]:
    names: set[str] = set()
    for name, action in iter_all_actions(actions):
        if name in names:
            raise WorkflowDefinitionError(f"action name '{name}' is used more than once")
        if not isinstance(action, dict):
            raise WorkflowDefinitionError(f"action '{name}' is not an object")
        names.add(name)
    return names


def validate_actions(
    actions: dict[str, Json],
    *,
    names: set[str],
    supported: set[str],
    has_http: bool,
    scope: str | None = None,
    loops: tuple[str, ...] = (),
) -> None:
    for name, action in actions.items():
        kind = _check_shape(name, action, supported, has_http)
        _check_run_after(name, action, actions, scope)
        _check_expressions(name, action, names)
        if kind == "initializevariable" and scope is not None:
            raise WorkflowDefinitionError(
                f"action '{name}': variables can only be initialized at the top level, not inside '{scope}'"
            )
        if kind == "terminate" and loops:
            raise WorkflowDefinitionError(f"action '{name}': Terminate cannot be inside the loop '{loops[-1]}'")
        inner_loops = (*loops, name) if kind in ("foreach", "until") else loops
        for block in child_blocks(action):
            validate_actions(
                block, names=names, supported=supported, has_http=has_http,
                scope=name, loops=inner_loops,
            )  # fmt: skip
    if len(topological_order(actions)) != len(actions):
        stuck = sorted(set(actions) - set(topological_order(actions)))
        raise WorkflowDefinitionError(f"runAfter cycle among actions: {', '.join(stuck)}")


def _check_shape(name: str, action: dict[str, Json], supported: set[str], has_http: bool) -> str:
    kind = action.get("type")
    if not isinstance(kind, str) or kind.lower() not in supported:
        raise cannot_run(f"action '{name}' of type '{kind}'", "the emulator does not implement that action type")
    kind = kind.lower()
    if kind == "http" and not has_http:
        raise cannot_run(f"Http action '{name}'", "the run was given no HTTP responder")
    extra = sorted(set(action) - _COMMON - _CONTAINER_PROPERTIES.get(kind, set()))
    if extra:
        raise cannot_run(f"the properties {extra} of action '{name}'")
    for option in filter(None, str(action.get("operationOptions") or "").replace(" ", "").split(",")):
        if option.lower() not in _OPERATION_OPTIONS.get(kind, set()):
            raise cannot_run(f"operationOptions '{option}' of action '{name}'")
    configuration = action.get("runtimeConfiguration") or {}
    for key in configuration:
        if key.lower() not in _RUNTIME_CONFIGURATION or (key.lower() == "concurrency" and kind != "foreach"):
            raise cannot_run(f"runtimeConfiguration.{key} of action '{name}'")
    return kind


def _check_run_after(name: str, action: dict[str, Json], siblings: dict[str, Json], scope: str | None) -> None:
    run_after = action.get("runAfter") or {}
    if not isinstance(run_after, dict):
        raise WorkflowDefinitionError(f"action '{name}': runAfter must be an object")
    for predecessor, statuses in run_after.items():
        if predecessor not in siblings:
            where = f"'{scope}'" if scope else "the top level"
            raise WorkflowDefinitionError(f"action '{name}' runs after '{predecessor}', which is not in {where}")
        if not isinstance(statuses, list) or not statuses or any(canonical_status(s) is None for s in statuses):
            raise WorkflowDefinitionError(
                f"action '{name}': invalid runAfter statuses {statuses!r} for '{predecessor}' "
                f"(accepted, in any case: {', '.join(RUN_AFTER_STATUSES)})"
            )


def _check_expressions(name: str, action: dict[str, Json], names: set[str]) -> None:
    for key in EVALUATED_PROPERTIES:
        try:
            expressions = list(iter_expressions(action.get(key)))
        except ExpressionError as exc:
            raise type(exc)(f"action '{name}': {exc}") from exc
        for text in expressions:
            for referenced in referenced_actions(text):
                if referenced not in names:
                    raise InvalidExpressionError(
                        f"action '{name}': expression '{text}' references undefined action '{referenced}'"
                    )
