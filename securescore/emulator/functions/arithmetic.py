"""Math functions (Microsoft's expression function reference, "Math functions").

Integers stay integers (`div(11, 5)` is 2, truncated toward zero like C#; `mod` takes the sign of
the dividend); a float operand makes a float; a `decimal()` operand makes a decimal.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.errors import ExpressionError, cannot_run
from securescore.emulator.functions.registry import bad_arg, function, int_arg, num_arg
from securescore.emulator.values import is_int, is_number

Json = Any
Number = int | float | Decimal


def _two_numbers(fn: str, args: list[Json]) -> tuple[Number, Number]:
    left, right = num_arg(fn, args, 0), num_arg(fn, args, 1)
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return _as_decimal(left), _as_decimal(right)
    return left, right


def _as_decimal(value: Number) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


@function("add", 2, 2)
def _add(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _two_numbers("add", args)
    return left + right  # type: ignore[operator]


@function("sub", 2, 2)
def _sub(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _two_numbers("sub", args)
    return left - right  # type: ignore[operator]


@function("mul", 2, 2)
def _mul(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _two_numbers("mul", args)
    return left * right  # type: ignore[operator]


def _nonzero_divisor(fn: str, divisor: Number) -> None:
    if divisor == 0:
        raise ExpressionError(f"function '{fn}': attempted to divide by zero")


@function("div", 2, 2)
def _div(args: list[Json], ctx: EvaluationContext) -> Json:
    dividend, divisor = _two_numbers("div", args)
    _nonzero_divisor("div", divisor)
    if is_int(dividend) and is_int(divisor):  # integer division truncating toward zero, like C#
        quotient = abs(dividend) // abs(divisor)  # type: ignore[operator]
        return quotient if (dividend < 0) == (divisor < 0) else -quotient  # type: ignore[operator]
    return dividend / divisor  # type: ignore[operator]


@function("mod", 2, 2)
def _mod(args: list[Json], ctx: EvaluationContext) -> Json:
    dividend, divisor = _two_numbers("mod", args)
    _nonzero_divisor("mod", divisor)
    if is_int(dividend) and is_int(divisor):  # C# remainder: the sign follows the dividend (reference)
        remainder = abs(dividend) % abs(divisor)  # type: ignore[operator]
        return remainder if dividend >= 0 else -remainder  # type: ignore[operator]
    if isinstance(dividend, Decimal):
        return dividend % divisor  # Decimal % keeps the sign of the dividend, like C#
    return math.fmod(dividend, divisor)  # type: ignore[arg-type]


def _numbers_for(fn: str, args: list[Json]) -> list[Number]:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    if not values:
        raise ExpressionError(f"function '{fn}' needs at least one number")
    for index, value in enumerate(values):
        if not is_number(value):
            raise bad_arg(fn, index, "an integer or a float", value)
    return values


@function("min", 1, None)
def _min(args: list[Json], ctx: EvaluationContext) -> Json:
    return min(_numbers_for("min", args))


@function("max", 1, None)
def _max(args: list[Json], ctx: EvaluationContext) -> Json:
    return max(_numbers_for("max", args))


@function("range", 2, 2)
def _range(args: list[Json], ctx: EvaluationContext) -> Json:
    start, count = int_arg("range", args, 0), int_arg("range", args, 1)
    # Reference: count a positive integer up to 100,000; start + count at most 2,147,483,647.
    # A count of 0 gives an empty array (an unverified choice: "positive" is not said to exclude it).
    if count < 0 or count > 100_000:
        raise ExpressionError(f"function 'range': the count must be between 0 and 100,000, got {count}")
    if start + count > 2_147_483_647:
        raise ExpressionError("function 'range': startIndex + count must not exceed 2,147,483,647")
    return list(range(start, start + count))


@function("rand", 2, 2)
def _rand(args: list[Json], ctx: EvaluationContext) -> Json:
    low, high = int_arg("rand", args, 0), int_arg("rand", args, 1)
    if low >= high:
        raise ExpressionError(f"function 'rand': maxValue {high} must be greater than minValue {low}")
    if ctx.random_integer is None:
        raise cannot_run("rand()", "it is random; give the run a random_integer source")
    value = ctx.random_integer(low, high)
    if not low <= value < high:  # inclusive only at the starting end (reference)
        raise ValueError(f"random_integer({low}, {high}) returned {value}, outside [{low}, {high})")
    return value
