"""String functions (Microsoft's expression function reference, "String functions").

`length` and `chunk` work on strings and arrays; they live with the collection functions.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.dotnet.numeric import format_number
from securescore.emulator.errors import ExpressionError, cannot_run
from securescore.emulator.functions.registry import (
    check_locale,
    function,
    int_arg,
    num_arg,
    opt,
    str_arg,
)
from securescore.emulator.values import to_string

Json = Any

# .NET number styles (en-US / invariant): thousands separators in the integer part, a leading or a
# trailing sign. The reference's float() examples ("12,3,4,5678", "1234567,8+", "12345678.-")
# are all accepted by this pattern.
FLOAT_TEXT = re.compile(
    r"\s*(?P<lead>[-+])?(?P<int>\d[\d,]*)?(?P<frac>\.\d*)?(?P<exp>[eE][-+]?\d+)?(?P<trail>[-+])?\s*"
)
INT_TEXT = re.compile(r"\s*[-+]?\d+\s*")
INT64 = (-(2**63), 2**63 - 1)


def parse_float_text(text: str) -> float | None:
    match = FLOAT_TEXT.fullmatch(text)
    if not match or not re.search(r"\d", (match["int"] or "") + (match["frac"] or "")):
        return None
    if match["lead"] and match["trail"]:
        return None
    sign = -1.0 if "-" in ((match["lead"] or "") + (match["trail"] or "")) else 1.0
    digits = (match["int"] or "0").replace(",", "") + (match["frac"] or "") + (match["exp"] or "")
    return sign * float(digits)


def parse_int_text(text: str) -> int | None:
    if not INT_TEXT.fullmatch(text):
        return None
    value = int(text)
    return value if INT64[0] <= value <= INT64[1] else None


@function("concat", 1, None)  # the reference says two or more; Microsoft's designer offers concat(text_1, ...)
def _concat(args: list[Json], ctx: EvaluationContext) -> Json:
    # Documented for strings; the runtime converts other values like string() does.
    return "".join(to_string(arg) for arg in args)


@function("replace", 3, 3)
def _replace(args: list[Json], ctx: EvaluationContext) -> Json:
    text, old, new = (str_arg("replace", args, i) for i in range(3))
    if old == "":
        raise ExpressionError("function 'replace' cannot replace an empty string")
    return text.replace(old, new)  # case-sensitive (reference)


@function("toLower", 1, 1)
def _to_lower(args: list[Json], ctx: EvaluationContext) -> Json:
    return str_arg("toLower", args, 0).lower()


@function("toUpper", 1, 1)
def _to_upper(args: list[Json], ctx: EvaluationContext) -> Json:
    return str_arg("toUpper", args, 0).upper()


@function("substring", 2, 3)
def _substring(args: list[Json], ctx: EvaluationContext) -> Json:
    text = str_arg("substring", args, 0)
    start = int_arg("substring", args, 1)
    length = int_arg("substring", args, 2) if len(args) > 2 else len(text) - start
    if start < 0 or length < 0 or start + length > len(text):  # an error, unlike other languages (reference)
        raise ExpressionError(
            f"function 'substring': start index {start} and length {length} are outside the string (length {len(text)})"
        )
    return text[start : start + length]


@function("slice", 2, 3)
def _slice(args: list[Json], ctx: EvaluationContext) -> Json:
    text = str_arg("slice", args, 0)
    size = len(text)

    def position(index: int) -> int:  # negative counts from the end (reference)
        return max(size + index, 0) if index < 0 else min(index, size)

    start = position(int_arg("slice", args, 1))
    end = position(int_arg("slice", args, 2)) if opt(args, 2) is not None else size
    return text[start:end] if start < end else ""


def _fold(text: str) -> str:
    # Ordinal ignore-case, keeping the string length (so indexes still match the original).
    return "".join(upper if len(upper := char.upper()) == 1 else char for char in text)


@function("indexOf", 2, 2)
def _index_of(args: list[Json], ctx: EvaluationContext) -> Json:
    text, search = str_arg("indexOf", args, 0), str_arg("indexOf", args, 1)
    return _fold(text).find(_fold(search))  # not case-sensitive (reference)


@function("lastIndexOf", 2, 2)
def _last_index_of(args: list[Json], ctx: EvaluationContext) -> Json:
    text, search = str_arg("lastIndexOf", args, 0), str_arg("lastIndexOf", args, 1)
    if search == "":  # reference: string length minus 1; both empty: 0
        return max(len(text) - 1, 0)
    return _fold(text).rfind(_fold(search))


@function("nthIndexOf", 3, 3)
def _nth_index_of(args: list[Json], ctx: EvaluationContext) -> Json:
    text, search = str_arg("nthIndexOf", args, 0), str_arg("nthIndexOf", args, 1)
    occurrence = int_arg("nthIndexOf", args, 2)
    if occurrence == 0 or search == "":
        raise cannot_run("nthIndexOf() with occurrence 0 or an empty search text", "the reference does not say")
    # Ordinal (case-sensitive): unlike indexOf, the reference does not call it case-insensitive.
    found, pos = -1, (0 if occurrence > 0 else len(text))
    for _ in range(abs(occurrence)):
        found = text.find(search, pos) if occurrence > 0 else text.rfind(search, 0, pos)
        if found < 0:
            return -1
        pos = found + 1 if occurrence > 0 else found + len(search) - 1
    return found


@function("split", 2, 2)
def _split(args: list[Json], ctx: EvaluationContext) -> Json:
    text, delimiter = str_arg("split", args, 0), str_arg("split", args, 1)
    return text.split(delimiter) if delimiter else [text]


@function("trim", 1, 1)
def _trim(args: list[Json], ctx: EvaluationContext) -> Json:
    return str_arg("trim", args, 0).strip()


@function("startsWith", 2, 2)
def _starts_with(args: list[Json], ctx: EvaluationContext) -> Json:
    text, search = str_arg("startsWith", args, 0), str_arg("startsWith", args, 1)
    return _fold(text).startswith(_fold(search))  # not case-sensitive (reference)


@function("endsWith", 2, 2)
def _ends_with(args: list[Json], ctx: EvaluationContext) -> Json:
    text, search = str_arg("endsWith", args, 0), str_arg("endsWith", args, 1)
    return _fold(text).endswith(_fold(search))


def _guid_x(value: uuid.UUID) -> str:
    h = value.hex
    tail = ",".join(f"0x{h[i : i + 2]}" for i in range(16, 32, 2))
    return f"{{0x{h[:8]},0x{h[8:12]},0x{h[12:16]},{{{tail}}}}}"


_GUID_FORMATS = {
    "N": lambda g: g.hex,
    "D": str,
    "B": lambda g: f"{{{g}}}",
    "P": lambda g: f"({g})",
    "X": _guid_x,
}


@function("guid", 0, 1)
def _guid(args: list[Json], ctx: EvaluationContext) -> Json:
    if ctx.guid_factory is None:
        raise cannot_run("guid()", "it is random; give the run a guid_factory")
    fmt = str_arg("guid", args, 0).upper() if args else "D"
    if fmt not in _GUID_FORMATS:
        raise ExpressionError(f"function 'guid': format '{fmt}' is not one of N, D, B, P, X")
    return _GUID_FORMATS[fmt](ctx.guid_factory())


@function("formatNumber", 2, 3)
def _format_number(args: list[Json], ctx: EvaluationContext) -> Json:
    number = num_arg("formatNumber", args, 0)
    fmt = str_arg("formatNumber", args, 1)
    check_locale("formatNumber", opt(args, 2))
    return format_number(number, fmt)


@function("isInt", 1, 1)
def _is_int(args: list[Json], ctx: EvaluationContext) -> Json:
    return parse_int_text(str_arg("isInt", args, 0)) is not None


@function("isFloat", 1, 2)
def _is_float(args: list[Json], ctx: EvaluationContext) -> Json:
    check_locale("isFloat", opt(args, 1))  # default: the invariant culture, same separators as en-US
    return parse_float_text(str_arg("isFloat", args, 0)) is not None
