"""Executes a Logic Apps workflow definition locally, deterministically, with a pinned clock.

Supported action types: Scope, Compose, Select, Query (Filter array) and ApiConnection (answered by
the `connector` callback). Anything else raises `UnsupportedConstructError` naming the action, so a
preview can never silently differ from the deployed workflow. Triggers are not executed.

Status rules (kept simple, and documented here):
- An action runs when every runAfter predecessor ended in one of the listed statuses; else Skipped.
  Ready actions run in name order. A skipped Scope skips everything inside it.
- A Scope is Failed if any action directly inside it ended Failed or TimedOut, else Succeeded.
- The run is Failed if an action that ran is Failed/TimedOut and no action that runs after it ran
  (an unhandled failure); a failure handled by a `runAfter: Failed` action leaves the run Succeeded,
  as in Logic Apps.
- A runtime expression error fails the action with code `InvalidTemplate`; an expression Logic Apps
  would reject at save time, or one using an unsupported function, raises.
"""

from __future__ import annotations

import heapq
import http
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from securescore.emulator.expressions import (
    EvaluationContext,
    ExpressionError,
    InvalidExpressionError,
    UnsupportedConstructError,
    evaluate_value,
    format_datetime,
    iter_expressions,
    parse_template,
    referenced_actions,
    stamp_from_datetime,
)

__all__ = [
    "ActionRun",
    "ConnectorError",
    "ExpressionError",
    "InvalidExpressionError",
    "RunResult",
    "UnsupportedConstructError",
    "WorkflowDefinitionError",
    "run_workflow",
]

Json = Any
Connector = Callable[[str, dict[str, Json]], dict[str, Json]]

STATUSES = ("Succeeded", "Failed", "Skipped", "TimedOut")
_SUPPORTED_TYPES = ("scope", "compose", "select", "query", "apiconnection")
# Action properties that don't change what a local run does.
_IGNORED_PROPERTIES = frozenset({"runtimeConfiguration", "description", "metadata", "trackedProperties", "limit"})
_KNOWN_PROPERTIES = frozenset({"type", "inputs", "runAfter", "actions"}) | _IGNORED_PROPERTIES


class WorkflowDefinitionError(Exception):
    """The definition itself is invalid (cycles, missing runAfter targets, duplicate names, parameters)."""


class ConnectorError(Exception):
    """Raised by a connector callback: the ApiConnection action fails with this message."""

    def __init__(self, message: str, code: str = "ConnectorError") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class ActionRun:
    name: str
    type: str
    status: str
    inputs: Json = None
    outputs: Json = None
    error: dict[str, Json] | None = None
    code: str | None = None
    scope: str | None = None  # the enclosing Scope action, None at the top level

    def as_result(self, timestamp: str) -> dict[str, Json]:
        """The object `actions(name)` and each `result(scope)` entry return."""
        return {
            "name": self.name,
            "status": self.status,
            "code": self.code,
            "startTime": timestamp,
            "endTime": timestamp,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "error": self.error,
        }


@dataclass
class RunResult:
    status: str
    actions: dict[str, ActionRun] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)


def run_workflow(
    definition: dict[str, Json],
    parameters: dict[str, Json],
    connector: Connector,
    now: datetime,
    trigger_outputs: dict[str, Json] | None = None,
    *,
    workflow_info: dict[str, Json] | None = None,
) -> RunResult:
    """Run `definition` locally: same inputs, same result."""
    actions = definition.get("actions") or {}
    names = _collect_names(actions)
    timestamp = format_datetime(stamp_from_datetime(now), "o")
    ctx = EvaluationContext(
        now=now if now.tzinfo else now.replace(tzinfo=UTC),
        parameters=_parameter_values(definition.get("parameters") or {}, parameters),
        trigger=_trigger_object(definition, trigger_outputs, timestamp),
        workflow=workflow_info or _default_workflow_info(timestamp),
        defined_actions=names,
    )
    _validate_actions(actions, names, scope=None)
    runner = _Runner(ctx, connector, timestamp)
    top = runner.run_scope(actions, scope=None)
    return RunResult(status=_run_status(actions, top), actions=runner.runs, order=runner.order)


# --------------------------------------------------------------------------------------------------
# Setup and static validation
# --------------------------------------------------------------------------------------------------


def _parameter_values(declared: dict[str, Json], supplied: dict[str, Json]) -> dict[str, Json]:
    """Declared defaults overridden by supplied values (`{"name": v}` or ARM's `{"name": {"value": v}}`)."""
    unknown = sorted(set(supplied) - set(declared))
    if unknown:
        raise WorkflowDefinitionError(f"parameters not declared in the definition: {', '.join(unknown)}")
    values: dict[str, Json] = {}
    for name, spec in declared.items():
        if name in supplied:
            value = supplied[name]
            # ARM parameter-file shape; a supplied object whose only key is "value" is taken as that shape.
            values[name] = value["value"] if isinstance(value, dict) and set(value) == {"value"} else value
        elif isinstance(spec, dict) and "defaultValue" in spec:
            values[name] = spec["defaultValue"]
        else:
            raise WorkflowDefinitionError(f"parameter '{name}' has no value and no defaultValue")
    return values


def _trigger_object(definition: dict[str, Json], outputs: dict[str, Json] | None, timestamp: str) -> dict[str, Json]:
    triggers = definition.get("triggers") or {}
    name = sorted(triggers)[0] if triggers else "manual"
    return {
        "name": name,
        "scheduledTime": timestamp,
        "startTime": timestamp,
        "endTime": timestamp,
        "status": "Succeeded",
        "code": "OK",
        "outputs": outputs if outputs is not None else {"headers": {}, "body": None},
    }


def _default_workflow_info(timestamp: str) -> dict[str, Json]:
    return {
        "id": "/workflows/local-preview",
        "name": "local-preview",
        "type": "Microsoft.Logic/workflows",
        "location": "local",
        "run": {"id": "/workflows/local-preview/runs/local", "name": "local", "type": "Microsoft.Logic/workflows/runs"},
        "tags": {},
        "startTime": timestamp,
    }


def _iter_actions(actions: dict[str, Json]) -> Iterator[tuple[str, dict[str, Json]]]:
    for name, action in actions.items():
        yield name, action
        if isinstance(action, dict) and isinstance(action.get("actions"), dict):
            yield from _iter_actions(action["actions"])


def _collect_names(actions: dict[str, Json]) -> set[str]:
    names: set[str] = set()
    for name, action in _iter_actions(actions):
        if name in names:
            raise WorkflowDefinitionError(f"action name '{name}' is used more than once")
        if not isinstance(action, dict):
            raise WorkflowDefinitionError(f"action '{name}' is not an object")
        names.add(name)
    return names


def _validate_actions(actions: dict[str, Json], names: set[str], scope: str | None) -> None:
    """What Logic Apps checks on save: types, runAfter graph, expression syntax, referenced actions."""
    for name, action in actions.items():
        _check_action_shape(name, action)
        for predecessor, statuses in (action.get("runAfter") or {}).items():
            if predecessor not in actions:
                where = f"scope '{scope}'" if scope else "the top level"
                raise WorkflowDefinitionError(f"action '{name}' runs after '{predecessor}', which is not in {where}")
            if not statuses or any(status not in STATUSES for status in statuses):
                raise WorkflowDefinitionError(
                    f"action '{name}': invalid runAfter statuses {statuses!r} for '{predecessor}'"
                )
        for text in iter_expressions(action.get("inputs")):
            for referenced in referenced_actions(text):
                if referenced not in names:
                    raise InvalidExpressionError(
                        f"action '{name}': expression '{text}' references undefined action '{referenced}'"
                    )
        if action["type"].lower() == "scope":
            _validate_actions(action.get("actions") or {}, names, scope=name)
    _topological_order(actions)  # raises on cycles


def _check_action_shape(name: str, action: dict[str, Json]) -> None:
    kind = action.get("type")
    if not isinstance(kind, str) or kind.lower() not in _SUPPORTED_TYPES:
        raise UnsupportedConstructError(f"action '{name}': action type '{kind}' is not supported locally")
    extra = sorted(set(action) - _KNOWN_PROPERTIES)
    if extra:
        raise UnsupportedConstructError(f"action '{name}': properties {extra} are not supported locally")
    if "staticResult" in (action.get("runtimeConfiguration") or {}):
        raise UnsupportedConstructError(f"action '{name}': runtimeConfiguration.staticResult is not supported")
    try:
        for _ in iter_expressions(action.get("inputs")):
            pass
    except ExpressionError as exc:
        raise type(exc)(f"action '{name}': {exc}") from exc


def _topological_order(actions: dict[str, Json]) -> list[str]:
    """Kahn's algorithm; among ready actions the smallest name goes first."""
    waiting = {name: set((action.get("runAfter") or {}).keys()) for name, action in actions.items()}
    ready = [name for name, predecessors in waiting.items() if not predecessors]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for other, predecessors in waiting.items():
            if name in predecessors:
                predecessors.discard(name)
                if not predecessors:
                    heapq.heappush(ready, other)
    if len(order) != len(actions):
        stuck = sorted(set(actions) - set(order))
        raise WorkflowDefinitionError(f"runAfter cycle among actions: {', '.join(stuck)}")
    return order


# --------------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------------


class _Runner:
    def __init__(self, ctx: EvaluationContext, connector: Connector, timestamp: str) -> None:
        self.ctx = ctx
        self.connector = connector
        self.timestamp = timestamp
        self.runs: dict[str, ActionRun] = {}
        self.order: list[str] = []

    def run_scope(self, actions: dict[str, Json], scope: str | None) -> list[ActionRun]:
        runs: list[ActionRun] = []
        for name in _topological_order(actions):
            action = actions[name]
            run_it = self._should_run(action)
            runs.append(self._run_action(name, action, scope) if run_it else self._skip(name, action, scope))
        return runs

    def _should_run(self, action: dict[str, Json]) -> bool:
        return all(
            self.runs[predecessor].status in statuses
            for predecessor, statuses in (action.get("runAfter") or {}).items()
        )

    def _record(self, run: ActionRun, body: Json = None) -> ActionRun:
        self.runs[run.name] = run
        self.ctx.actions[run.name] = run.as_result(self.timestamp)
        self.ctx.bodies[run.name] = body
        return run

    def _skip(self, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
        self.order.append(name)
        run = self._record(ActionRun(name, action["type"], "Skipped", code="ActionSkipped", scope=scope))
        if action["type"].lower() == "scope":
            inner = [self._skip(child, spec, name) for child, spec in (action.get("actions") or {}).items()]
            self.ctx.results[name] = [child.as_result(self.timestamp) for child in inner]
        return run

    def _run_action(self, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
        self.order.append(name)
        kind = action["type"].lower()
        if kind == "scope":
            return self._run_scope_action(name, action, scope)
        try:
            handler = {"compose": self._compose, "select": self._select, "query": self._query}.get(kind)
            if handler is not None:
                return handler(name, action, scope)
            return self._api_connection(name, action, scope)
        except (InvalidExpressionError, UnsupportedConstructError) as exc:
            raise type(exc)(f"action '{name}': {exc}") from exc
        except ExpressionError as exc:
            error = {
                "code": "InvalidTemplate",
                "message": f"Unable to process template language expressions in action '{name}' inputs: {exc}",
            }
            return self._record(
                ActionRun(name, action["type"], "Failed", error=error, code="InvalidTemplate", scope=scope)
            )

    def _run_scope_action(self, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
        inner = self.run_scope(action.get("actions") or {}, scope=name)
        failed = any(run.status in ("Failed", "TimedOut") for run in inner)
        self.ctx.results[name] = [run.as_result(self.timestamp) for run in inner]
        error = (
            {"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."} if failed else None
        )
        status = "Failed" if failed else "Succeeded"
        code = "ActionFailed" if failed else "OK"
        return self._record(ActionRun(name, action["type"], status, error=error, code=code, scope=scope))

    def _compose(self, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
        value = evaluate_value(action.get("inputs"), self.ctx)
        return self._record(ActionRun(name, action["type"], "Succeeded", value, value, code="OK", scope=scope), value)

    def _from_array(self, name: str, inputs: Json) -> list[Json]:
        if not isinstance(inputs, dict) or "from" not in inputs:
            raise ExpressionError(f"action '{name}' needs inputs with a 'from' array")
        source = evaluate_value(inputs["from"], self.ctx)
        if not isinstance(source, list):
            raise ExpressionError(f"the 'from' value of action '{name}' must be an array, not {type(source).__name__}")
        return source

    def _per_item(self, template: Json, item: Json) -> Json:
        self.ctx.items.append(item)
        try:
            return evaluate_value(template, self.ctx)
        finally:
            self.ctx.items.pop()

    def _select(self, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
        inputs = action.get("inputs")
        source = self._from_array(name, inputs)
        if "select" not in inputs:
            raise ExpressionError(f"action '{name}' needs a 'select' template")
        selected = [self._per_item(inputs["select"], item) for item in source]
        recorded_inputs = {"from": source, "select": inputs["select"]}
        run = ActionRun(name, action["type"], "Succeeded", recorded_inputs, {"body": selected}, code="OK", scope=scope)
        return self._record(run, selected)

    def _query(self, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
        inputs = action.get("inputs")
        source = self._from_array(name, inputs)
        where = inputs.get("where")
        if not isinstance(where, str) or parse_template(where).kind != "expression":
            raise ExpressionError(f"action '{name}' needs a 'where' expression")
        kept = []
        for item in source:
            verdict = self._per_item(where, item)
            if not isinstance(verdict, bool):
                raise ExpressionError(f"the 'where' expression of action '{name}' must give a boolean")
            if verdict:
                kept.append(item)
        recorded_inputs = {"from": source, "where": where}
        run = ActionRun(name, action["type"], "Succeeded", recorded_inputs, {"body": kept}, code="OK", scope=scope)
        return self._record(run, kept)

    def _api_connection(self, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
        inputs = evaluate_value(action.get("inputs"), self.ctx)
        try:
            outputs = self.connector(name, inputs)
        except ConnectorError as exc:
            error = {"code": exc.code, "message": str(exc)}
            return self._record(ActionRun(name, action["type"], "Failed", inputs, None, error, exc.code, scope))
        status_code = outputs.get("statusCode")
        if not isinstance(status_code, int):
            raise TypeError(f"connector answer for action '{name}' has no integer statusCode")
        body = outputs.get("body")
        code = _http_code(status_code)
        if status_code >= 400:
            error = _error_from_body(status_code, body)
            return self._record(ActionRun(name, action["type"], "Failed", inputs, outputs, error, code, scope), body)
        return self._record(ActionRun(name, action["type"], "Succeeded", inputs, outputs, None, code, scope), body)


def _http_code(status_code: int) -> str:
    """Logic Apps' action code for an HTTP status: 200 -> OK, 404 -> NotFound."""
    try:
        return http.HTTPStatus(status_code).phrase.replace(" ", "").replace("-", "")
    except ValueError:
        return str(status_code)


def _error_from_body(status_code: int, body: Json) -> dict[str, Json]:
    inner = body.get("error") if isinstance(body, dict) else None
    if isinstance(inner, dict):
        return {
            "code": str(inner.get("code") or status_code),
            "message": str(inner.get("message") or f"The connector returned HTTP {status_code}"),
        }
    message = body.get("message") if isinstance(body, dict) else None
    return {"code": str(status_code), "message": str(message or f"The connector returned HTTP {status_code}")}


def _run_status(actions: dict[str, Json], runs: list[ActionRun]) -> str:
    """Failed when a top-level action failed and nothing that ran after it ran (unhandled)."""
    by_name = {run.name: run for run in runs}
    for run in runs:
        if run.status not in ("Failed", "TimedOut"):
            continue
        successors = [name for name, action in actions.items() if run.name in (action.get("runAfter") or {})]
        if not any(by_name[successor].status != "Skipped" for successor in successors):
            return "Failed"
    return "Succeeded"
