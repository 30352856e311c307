"""The function registry, and the argument checks every family shares.

Each function is registered with the argument counts of its signature in Microsoft's "Reference
guide to workflow expression functions in Azure Logic Apps and Power Automate" (optional parameters
marked `?` there). A call outside those counts, or to a function the reference does not list, is
*unsupported*: Logic Apps' designer and other SKUs know more functions and looser counts than the
reference shows (published templates call `createArray()` with none), so the emulator cannot prove
such a call invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.errors import ExpressionError, UnsupportedConstructError, cannot_run
from securescore.emulator.values import is_int, is_number, type_name

Json = Any
Function = Callable[[list[Json], EvaluationContext], Json]


@dataclass(frozen=True)
class Spec:
    name: str  # as the reference spells it
    fn: Callable[..., Json]
    min_args: int
    max_args: int | None
    lazy: bool = False  # receives unevaluated nodes (short-circuit functions)
    unsupported: str = ""  # why the emulator cannot run it; empty when it can

    def arity_text(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.min_args == self.max_args:
            return str(self.min_args)
        return f"{self.min_args} to {self.max_args}"


FUNCTIONS: dict[str, Spec] = {}


def function(name: str, min_args: int, max_args: int | None, *, lazy: bool = False) -> Callable:
    def register(fn: Callable[..., Json]) -> Callable[..., Json]:
        FUNCTIONS[name.lower()] = Spec(name, fn, min_args, max_args, lazy)
        return fn

    return register


def unsupported(name: str, min_args: int, max_args: int | None, why: str) -> None:
    """A function of the reference the emulator cannot run faithfully."""

    def refuse(args: list[Json], ctx: EvaluationContext) -> Json:
        raise cannot_run(f"{name}()", why)

    FUNCTIONS[name.lower()] = Spec(name, refuse, min_args, max_args, unsupported=why)


def check_call(name: str, count: int) -> Spec:
    """The spec of a call the emulator can run; UnsupportedConstructError otherwise."""
    spec = FUNCTIONS.get(name.lower())
    if spec is None:
        raise cannot_run(f"{name}()", "it is not a function of Microsoft's expression function reference")
    # The count first: a call of an unsupported function with the wrong count is wrong whatever runs it.
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        raise cannot_run(f"{spec.name}() with {count} argument(s)", f"the reference documents {spec.arity_text()}")
    if spec.unsupported:
        raise cannot_run(f"{spec.name}()", spec.unsupported)
    return spec


# --------------------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------------------


def bad_arg(fn: str, index: int, expected: str, value: Json) -> ExpressionError:
    return ExpressionError(
        f"function '{fn}' expects its parameter {index + 1} to be {expected}; "
        f"the provided value is of type '{type_name(value)}'"
    )


def str_arg(fn: str, args: list[Json], index: int) -> str:
    value = args[index]
    if not isinstance(value, str):
        raise bad_arg(fn, index, "a string", value)
    return value


def int_arg(fn: str, args: list[Json], index: int) -> int:
    value = args[index]
    if not is_int(value):
        raise bad_arg(fn, index, "an integer", value)
    return value


def num_arg(fn: str, args: list[Json], index: int) -> int | float | Decimal:
    value = args[index]
    if not is_number(value):
        raise bad_arg(fn, index, "an integer or a float", value)
    return value


def bool_arg(fn: str, value: Json, index: int) -> bool:
    if not isinstance(value, bool):
        raise bad_arg(fn, index, "a boolean", value)
    return value


def opt(args: list[Json], index: int) -> Json:
    return args[index] if len(args) > index else None


def format_arg(fn: str, args: list[Json], index: int) -> str | None:
    value = opt(args, index)
    if value is not None and not isinstance(value, str):
        raise bad_arg(fn, index, "a format string", value)
    return value


def check_locale(fn: str, locale: Json) -> None:
    """Only en-US, the default of every locale parameter in the reference, is emulated."""
    if locale is None:
        return
    if not isinstance(locale, str):
        raise ExpressionError(f"function '{fn}' expects the locale to be a string")
    if locale.lower() != "en-us":
        raise UnsupportedConstructError(
            f"the emulator cannot run function '{fn}' with locale '{locale}': only en-US is emulated"
        )
