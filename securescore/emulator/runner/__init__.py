"""Executes a Logic Apps workflow definition locally, deterministically, with a pinned clock.

Supported action types: Compose, Select, Query (Filter array), Join, Scope, If, Foreach, Until,
Terminate, Wait (no time passes), InitializeVariable, SetVariable, IncrementVariable, DecrementVariable,
AppendToArrayVariable, AppendToStringVariable, ApiConnection (answered by the `connector`
callback) and Http (answered by the `http` responder; see `runner.protocols`). Anything else
raises `UnsupportedConstructError` naming the action and the construct, before anything runs, so a
preview can never silently differ from the deployed workflow. Triggers are not executed.

The modules: `validate` (checks before the run), `engine` (order, statuses, Terminate),
`data_actions`, `variable_actions`, `control_actions`, `http_actions`, `model` (ActionRun, RunResult).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.dotnet.dates import format_datetime, stamp_from_datetime
from securescore.emulator.errors import (
    ConnectorError,
    ExpressionError,
    InvalidExpressionError,
    UnsupportedConstructError,
    WorkflowDefinitionError,
)
from securescore.emulator.runner import control_actions, data_actions, http_actions, variable_actions
from securescore.emulator.runner.engine import Engine, Handler, Terminated, unhandled_failure
from securescore.emulator.runner.model import ActionRun, RunResult
from securescore.emulator.runner.protocols import Connector, HttpRequest, HttpResponder
from securescore.emulator.runner.validate import collect_names, validate_actions

__all__ = [
    "ActionRun",
    "Connector",
    "ConnectorError",
    "ExpressionError",
    "HttpRequest",
    "HttpResponder",
    "InvalidExpressionError",
    "RunResult",
    "UnsupportedConstructError",
    "WorkflowDefinitionError",
    "run_workflow",
]

Json = Any

HANDLERS: dict[str, Handler] = {
    "compose": data_actions.compose,
    "select": data_actions.select,
    "query": data_actions.query,
    "join": data_actions.join,
    "scope": control_actions.scope_action,
    "if": control_actions.if_action,
    "foreach": control_actions.foreach_action,
    "until": control_actions.until_action,
    "terminate": control_actions.terminate_action,
    "wait": control_actions.wait_action,
    "initializevariable": variable_actions.initialize,
    "setvariable": variable_actions.set_variable,
    "incrementvariable": variable_actions.increment,
    "decrementvariable": variable_actions.decrement,
    "appendtoarrayvariable": variable_actions.append_to_array,
    "appendtostringvariable": variable_actions.append_to_string,
    "apiconnection": http_actions.api_connection,
    "http": http_actions.http_action,
}


def _refuse_connector(name: str, inputs: dict[str, Json]) -> dict[str, Json]:
    raise UnsupportedConstructError(
        f"the emulator cannot run ApiConnection action '{name}': the run was given no connector"
    )


def run_workflow(
    definition: dict[str, Json],
    parameters: dict[str, Json],
    connector: Connector | None,
    now: datetime,
    trigger_outputs: dict[str, Json] | None = None,
    *,
    workflow_info: dict[str, Json] | None = None,
    http: HttpResponder | None = None,
    guid_factory: Callable[[], uuid.UUID] | None = None,
    random_integer: Callable[[int, int], int] | None = None,
) -> RunResult:
    """Run `definition` locally: same inputs, same result."""
    actions = definition.get("actions") or {}
    names = collect_names(actions)
    timestamp = format_datetime(stamp_from_datetime(now), "o")
    values = _parameter_values(definition.get("parameters") or {}, parameters)
    validate_actions(actions, names=names, supported=set(HANDLERS), has_http=http is not None)
    ctx = EvaluationContext(
        now=now if now.tzinfo else now.replace(tzinfo=UTC),
        parameters=values,
        trigger=_trigger_object(definition, trigger_outputs, timestamp),
        workflow=workflow_info or _default_workflow_info(timestamp),
        defined_actions=names,
        guid_factory=guid_factory,
        random_integer=random_integer,
    )
    engine = Engine(ctx, HANDLERS, timestamp, connector or _refuse_connector, http)
    try:
        top = engine.run_block(actions, scope=None)
    except Terminated as stop:
        engine.cancel_after_terminate(stop, actions)
        return RunResult(status=stop.status, actions=engine.runs, order=engine.order, error=stop.error)
    status = "Failed" if unhandled_failure(actions, top) else "Succeeded"
    return RunResult(status=status, actions=engine.runs, order=engine.order)


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
