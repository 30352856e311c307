"""Microsoft's documented examples: string, collection, logical comparison, conversion and math functions.

Every expression and expected value below is copied from Microsoft Learn, "Reference guide to
functions in expressions for workflows in Azure Logic Apps and Power Automate"
(https://learn.microsoft.com/azure/logic-apps/expression-functions-reference, revision of
2025-10-06; source MicrosoftDocs/azure-docs articles/logic-apps/expression-functions-reference.md),
unless a comment names another page. Where the page contradicts itself, the comment says so.
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
)

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def ev(expression: str, ctx: EvaluationContext | None = None) -> Any:
    return evaluate_value("@" + expression, ctx or EvaluationContext(now=NOW))


def check(expression: str, expected: Any) -> None:
    result = ev(expression)
    assert result == expected
    assert type(result) is type(expected), f"{expression}: {type(result).__name__} is not {type(expected).__name__}"


STRING_FUNCTIONS = [
    # the page's introduction
    ("toLower('Hello')", "hello"),
    ("concat('Sophia', 'Owen')", "SophiaOwen"),
    # chunk (also a collection function)
    ("chunk('abcdefghijklmnopqrstuvwxyz', 10)", ["abcdefghij", "klmnopqrst", "uvwxyz"]),
    ("concat('Hello', 'World')", "HelloWorld"),
    ("endsWith('hello world', 'world')", True),
    ("endsWith('hello world', 'universe')", False),
    ("formatNumber(1234567890, '#,##0.00', 'en-US')", "1,234,567,890.00"),
    ("formatNumber(17.35, 'C2')", "$17.35"),
    ("indexOf('hello world', 'world')", 6),
    ("isFloat('10,000.00')", True),
    ("isInt('10')", True),
    ("lastIndexOf('hello world hello world', 'world')", 18),
    ("lastIndexOf('hello world hello world', '')", 22),
    ("length('abcd')", 4),
    ("nthIndexOf('123456789123465789', '1', 1)", 0),
    ("nthIndexOf('123456789123465789', '1', 2)", 9),
    ("nthIndexOf('123456789123465789', '12', 2)", 9),
    ("nthIndexOf('123456789123465789', '6', 4)", -1),
    ("replace('the old string', 'old', 'new')", "the new string"),
    ("slice('Hello World', 2)", "llo World"),
    ("slice('Hello World', 30)", ""),
    ("slice('Hello World', 10, 2)", ""),
    ("slice('Hello World', 0)", "Hello World"),
    ("slice('Hello World', 2, 5)", "llo"),
    ("slice('Hello World', 6, 20)", "World"),
    ("slice('Hello World', -2)", "ld"),
    ("slice('Hello World', 3, -1)", "lo Worl"),
    ("slice('Hello World', 3, 3)", ""),
    ("split('a_b_c', '_')", ["a", "b", "c"]),
    ("split('a_b_c', ' ')", ["a_b_c"]),
    ("startsWith('hello world', 'hello')", True),
    ("startsWith('hello world', 'greetings')", False),
    ("substring('hello world', 6, 5)", "world"),
    ("toLower('Hello World')", "hello world"),
    ("toUpper('Hello World')", "HELLO WORLD"),
    ("trim(' Hello World  ')", "Hello World"),
]

COLLECTION_FUNCTIONS = [
    ("chunk(createArray(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 5)", [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]),
    ("contains('hello world', 'world')", True),
    ("contains('hello world', 'universe')", False),
    ("empty('')", True),
    ("empty('abc')", False),
    ("first('hello')", "h"),
    ("first(createArray(0, 1, 2))", 0),
    ("intersection(createArray(1, 2, 3), createArray(101, 2, 1, 10), createArray(6, 8, 1, 2))", [1, 2]),
    ("join(createArray('a', 'b', 'c'), '.')", "a.b.c"),
    ("last('abcd')", "d"),
    ("last(createArray(0, 1, 2, 3))", 3),
    ("length(createArray(0, 1, 2, 3))", 4),
    ("reverse(createArray(0, 1, 2, 3))", [3, 2, 1, 0]),
    ("skip(createArray(0, 1, 2, 3), 1)", [1, 2, 3]),
    ("sort(createArray(2, 1, 0, 3))", [0, 1, 2, 3]),
    (
        'sort(createArray(json(\'{ "first": "Amalie", "last": "Rose" }\'), '
        'json(\'{ "first": "Elise", "last": "Renee" }\')), \'last\')',
        [{"first": "Elise", "last": "Renee"}, {"first": "Amalie", "last": "Rose"}],
    ),
    ("take('abcde', 3)", "abc"),
    ("take(createArray(0, 1, 2, 3, 4), 3)", [0, 1, 2]),
    ("union(createArray(1, 2, 3), createArray(1, 2, 10, 101))", [1, 2, 3, 10, 101]),
]

LOGICAL_FUNCTIONS = [
    ("and(true, true)", True),
    ("and(false, true)", False),
    ("and(false, false)", False),
    ("and(equals(1, 1), equals(2, 2))", True),
    ("and(equals(1, 1), equals(1, 2))", False),
    ("and(equals(1, 2), equals(1, 3))", False),
    ("equals(true, 1)", True),
    ("equals('abc', 'abcd')", False),
    ("greater(10, 5)", True),
    ("greater('apple', 'banana')", False),
    ("greaterOrEquals(5, 5)", True),
    ("greaterOrEquals('apple', 'banana')", False),
    ("if(equals(1, 1), 'yes', 'no')", "yes"),
    ("less(5, 10)", True),
    ("less('banana', 'apple')", False),
    ("lessOrEquals(10, 10)", True),
    ("lessOrEquals('apply', 'apple')", False),
    ("not(false)", True),
    ("not(true)", False),
    ("not(equals(1, 2))", True),
    ("not(equals(1, 1))", False),
    ("or(true, false)", True),
    ("or(false, false)", False),
    ("or(equals(1, 1), equals(1, 2))", True),
    ("or(equals(1, 2), equals(1, 3))", False),
]

CONVERSION_FUNCTIONS = [
    ("array('hello')", ["hello"]),
    ("base64('hello')", "aGVsbG8="),
    ("base64ToString('aGVsbG8=')", "hello"),
    ("bool(1)", True),
    ("bool(0)", False),
    ("bool(-1)", True),
    ("bool('true')", True),
    ("bool('false')", False),
    ("createArray('h', 'e', 'l', 'l', 'o')", ["h", "e", "l", "l", "o"]),
    ("dataUri('hello')", "data:text/plain;charset=utf-8;base64,aGVsbG8="),
    ("dataUriToString('data:text/plain;charset=utf-8;base64,aGVsbG8=')", "hello"),
    ("decimal('1.2345678912312131')", 1.234567891231213),  # "Returns 1.234567891231213."
    ("string(decimal('1.2345678912312131'))", "1.2345678912312131"),
    ("add(decimal('1.2345678912312131'), decimal('1.2345678912312131'))", 2.469135782462426),
    ("string(add(decimal('1.2345678912312131'), decimal('1.2345678912312131')))", "2.4691357824624262"),
    ("decodeUriComponent('https%3A%2F%2Fcontoso.com')", "https://contoso.com"),
    ("encodeUriComponent('https://contoso.com')", "https%3A%2F%2Fcontoso.com"),
    ("float('10,000.333')", 10000.333),
    ("float('12,3,4,5678')", 12345678.0),  # "Examples of unexpectedly valid inputs"
    ("float('1234567,8+')", 12345678.0),
    ("float('12345,6,78,-')", -12345678.0),
    ("float('-12,345,678,')", -12345678.0),
    ("float('12345678.-')", -12345678.0),
    ("float('.12345678')", 0.12345678),
    ("int('10')", 10),
    ("json('[1, 2, 3]')", [1, 2, 3]),
    ('json(\'{"fullName": "Sophia Owen"}\')', {"fullName": "Sophia Owen"}),
    ("string(10)", "10"),
    ("uriComponent('https://contoso.com')", "https%3A%2F%2Fcontoso.com"),
    ("uriComponentToString('https%3A%2F%2Fcontoso.com')", "https://contoso.com"),
]

MATH_FUNCTIONS = [
    ("add(1, 1.5)", 2.5),
    ("div(10,5)", 2),
    ("div(11,5)", 2),  # "Both examples return this value with Integer type: 2"
    ("div(11,5.0)", 2.2),
    ("div(11.0,5)", 2.2),
    ("max(1, 2, 3)", 3),
    ("max(createArray(1, 2, 3))", 3),
    ("min(1, 2, 3)", 1),
    ("min(createArray(1, 2, 3))", 1),
    ("mod(3, 2)", 1),
    ("mod(-5, 2)", -1),  # "the result matches the sign of the dividend"
    ("mod(4, -3)", 1),
    ("mul(1, 2)", 2),
    ("mul(1.5, 2)", 3.0),  # the page prints 3: a float, as a Float operand makes the result a float
    ("range(1, 4)", [1, 2, 3, 4]),
    ("sub(10.3, .3)", 10.0),  # the page prints 10
]


@pytest.mark.parametrize(
    ("expression", "expected"),
    STRING_FUNCTIONS + COLLECTION_FUNCTIONS + LOGICAL_FUNCTIONS + CONVERSION_FUNCTIONS + MATH_FUNCTIONS,
)
def test_documented_example(expression: str, expected: Any) -> None:
    check(expression, expected)


def test_coalesce_examples() -> None:
    assert ev("coalesce(null, true, false)") is True
    assert ev("coalesce(null, 'hello', 'world')") == "hello"
    assert ev("coalesce(null, null, null)") is None


def test_guid_examples_with_a_pinned_guid() -> None:
    import uuid

    documented = uuid.UUID("c2ecc88d-88c8-4096-912c-d6f2e2b138ce")  # the page's example GUID
    ctx = EvaluationContext(now=NOW, guid_factory=lambda: documented)
    assert ev("guid()", ctx) == "c2ecc88d-88c8-4096-912c-d6f2e2b138ce"
    assert ev("guid('P')", ctx) == "(c2ecc88d-88c8-4096-912c-d6f2e2b138ce)"
    # .NET Guid.ToString formats (learn.microsoft.com/dotnet/api/system.guid.tostring): N, B, X
    assert ev("guid('N')", ctx) == "c2ecc88d88c84096912cd6f2e2b138ce"
    assert ev("guid('B')", ctx) == "{c2ecc88d-88c8-4096-912c-d6f2e2b138ce}"
    assert ev("guid('X')", ctx) == "{0xc2ecc88d,0x88c8,0x4096,{0x91,0x2c,0xd6,0xf2,0xe2,0xb1,0x38,0xce}}"


def test_rand_returns_what_the_pinned_source_picks_in_a_half_open_range() -> None:
    # "rand(1, 5) ... returns one of these numbers as the result: 1, 2, 3, or 4"
    for picked in (1, 4):
        ctx = EvaluationContext(now=NOW, random_integer=lambda low, high, picked=picked: picked)
        assert ev("rand(1, 5)", ctx) == picked
    broken = EvaluationContext(now=NOW, random_integer=lambda low, high: high)
    with pytest.raises(ValueError, match="outside"):
        ev("rand(1, 5)", broken)
    with pytest.raises(UnsupportedConstructError, match="rand"):
        ev("rand(1, 5)")


@pytest.mark.parametrize(
    "expression",
    [
        "float('10.000,333', 'de-DE')",  # the page: 10000.333 with the German locale
        "formatNumber(1234567890, '#,##0.00', 'is-IS')",  # "1.234.567.890,00"
        "formatNumber(17.35, 'C2', 'is-IS')",  # "17,35 kr"
        "isFloat('10.000,00', 'de-DE')",  # true
    ],
)
def test_other_locales_are_unsupported_not_wrong(expression: str) -> None:
    with pytest.raises(UnsupportedConstructError, match="locale"):
        ev(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "binary('hello')",
        "base64ToBinary('aGVsbG8=')",
        "dataUriToBinary('data:text/plain;charset=utf-8;base64,aGVsbG8=')",
        "decodeDataUri('data:text/plain;charset=utf-8;base64,aGVsbG8=')",
        "uriComponentToBinary('https%3A%2F%2Fcontoso.com')",
        "xml('<name>Sophia Owen</name>')",
        'json(xml(\'<?xml version="1.0"?> <root> <person id="1"> <name>Sophia Owen</name> </person> </root>\'))',
        # string() example 2 writes an object literal inside the expression
        'string( { "name": "Sophie Owen" } )',
    ],
)
def test_binary_and_xml_forms_are_unsupported(expression: str) -> None:
    with pytest.raises(UnsupportedConstructError) as caught:
        ev(expression)
    assert not isinstance(caught.value, InvalidExpressionError)
    assert "the emulator cannot run" in str(caught.value)


def test_runtime_failures_the_page_describes() -> None:
    # substring: start + length beyond the string is an error, "unlike similar functions in other languages"
    with pytest.raises(ExpressionError, match="substring"):
        ev("substring('hello', 2, 4)")
    # div: "the divisor ... can't be zero"
    with pytest.raises(ExpressionError, match="divide by zero"):
        ev("div(1, 0)")
    # range: "The count parameter value must be a positive integer that doesn't exceed 100,000"
    with pytest.raises(ExpressionError, match="100,000"):
        ev("range(0, 100001)")
    with pytest.raises(ExpressionError, match="2,147,483,647"):
        ev("range(2147483600, 100)")
