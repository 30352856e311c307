"""Data operations: Compose, Select, Query (Filter array), Join.

Shapes from Microsoft's "Schema reference guide for trigger and action types in Azure Logic Apps":
Select `{"from", "select"}` (the output array has as many items as the source), Query
`{"from", "where"}` (no match: an empty array), Join `{"from", "joinWith"}` (a string).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from securescore.emulator.errors import ExpressionError
from securescore.emulator.evaluate import evaluate_value
from securescore.emulator.runner.model import ActionRun
from securescore.emulator.syntax import split_template
from securescore.emulator.values import to_string, type_name

if TYPE_CHECKING:
    from securescore.emulator.runner.engine import Engine

Json = Any


def compose(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    value = engine.evaluate(action.get("inputs"))
    return engine.finish(name, action, scope, "Succeeded", inputs=value, outputs=value, body=value)


def _from_array(engine: Engine, name: str, inputs: Json) -> list[Json]:
    if not isinstance(inputs, dict) or "from" not in inputs:
        raise ExpressionError(f"action '{name}' needs inputs with a 'from' array")
    source = engine.evaluate(inputs["from"])
    if not isinstance(source, list):
        raise ExpressionError(f"the 'from' value of action '{name}' must be an array, not {type_name(source)}")
    return source


def per_item(engine: Engine, template: Json, item: Json) -> Json:
    """Evaluate `template` with `item()` giving `item`."""
    engine.ctx.items.append(item)
    try:
        return evaluate_value(template, engine.ctx)
    finally:
        engine.ctx.items.pop()


def select(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = action.get("inputs")
    source = _from_array(engine, name, inputs)
    if "select" not in inputs:
        raise ExpressionError(f"action '{name}' needs a 'select' template")
    selected = [per_item(engine, inputs["select"], item) for item in source]
    recorded = {"from": source, "select": inputs["select"]}
    return engine.finish(name, action, scope, "Succeeded", inputs=recorded, outputs={"body": selected}, body=selected)


def query(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = action.get("inputs")
    source = _from_array(engine, name, inputs)
    where = inputs.get("where")
    if not isinstance(where, str) or split_template(where).kind != "expression":
        raise ExpressionError(f"action '{name}' needs a 'where' expression")
    kept = []
    for item in source:
        verdict = per_item(engine, where, item)
        if not isinstance(verdict, bool):
            raise ExpressionError(f"the 'where' expression of action '{name}' must give a boolean")
        if verdict:
            kept.append(item)
    recorded = {"from": source, "where": where}
    return engine.finish(name, action, scope, "Succeeded", inputs=recorded, outputs={"body": kept}, body=kept)


def join(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = action.get("inputs")
    source = _from_array(engine, name, inputs)
    delimiter = engine.evaluate(inputs.get("joinWith"))
    if not isinstance(delimiter, str):
        raise ExpressionError(f"action '{name}' needs a 'joinWith' string")
    text = delimiter.join(to_string(item) for item in source)
    recorded = {"from": source, "joinWith": delimiter}
    return engine.finish(name, action, scope, "Succeeded", inputs=recorded, outputs={"body": text}, body=text)
