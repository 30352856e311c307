"""Variables: InitializeVariable, SetVariable, IncrementVariable, DecrementVariable,
AppendToArrayVariable, AppendToStringVariable (Microsoft Learn, "Create variables to store and
manage values in Azure Logic Apps").

- Types: Boolean, Integer, Float, String, Object, Array, named in any case (the page writes both
  "Integer" and "boolean"). A value of another type fails the action (null is accepted).
- InitializeVariable is allowed only at the top level ("You can only declare variables at the
  global level, not within scopes, conditions, and loops"; checked before the run) and may declare
  several variables; all values are evaluated before any variable exists (Azure/logicapps#1447).
  A variable declared without a value starts empty for its type (an unverified choice).
- Increment/Decrement work on Integer and Float variables, by 1 unless a value is given.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from securescore.emulator.errors import ExpressionError
from securescore.emulator.runner.model import ActionRun
from securescore.emulator.values import is_int, is_number, to_string, type_name

if TYPE_CHECKING:
    from securescore.emulator.runner.engine import Engine

Json = Any

_CHECKS = {
    "boolean": lambda value: isinstance(value, bool),
    "integer": is_int,
    "float": is_number,
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
}
_EMPTY = {"boolean": False, "integer": 0, "float": 0.0, "string": "", "object": {}, "array": []}
TYPE_NAMES = {key: key.capitalize() for key in _CHECKS}


def _checked(variable: str, kind: str, value: Json) -> Json:
    if value is not None and not _CHECKS[kind](value):
        raise ExpressionError(
            f"the variable '{variable}' of type '{TYPE_NAMES[kind]}' cannot hold a value of type '{type_name(value)}'"
        )
    return value


def _inputs(name: str, engine: Engine, action: dict[str, Json]) -> dict[str, Json]:
    inputs = engine.evaluate(action.get("inputs"))
    if not isinstance(inputs, dict) or not isinstance(inputs.get("name"), str):
        raise ExpressionError(f"action '{name}' needs inputs with a variable 'name'")
    return inputs


def _declared(engine: Engine, variable: str) -> tuple[str, Json]:
    if variable not in engine.ctx.variables:
        raise ExpressionError(f"the variable '{variable}' has not been initialized")
    return engine.ctx.variables[variable]


def initialize(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = engine.evaluate(action.get("inputs"))
    declarations = inputs.get("variables") if isinstance(inputs, dict) else None
    if not isinstance(declarations, list) or not declarations:
        raise ExpressionError(f"action '{name}' needs inputs with a 'variables' array")
    new: dict[str, tuple[str, Json]] = {}
    for declaration in declarations:
        variable, kind = declaration.get("name"), str(declaration.get("type", "")).lower()
        if not isinstance(variable, str) or kind not in _CHECKS:
            raise ExpressionError(
                f"action '{name}': each variable needs a name and a type ({', '.join(TYPE_NAMES.values())})"
            )
        if variable in engine.ctx.variables or variable in new:
            raise ExpressionError(f"the variable '{variable}' is already initialized")
        value = declaration["value"] if "value" in declaration else copy.deepcopy(_EMPTY[kind])
        new[variable] = (kind, _checked(variable, kind, value))
    engine.ctx.variables.update(new)
    return engine.finish(name, action, scope, "Succeeded", inputs=inputs)


def set_variable(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = _inputs(name, engine, action)
    if "value" not in inputs:
        raise ExpressionError(f"action '{name}' needs a 'value'")  # "this action doesn't have a default value"
    kind, _ = _declared(engine, inputs["name"])
    engine.ctx.variables[inputs["name"]] = (kind, _checked(inputs["name"], kind, inputs["value"]))
    return engine.finish(name, action, scope, "Succeeded", inputs=inputs)


def _step(engine: Engine, name: str, action: dict[str, Json], scope: str | None, sign: int) -> ActionRun:
    inputs = _inputs(name, engine, action)
    kind, current = _declared(engine, inputs["name"])
    amount = inputs.get("value", 1)
    if kind not in ("integer", "float"):
        raise ExpressionError(f"action '{name}': only Integer and Float variables can be incremented or decremented")
    if not is_number(amount) or (kind == "integer" and not is_int(amount)):
        raise ExpressionError(
            f"action '{name}': the value must be a number of the variable's type, not {type_name(amount)}"
        )
    engine.ctx.variables[inputs["name"]] = (kind, (current or 0) + sign * amount)
    return engine.finish(name, action, scope, "Succeeded", inputs=inputs)


def increment(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    return _step(engine, name, action, scope, 1)


def decrement(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    return _step(engine, name, action, scope, -1)


def append_to_array(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = _inputs(name, engine, action)
    kind, current = _declared(engine, inputs["name"])
    if kind != "array":
        raise ExpressionError(f"action '{name}': the variable '{inputs['name']}' is not an Array")
    engine.ctx.variables[inputs["name"]] = (kind, [*(current or []), inputs.get("value")])
    return engine.finish(name, action, scope, "Succeeded", inputs=inputs)


def append_to_string(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = _inputs(name, engine, action)
    kind, current = _declared(engine, inputs["name"])
    if kind != "string":
        raise ExpressionError(f"action '{name}': the variable '{inputs['name']}' is not a String")
    engine.ctx.variables[inputs["name"]] = (kind, (current or "") + to_string(inputs.get("value")))
    return engine.finish(name, action, scope, "Succeeded", inputs=inputs)
