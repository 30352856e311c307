"""Manipulation functions: JSON & XML (Microsoft's expression function reference).

Objects are never changed in place: each function returns an updated copy. Property names match
exactly, as JSON.NET's JObject.Add / indexer / Remove do. `xpath` is unsupported: Logic Apps runs
the .NET XPath library ("support only the expression that the underlying .NET library supports"),
which the standard library's ElementTree subset cannot reproduce faithfully.
"""

from __future__ import annotations

from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.errors import ExpressionError
from securescore.emulator.functions.registry import bad_arg, function, str_arg, unsupported

Json = Any

unsupported("xpath", 2, 2, "it needs the .NET XPath library and XML values")


def _object(fn: str, args: list[Json]) -> dict[str, Json]:
    if not isinstance(args[0], dict):
        raise bad_arg(fn, 0, "an object", args[0])
    return dict(args[0])


@function("addProperty", 3, 3)
def _add_property(args: list[Json], ctx: EvaluationContext) -> Json:
    updated, name = _object("addProperty", args), str_arg("addProperty", args, 1)
    if name in updated:  # reference: "If the property already exists at runtime, the function fails"
        raise ExpressionError(f"function 'addProperty': the property '{name}' already exists")
    updated[name] = args[2]
    return updated


@function("setProperty", 3, 3)
def _set_property(args: list[Json], ctx: EvaluationContext) -> Json:
    updated = _object("setProperty", args)
    updated[str_arg("setProperty", args, 1)] = args[2]
    return updated


@function("removeProperty", 2, 2)
def _remove_property(args: list[Json], ctx: EvaluationContext) -> Json:
    updated = _object("removeProperty", args)
    updated.pop(str_arg("removeProperty", args, 1), None)  # a missing property: the original object
    return updated


@function("coalesce", 1, None)
def _coalesce(args: list[Json], ctx: EvaluationContext) -> Json:
    return next((arg for arg in args if arg is not None), None)
