"""Values as the emulator holds them, and Logic Apps' rules for converting and comparing them.

A value is plain JSON (dict, list, str, int, float, bool, None) plus one extra type: `Decimal`, the
result of `decimal()`, which keeps .NET decimal precision inside an expression and becomes a JSON
number (a double) when it leaves one (Microsoft's reference, `decimal`: "you can lose precision if
you use the decimal result as a number"; wrap it in `string()` to keep it). `to_plain` does that.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from securescore.emulator.errors import ExpressionError

Json = Any


def is_int(value: Json) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Json) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def type_name(value: Json) -> str:
    """The Logic Apps name of a value's type, for error messages."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    names = {float: "Float", Decimal: "Decimal", str: "String", list: "Array", dict: "Object"}
    return names.get(type(value), type(value).__name__)


def float_text(value: float) -> str:
    """.NET's shortest round-trip text for a double: `2.0` -> `2`, `1e-07` -> `1E-07`."""
    if math.isnan(value) or math.isinf(value):
        raise ExpressionError(f"cannot convert the number {value} to JSON")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa.removesuffix('.0')}E{sign}{exponent.lstrip('+-').rjust(2, '0')}"
    return text


def decimal_text(value: Decimal) -> str:
    """A .NET decimal's ToString(): plain digits, scale kept (`1.50` stays `1.50`), no exponent."""
    return f"{value:f}"


def to_plain(value: Json) -> Json:
    """The JSON value that leaves an expression: decimals become doubles."""
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    return value


def to_json_text(value: Json) -> str:
    """Compact JSON text, as JSON.NET writes it (non-ASCII kept, `1.0` stays `1.0`)."""
    return json.dumps(to_plain(value), ensure_ascii=False, separators=(",", ":"))


def to_string(value: Json) -> str:
    """Logic Apps' string conversion (`string()`, `@{...}`).

    null -> "" (reference, `string`) ; strings as-is ; numbers as .NET prints them ; booleans
    `True`/`False` (JSON.NET `JValue.ToString()`, as Logic Apps shows them) ; objects and arrays as
    compact JSON text.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    return to_json_text(value)


def _numeric(value: Json) -> Json:
    return Decimal(repr(value)) if isinstance(value, float) else value


def values_equal(left: Json, right: Json) -> bool:
    """`equals()`: deep, numbers by value, `true` == 1 and `false` == 0 (reference, `equals`),
    null == '' (reference, logical comparison functions: nulls compare as empty strings)."""
    left = "" if left is None else left
    right = "" if right is None else right
    if isinstance(left, bool) and is_number(right):
        left = int(left)
    if isinstance(right, bool) and is_number(left):
        right = int(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if is_number(left) and is_number(right):
        if isinstance(left, Decimal) or isinstance(right, Decimal):
            return _numeric(left) == _numeric(right)
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(values_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(values_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


def comparable(fn: str, left: Json, right: Json) -> tuple[Any, Any]:
    """Operands of greater/less...: two numbers or two strings; null counts as '' (reference)."""
    left = "" if left is None else left
    right = "" if right is None else right
    if is_number(left) and is_number(right):
        if isinstance(left, Decimal) or isinstance(right, Decimal):
            return _numeric(left), _numeric(right)
        return left, right
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    raise ExpressionError(
        f"function '{fn}' expects two numbers or two strings; got '{type_name(left)}' and '{type_name(right)}'"
    )
