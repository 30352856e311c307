"""Control actions: Scope, If (Condition), Foreach, Until, Terminate.

Shapes from Microsoft's "Schema reference guide for trigger and action types in Azure Logic Apps".
- If: `expression` is an expression string or the designer's object form
  (`{"and": [{"greater": ["@variables('x')", 0]}]}`); `actions` run when true, `else.actions` when
  false, the other branch is Skipped. A non-boolean condition fails the If.
- Foreach runs its iterations one at a time, in array order: the semantics of concurrency 1
  (`runtimeConfiguration.concurrency.repetitions: 1` or `operationOptions: "Sequential"`), whatever
  the definition asks. Logic Apps runs iterations in parallel by default (20 at once); a workflow
  whose result depends on that interleaving (variables changed in a parallel loop) is not
  deterministic in Azure either, and the emulator shows the sequential outcome.
- Until runs its actions, then checks `expression`, until it is true. `limit.count` (default 60,
  1 to 5,000) bounds the iterations; `limit.timeout` (default PT1H) is checked for form only: the
  run's clock is pinned, so iterations take no time and the timeout is never reached. Reaching the
  count without the condition becoming true is unsupported (the emulator does not claim the status
  Logic Apps then gives the loop).
- result() of a Foreach or Until gives, per top-level inner action, its record for each iteration
  (`[{"name": "HTTP", "outputs": [<iteration 1>, ...]}]`, the shape of the reference's result()
  example); result() of an If is unsupported.
- Terminate: runStatus Failed, Cancelled or Succeeded, runError (code, message) when Failed.
- Wait (Delay): `inputs.interval` {count, unit}; the run's clock is pinned, so no time passes and the
  interval is checked for form only (the shape of LogicAppsUX's workflow mocks, e.g.
  `__mocks__/workflows/MonitoringViewConditional.json`). "Delay until" (`inputs.until`) is unsupported.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from securescore.emulator.errors import ExpressionError, cannot_run
from securescore.emulator.functions import FUNCTIONS
from securescore.emulator.runner.engine import IF_RESULT, Terminated
from securescore.emulator.runner.model import ActionRun
from securescore.emulator.values import is_int, type_name

if TYPE_CHECKING:
    from securescore.emulator.runner.engine import Engine

Json = Any
UNTIL_DEFAULT_COUNT, UNTIL_MAX_COUNT = 60, 5000  # Limits and configuration: Until iterations
_ISO_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")


def scope_action(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inner_actions = action.get("actions") or {}
    inner = engine.run_block(inner_actions, scope=name)
    engine.ctx.results[name] = [run.as_result(engine.timestamp) for run in inner]
    return _container_end(engine, name, action, scope, engine.block_status(inner_actions, inner))


def _container_end(engine: Engine, name: str, action: dict[str, Json], scope: str | None, status: str) -> ActionRun:
    error = (
        {"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."}
        if status == "Failed"
        else None
    )
    return engine.finish(name, action, scope, status, error=error)


# --- If ----------------------------------------------------------------------------------------------


def evaluate_condition(engine: Engine, condition: Json) -> Json:
    """An If/Until condition: an expression string, or the object form {function: [arguments]}."""
    if isinstance(condition, str):
        return engine.evaluate(condition)
    if isinstance(condition, dict) and len(condition) == 1:
        ((function, arguments),) = condition.items()
        values = arguments if isinstance(arguments, list) else [arguments]
        key = function.lower()
        if key == "and":
            return all(_boolean(engine, value, "and") for value in values)
        if key == "or":
            return any(_boolean(engine, value, "or") for value in values)
        spec = FUNCTIONS.get(key)
        if spec is None or spec.lazy or spec.unsupported:
            raise cannot_run(f"the condition function '{function}'")
        evaluated = [
            evaluate_condition(engine, value) if isinstance(value, dict) else engine.evaluate(value) for value in values
        ]
        return spec.fn(evaluated, engine.ctx)
    if isinstance(condition, bool):
        return condition
    raise ExpressionError(
        f"a condition must be an expression or an object with one function, not {type_name(condition)}"
    )


def _boolean(engine: Engine, condition: Json, what: str) -> bool:
    value = evaluate_condition(engine, condition)
    if not isinstance(value, bool):
        raise ExpressionError(f"the condition '{what}' expects booleans, got {type_name(value)}")
    return value


def if_action(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    verdict = evaluate_condition(engine, action.get("expression"))
    if not isinstance(verdict, bool):
        raise ExpressionError(f"the expression of condition '{name}' must give a boolean, not {type_name(verdict)}")
    chosen = action.get("actions") or {}
    other = (action.get("else") or {}).get("actions") or {}
    if not verdict:
        chosen, other = other, chosen
    engine.skip_block(other, scope=name)
    inner = engine.run_block(chosen, scope=name)
    engine.ctx.results[name] = IF_RESULT
    return _container_end(engine, name, action, scope, engine.block_status(chosen, inner))


# --- loops -------------------------------------------------------------------------------------------


def _iteration_results(engine: Engine, inner_actions: dict[str, Json], iterations: list[list[ActionRun]]) -> list[Json]:
    return [
        {
            "name": child,
            "outputs": [run.as_result(engine.timestamp) for runs in iterations for run in runs if run.name == child],
        }
        for child in inner_actions
    ]


def foreach_action(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    items = engine.evaluate(action.get("foreach"))
    if not isinstance(items, list):
        raise ExpressionError(f"the 'foreach' expression of '{name}' must give an array, not {type_name(items)}")
    inner_actions = action.get("actions") or {}
    iterations: list[list[ActionRun]] = []
    failed = False
    ctx = engine.ctx
    outer_item = ctx.loops.get(name, _MISSING)
    try:
        for item in items:
            ctx.items.append(item)
            ctx.loops[name] = item
            try:
                runs = engine.run_block(inner_actions, scope=name)
            finally:
                ctx.items.pop()
            iterations.append(runs)
            failed = failed or engine.block_status(inner_actions, runs) == "Failed"
    finally:
        if outer_item is _MISSING:
            ctx.loops.pop(name, None)
        else:
            ctx.loops[name] = outer_item
    ctx.results[name] = _iteration_results(engine, inner_actions, iterations)
    return _container_end(engine, name, action, scope, "Failed" if failed else "Succeeded")


_MISSING = object()


def until_limit(engine: Engine, name: str, action: dict[str, Json]) -> int:
    limit = engine.evaluate(action.get("limit") or {})
    count = limit.get("count", UNTIL_DEFAULT_COUNT) if isinstance(limit, dict) else UNTIL_DEFAULT_COUNT
    if not is_int(count) or not 1 <= count <= UNTIL_MAX_COUNT:
        raise ExpressionError(
            f"the limit count of '{name}' must be an integer from 1 to {UNTIL_MAX_COUNT}, got {count!r}"
        )
    timeout = limit.get("timeout", "PT1H") if isinstance(limit, dict) else "PT1H"
    if not isinstance(timeout, str) or not _ISO_DURATION.fullmatch(timeout):
        raise ExpressionError(f"the limit timeout of '{name}' must be an ISO 8601 duration, got {timeout!r}")
    return count


def until_action(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    count = until_limit(engine, name, action)
    inner_actions = action.get("actions") or {}
    iterations: list[list[ActionRun]] = []
    ctx = engine.ctx
    try:
        for index in range(count):
            ctx.iterations[name] = index
            runs = engine.run_block(inner_actions, scope=name)
            iterations.append(runs)
            verdict = evaluate_condition(engine, action.get("expression"))
            if not isinstance(verdict, bool):
                raise ExpressionError(f"the expression of Until '{name}' must give a boolean, not {type_name(verdict)}")
            if verdict:
                break
        else:
            raise cannot_run(
                f"Until '{name}' reaching its limit of {count} iterations",
                "the emulator does not claim the status Logic Apps then gives the loop",
            )
    finally:
        ctx.iterations.pop(name, None)
    ctx.results[name] = _iteration_results(engine, inner_actions, iterations)
    return _container_end(engine, name, action, scope, engine.block_status(inner_actions, iterations[-1]))


# --- Terminate -----------------------------------------------------------------------------------------

_RUN_STATUSES = {"failed": "Failed", "cancelled": "Cancelled", "succeeded": "Succeeded"}


def terminate_action(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = engine.evaluate(action.get("inputs"))
    status = _RUN_STATUSES.get(str((inputs or {}).get("runStatus", "")).lower())
    if status is None:
        raise ExpressionError(f"action '{name}': runStatus must be Failed, Cancelled or Succeeded")
    error = None
    if status == "Failed":
        run_error = inputs.get("runError") or {}
        error = {"code": run_error.get("code", "Terminated"), "message": run_error.get("message", "")}
    engine.finish(name, action, scope, "Succeeded", inputs=inputs)
    raise Terminated(status, error)


# --- Wait ----------------------------------------------------------------------------------------------

WAIT_UNITS = ("Second", "Minute", "Hour", "Day", "Week", "Month")


def wait_action(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = engine.evaluate(action.get("inputs"))
    if isinstance(inputs, dict) and "until" in inputs:
        raise cannot_run(f"Wait '{name}' until a timestamp", "only a Wait for an interval is emulated")
    interval = inputs.get("interval") if isinstance(inputs, dict) else None
    count = interval.get("count") if isinstance(interval, dict) else None
    unit = interval.get("unit") if isinstance(interval, dict) else None
    if not is_int(count) or count < 1 or not isinstance(unit, str) or unit.capitalize() not in WAIT_UNITS:
        raise ExpressionError(
            f"action '{name}': a Wait needs inputs.interval with a whole count of at least 1 and a unit "
            f"from {', '.join(WAIT_UNITS)}, got {interval!r}"
        )
    return engine.finish(name, action, scope, "Succeeded", inputs=inputs)
