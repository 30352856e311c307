"""Boundaries: argument counts at both ends of every signature, empty collections, nulls, definition
strings, and the date formats the report uses.

The signatures below are copied from Microsoft's expression function reference (2025-10-06): `?`
marks an optional parameter there, `...` a repeatable one (None here).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.emulator.expressions import (
    EvaluationContext,
    ExpressionError,
    InvalidExpressionError,
    UnsupportedConstructError,
    evaluate_value,
    parse,
)

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)

SIGNATURES: dict[str, tuple[int, int | None]] = {
    "add": (2, 2), "addDays": (2, 3), "addHours": (2, 3), "addMinutes": (2, 3), "addProperty": (3, 3),
    "addSeconds": (2, 3), "addToTime": (3, 4), "and": (2, None), "array": (1, 1), "base64": (1, 1),
    "base64ToString": (1, 1), "body": (1, 1), "bool": (1, 1), "chunk": (2, 2), "coalesce": (1, None),
    "contains": (2, 2), "convertFromUtc": (2, 3), "convertTimeZone": (3, 4), "convertToUtc": (2, 3),
    "dataUri": (1, 1), "dataUriToString": (1, 1), "dateDifference": (2, 2), "dayOfMonth": (1, 1),
    "dayOfWeek": (1, 1), "dayOfYear": (1, 1), "decimal": (1, 1), "decodeUriComponent": (1, 1), "div": (2, 2),
    "encodeUriComponent": (1, 1), "empty": (1, 1), "endsWith": (2, 2), "equals": (2, 2), "first": (1, 1),
    "float": (1, 2), "formatDateTime": (1, 3), "formatNumber": (2, 3), "getFutureTime": (2, 3),
    "getPastTime": (2, 3), "greater": (2, 2), "greaterOrEquals": (2, 2), "guid": (0, 1), "if": (3, 3),
    "indexOf": (2, 2), "int": (1, 1), "intersection": (2, None), "isFloat": (1, 2), "isInt": (1, 1),
    "item": (0, 0), "items": (1, 1), "iterationIndexes": (1, 1), "join": (2, 2), "json": (1, 1), "last": (1, 1),
    "lastIndexOf": (2, 2), "length": (1, 1), "less": (2, 2), "lessOrEquals": (2, 2), "max": (1, None),
    "min": (1, None), "mod": (2, 2), "mul": (2, 2), "not": (1, 1), "nthIndexOf": (3, 3), "or": (2, None),
    "outputs": (1, 1), "parameters": (1, 1), "parseDateTime": (1, 3), "rand": (2, 2), "range": (2, 2),
    "removeProperty": (2, 2), "replace": (3, 3), "result": (1, 1), "reverse": (1, 1), "setProperty": (3, 3),
    "skip": (2, 2), "slice": (2, 3), "sort": (1, 2), "split": (2, 2), "startOfDay": (1, 2), "startOfHour": (1, 2),
    "startOfMonth": (1, 2), "startsWith": (2, 2), "string": (1, 1), "sub": (2, 2), "substring": (2, 3),
    "subtractFromTime": (3, 4), "take": (2, 2), "ticks": (1, 1), "toLower": (1, 1), "toUpper": (1, 1),
    "trigger": (0, 0), "triggerBody": (0, 0), "triggerOutputs": (0, 0), "trim": (1, 1), "union": (2, None),
    "uriComponent": (1, 1), "uriComponentToString": (1, 1), "uriHost": (1, 1), "uriPath": (1, 1),
    "uriPathAndQuery": (1, 1), "uriPort": (1, 1), "uriQuery": (1, 1), "uriScheme": (1, 1), "utcNow": (0, 1),
    "variables": (1, 1), "workflow": (0, 0), "actions": (1, 1),
    # The reference says "at least two" for these; Microsoft's designer offers concat(text_1, ...)
    # and createArray(object_1, ...), and published templates call createArray() with none.
    "concat": (1, None), "createArray": (0, None),
}  # fmt: skip

# Functions of the reference the emulator refuses (see docs/design.md for why, each).
UNSUPPORTED = [
    "action()", "listCallbackUrl()", "formDataMultiValues('a', 'k')", "formDataValue('a', 'k')",
    "multipartBody('a', 0)", "triggerFormDataMultiValues('k')", "triggerFormDataValue('k')", "triggerMultipartBody(0)",
    "xpath('<a/>', '/a')", "xml('<a/>')", "binary('a')", "base64ToBinary('YQ==')", "dataUriToBinary('data:,a')",
    "decodeDataUri('data:,a')", "uriComponentToBinary('a')",
]  # fmt: skip


def call(name: str, count: int) -> str:
    return f"{name}({', '.join(['1'] * count)})"


@pytest.mark.parametrize(("name", "signature"), SIGNATURES.items())
def test_argument_counts_at_both_ends(name: str, signature: tuple[int, int | None]) -> None:
    low, high = signature
    parse(call(name, low))
    parse(call(name, high if high is not None else low + 5))
    documented = f"at least {low}" if high is None else str(low) if low == high else f"{low} to {high}"
    if low > 0:
        with pytest.raises(UnsupportedConstructError,
                           match=rf"{name}\(\) with {low - 1} argument\(s\): the reference documents {documented}\b"):
            parse(call(name, low - 1))
    if high is not None:
        with pytest.raises(UnsupportedConstructError,
                           match=rf"{name}\(\) with {high + 1} argument\(s\): the reference documents {documented}\b"):
            parse(call(name, high + 1))


@pytest.mark.parametrize("expression", UNSUPPORTED)
def test_each_refused_reference_function_says_why(expression: str) -> None:
    with pytest.raises(UnsupportedConstructError) as caught:
        parse(expression)
    name = expression.split("(")[0]
    assert f"the emulator cannot run {name}():" in str(caught.value)


def test_function_names_are_case_insensitive() -> None:
    ev("CONCAT('a', 'b')")
    assert ev("utcnow('yyyy')") == "2026"
    assert ev("encodeURIComponent('a b')") == "a%20b"  # published templates write it so


def ev(expression: str, ctx: EvaluationContext | None = None) -> Any:
    return evaluate_value("@" + expression, ctx or EvaluationContext(now=NOW))


EMPTY_COLLECTIONS = [
    ("first(createArray())", None),
    ("last('')", None),
    ("join(createArray(), ',')", ""),
    ("union(createArray(), createArray())", []),
    ("intersection(createArray(1), createArray())", []),
    ("take(createArray(), 0)", []),
    ("take('abc', 0)", ""),
    ("take('abc', 5)", "abc"),
    ("skip(createArray(1, 2), 5)", []),
    ("sort(createArray())", []),
    ("reverse(createArray())", []),
    ("chunk('', 2)", []),
    ("length(createArray())", 0),
    ("empty(createArray())", True),
    ("empty(json('{}'))", True),
    ("range(5, 0)", []),
    ("split('', ',')", [""]),
    ("contains(createArray(), 1)", False),
    ("lastIndexOf('', '')", 0),  # "If the string and substring values are both empty, the function returns 0"
    ("lastIndexOf('', 'a')", -1),  # "If only the string value is empty, the function returns -1"
]


@pytest.mark.parametrize(("expression", "expected"), EMPTY_COLLECTIONS)
def test_empty_collections(expression: str, expected: Any) -> None:
    assert ev(expression) == expected


@pytest.mark.parametrize(
    "expression", ["min(createArray())", "max(createArray())", "chunk('abc', 0)", "take('abc', -1)"]
)
def test_empty_or_negative_inputs_that_fail(expression: str) -> None:
    with pytest.raises(ExpressionError):
        ev(expression)


NULLS = [
    ("string(null)", ""),  # reference, string(): null "is converted to an empty string"
    ("concat('a', null, 'b')", "ab"),
    ("equals(null, '')", True),  # logical comparisons convert null to ""
    ("greater('a', null)", True),
    ("empty(null)", True),
    ("coalesce(null, '')", ""),  # "Empty strings, empty arrays, and empty objects aren't null"
    ("json(null)", {}),  # "If the string is null, the function returns an empty object"
    ("parameters('o')?['missing']?['deeper']", None),
]


@pytest.mark.parametrize(("expression", "expected"), NULLS)
def test_null_handling(expression: str, expected: Any) -> None:
    assert ev(expression, EvaluationContext(now=NOW, parameters={"o": {}})) == expected


@pytest.mark.parametrize("expression", ["length(null)", "toLower(null)", "parameters('o')['missing']['deeper']"])
def test_null_where_a_value_is_needed_fails(expression: str) -> None:
    with pytest.raises(ExpressionError):
        ev(expression, EvaluationContext(now=NOW, parameters={"o": {}}))


DEFINITION_STRINGS = [
    ("@", "@"),  # one character: text (Azure/LogicAppsUX isTemplateExpression needs 2 or more)
    ("@@", "@"),
    ("@@concat('a')", "@concat('a')"),
    ("x @@{y}", "x @{y}"),
    ("@{'}'}", "}"),  # a brace inside a string literal does not close the interpolation
    ("a @{ 'x' } b", "a x b"),
    ("@ length('abc')", 3),  # whitespace after "@", as Azure/LogicAppsTemplates writes it
    ("mail@example.com", "mail@example.com"),
    ("@{1}@{2}", "12"),
    ("@{'it''s'}", "it's"),
]


@pytest.mark.parametrize(("value", "expected"), DEFINITION_STRINGS)
def test_definition_strings(value: str, expected: Any) -> None:
    assert evaluate_value(value, EvaluationContext(now=NOW)) == expected


def test_an_unclosed_interpolation_is_invalid() -> None:
    with pytest.raises(InvalidExpressionError, match="not closed"):
        evaluate_value("a @{concat('b', 'c') d", EvaluationContext(now=NOW))


# The report's own formats ('d MMM', 'dddd d MMMM yyyy', 'd MMM yyyy HH:mm', 'o'), against the .NET
# custom format rules ("Custom date and time format strings", learn.microsoft.com/dotnet): "d" is the
# day 1-31 without a leading zero, "dddd" the full day name, "MMM"/"MMMM" the abbreviated/full month
# name, "HH" the hour 00-23; its example DateTime(2008, 8, 29, 19, 27, 15) formats "ddd d MMM" as
# "Fri 29 Aug" and "dddd dd MMMM" as "Friday 29 August".
REPORT_FORMATS = [
    ("2008-08-29T19:27:15Z", "ddd d MMM", "Fri 29 Aug"),
    ("2008-08-29T19:27:15Z", "dddd dd MMMM", "Friday 29 August"),
    ("2008-08-29T19:27:15Z", "d MMM", "29 Aug"),
    ("2026-11-02T07:00:00Z", "d MMM", "2 Nov"),
    ("2026-11-02T07:00:00Z", "dddd d MMMM yyyy", "Monday 2 November 2026"),
    ("2026-01-01T00:05:00Z", "d MMM yyyy HH:mm", "1 Jan 2026 00:05"),
    ("2026-12-31T23:59:59Z", "d MMM yyyy HH:mm", "31 Dec 2026 23:59"),
    ("2026-12-31T23:59:59.5Z", "o", "2026-12-31T23:59:59.5000000Z"),
    ("2026-12-31T23:59:59", "o", "2026-12-31T23:59:59.0000000"),  # no designator: no Z
    ("2026-12-31T23:59:59+01:00", "o", "2026-12-31T22:59:59.0000000Z"),
]


@pytest.mark.parametrize(("timestamp", "fmt", "expected"), REPORT_FORMATS)
def test_the_report_date_formats(timestamp: str, fmt: str, expected: str) -> None:
    assert ev(f"formatDateTime('{timestamp}', '{fmt}')") == expected


def test_the_report_formats_after_a_time_zone_change() -> None:
    # W. Europe Standard Time is UTC+1 in November, UTC+2 in July (summer time)
    assert ev("convertFromUtc('2026-11-22T23:30:00Z', 'W. Europe Standard Time', 'dddd d MMMM yyyy')") == (
        "Monday 23 November 2026"
    )
    assert (
        ev("convertFromUtc('2026-07-01T06:00:00Z', 'W. Europe Standard Time', 'd MMM yyyy HH:mm')")
        == "1 Jul 2026 08:00"
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("addToTime('2026-01-31T00:00:00Z', 1, 'Month', 'yyyy-MM-dd')", "2026-02-28"),  # .NET AddMonths clamps
        ("addToTime('2024-02-29T00:00:00Z', 1, 'Year', 'yyyy-MM-dd')", "2025-02-28"),
        ("addToTime('2026-01-01T00:00:00Z', 2, 'Week', 'yyyy-MM-dd')", "2026-01-15"),
        ("dateDifference('2018-07-30', '2015-02-08')", "-1268.00:00:00"),  # "the result is a negative value"
        ("dateDifference('2018-01-01T00:00:00Z', '2018-01-01T01:30:00.5Z')", "01:30:00.5000000"),
    ],
)
def test_date_arithmetic_boundaries(expression: str, expected: str) -> None:
    assert ev(expression) == expected


def test_unknown_time_units_fail() -> None:
    with pytest.raises(ExpressionError, match="'Fortnight' is not a time unit"):
        ev("addToTime('2026-01-01T00:00:00Z', 1, 'Fortnight')")


@pytest.mark.parametrize(("expression", "expected"), [
    # Reference guide, indexOf: "Return the starting position or index value for a substring. This
    # function is not case-sensitive": the first occurrence, where lastIndexOf's example on the same
    # text ('hello world hello world', 'world') gives 18.
    ("indexOf('hello world hello world', 'world')", 6),
    ("indexOf('Hello World Hello World', 'WORLD')", 6),
    ("indexOf('hello world', 'xyz')", -1),
])
def test_index_of_finds_the_first_occurrence(expression: str, expected: Any) -> None:
    assert ev(expression) == expected
