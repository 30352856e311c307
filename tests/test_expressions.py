"""The expression evaluator: syntax, conversions, access, errors (documented examples: test_emulator_reference*.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.emulator.expressions import (
    EvaluationContext,
    ExpressionError,
    InvalidExpressionError,
    UnsupportedConstructError,
    evaluate_value,
    iter_expressions,
    parse,
    referenced_actions,
)

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def make_ctx(**kwargs: Any) -> EvaluationContext:
    return EvaluationContext(now=NOW, **kwargs)


def ev(expression: str, ctx: EvaluationContext | None = None) -> Any:
    return evaluate_value("@" + expression, ctx or make_ctx())


# Microsoft's documented examples for every function are in tests/test_emulator_reference*.py.


def test_utc_now_uses_the_pinned_clock_with_seven_fraction_digits() -> None:
    assert ev("utcNow()") == "2026-11-22T06:00:00.0000000Z"
    assert ev("utcNow('D')") == "Sunday, November 22, 2026"
    assert ev("utcNow('yyyy-MM-dd HH:mm')") == "2026-11-22 06:00"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("o", "2018-03-05T13:07:09.1234567Z"),
        ("s", "2018-03-05T13:07:09"),
        ("u", "2018-03-05 13:07:09Z"),
        ("d", "3/5/2018"),
        ("D", "Monday, March 5, 2018"),
        ("g", "3/5/2018 1:07 PM"),
        ("G", "3/5/2018 1:07:09 PM"),
        ("R", "Mon, 05 Mar 2018 13:07:09 GMT"),
        ("yy M d H h m s t", "18 3 5 13 1 7 9 P"),
        ("dddd ddd MMMM MMM", "Monday Mon March Mar"),
        ("hh:mm tt", "01:07 PM"),
        ("fff ffff fffffff", "123 1234 1234567"),
        ("K zzz", "Z +00:00"),
        ("'week of' d\\'MMM", "week of 5'Mar"),
        ("yyyy-MM-ddTHH:mm:ssZ", "2018-03-05T13:07:09Z"),
    ],
)
def test_date_format_specifiers(fmt: str, expected: str) -> None:
    ctx = make_ctx(parameters={"fmt": fmt})
    assert ev("formatDateTime('2018-03-05T13:07:09.1234567Z', parameters('fmt'))", ctx) == expected


def test_capital_f_drops_trailing_zeros_and_the_dot() -> None:
    assert ev("formatDateTime('2018-03-05T13:07:09Z', 'HH:mm:ss.FFF')") == "13:07:09"
    assert ev("formatDateTime('2018-03-05T13:07:09.5Z', 'ss.FFF')") == "09.5"


def test_offsets_convert_to_utc_and_summer_time_is_applied() -> None:
    assert ev("formatDateTime('2026-07-01T08:00:00+02:00')") == "2026-07-01T06:00:00.0000000Z"
    summer = "convertFromUtc('2026-07-01T06:00:00Z', 'W. Europe Standard Time', 'yyyy-MM-dd HH:mm')"
    assert ev(summer) == "2026-07-01 08:00"
    winter = "convertFromUtc('2026-11-22T06:00:00Z', 'W. Europe Standard Time', 'HH:mm')"
    assert ev(winter) == "07:00"


@pytest.mark.parametrize(
    ("number", "fmt", "expected"),
    [
        ("1234.567", "#,##0.0", "1,234.6"),
        ("-2.5", "+0.0;-0.0;0.0", "-2.5"),
        ("2.5", "+0.0;-0.0;0.0", "+2.5"),
        ("0", "+0.0;-0.0;0.0", "0.0"),
        ("0.01", "+0.0;-0.0;0.0", "0.0"),
        ("0.1234", "P1", "12.3%"),
        ("-0.1234", "P1", "-12.3%"),
        ("1234.5", "N0", "1,235"),
        ("2.5", "F0", "3"),
        ("-2.5", "F0", "-3"),
        ("2.675", "F2", "2.68"),
        ("1234.5", "F1", "1234.5"),
        ("1234567.891", "N", "1,234,567.89"),
        ("42", "D5", "00042"),
        ("-42", "D", "-42"),
        ("0.5", "#.##", ".5"),
        ("0", "#", ""),
        ("0.456", "0%", "46%"),
        ("1234567", "#,##0,", "1,235"),
        ("5", "'score: '0", "score: 5"),
        ("-7.25", "0.0", "-7.3"),
        ("-0.01", "0.0", "0.0"),
        ("12", "00.00", "12.00"),
        ("3.1", "0.###", "3.1"),
    ],
)
def test_format_number(number: str, fmt: str, expected: str) -> None:
    quoted = fmt.replace("'", "''")
    assert ev(f"formatNumber({number}, '{quoted}')") == expected


def test_format_number_rejects_other_locales_and_non_numbers() -> None:
    with pytest.raises(UnsupportedConstructError, match="is-is"):
        ev("formatNumber(1234567890, '0,0.00', 'is-is')")
    with pytest.raises(ExpressionError, match="formatNumber"):
        ev("formatNumber('12', '0')")
    with pytest.raises(ExpressionError, match="D"):
        ev("formatNumber(1.5, 'D')")


def test_interpolation_converts_values_to_strings() -> None:
    ctx = make_ctx(parameters={"n": 3, "f": 2.5, "o": {"a": [1, 2.0]}, "t": True, "z": None})
    text = "n=@{parameters('n')} f=@{parameters('f')} o=@{parameters('o')} t=@{parameters('t')} z=[@{parameters('z')}]"
    assert evaluate_value(text, ctx) == 'n=3 f=2.5 o={"a":[1,2.0]} t=True z=[]'
    assert evaluate_value("@{parameters('n')}", ctx) == "3"  # @{...} alone is still a string


def test_whole_expression_keeps_the_json_type() -> None:
    ctx = make_ctx(parameters={"o": {"a": [1, 2]}})
    assert evaluate_value("@parameters('o')", ctx) == {"a": [1, 2]}
    assert evaluate_value({"x": ["@add(1, 2)", "plain", 5]}, ctx) == {"x": [3, "plain", 5]}


def test_at_escapes_and_plain_strings() -> None:
    ctx = make_ctx()
    assert evaluate_value("@@concat('a')", ctx) == "@concat('a')"
    assert evaluate_value("mail@example.com", ctx) == "mail@example.com"
    assert evaluate_value("price 5 @ 3", ctx) == "price 5 @ 3"


def test_string_literal_with_escaped_quote() -> None:
    assert ev("concat('it''s', ' ok')") == "it's ok"
    assert ev("length('''')") == 1


def test_member_access_forms() -> None:
    ctx = make_ctx(parameters={"o": {"Name": "x", "list": [{"v": 1}], "nothing": None}})
    assert ev("parameters('o')['Name']", ctx) == "x"
    assert ev("parameters('o')['name']", ctx) == "x"  # property names are case-insensitive
    assert ev("parameters('o').list[0].v", ctx) == 1
    assert ev("parameters('o')?['missing']", ctx) is None
    assert ev("parameters('o')?['nothing']?['deeper']", ctx) is None
    assert ev("parameters('o')['list']?[5]", ctx) is None
    with pytest.raises(ExpressionError, match="missing"):
        ev("parameters('o')['missing']", ctx)
    with pytest.raises(ExpressionError, match="null"):
        ev("parameters('o')['nothing']['deeper']", ctx)


def test_if_and_or_short_circuit() -> None:
    assert ev("if(true, 'ok', div(1, 0))") == "ok"
    assert ev("and(false, div(1, 0))") is False
    assert ev("or(true, div(1, 0))") is True
    with pytest.raises(ExpressionError, match="divide by zero"):
        ev("if(false, 'ok', div(1, 0))")


def test_comparisons_treat_null_as_empty_string() -> None:
    assert ev("equals(null, '')") is True
    assert ev("equals('abc', 'ABC')") is False
    assert ev("equals(createArray(1, 2), createArray(1, 2.0))") is True
    assert ev("empty(null)") is True


def test_case_insensitive_string_search_functions() -> None:
    assert ev("indexOf('Hello World', 'WORLD')") == 6
    assert ev("startsWith('Hello', 'hE')") is True
    assert ev("contains('Hello', 'hello')") is False  # contains is case-sensitive


def test_union_and_intersection_of_objects() -> None:
    assert ev('union(json(\'{"a":1,"b":2}\'), json(\'{"b":3}\'))') == {"a": 1, "b": 3}
    assert ev('intersection(json(\'{"a":1,"b":2}\'), json(\'{"b":2,"c":3}\'))') == {"b": 2}


def test_workflow_functions() -> None:
    ctx = make_ctx(
        actions={
            "A": {"name": "A", "status": "Succeeded", "outputs": {"statusCode": 200, "body": {"v": 1}}},
            "S": {"name": "S", "status": "Failed", "outputs": None},
        },
        bodies={"A": {"v": 1}},
        results={"S": [{"name": "A", "status": "Failed"}]},
        items=[{"x": 5}],
        trigger={"name": "Recurrence", "scheduledTime": "t", "outputs": {"body": {"k": "v"}}},
        workflow={"name": "wf"},
        defined_actions={"A", "S"},
    )
    assert ev("body('A')?['v']", ctx) == 1
    assert ev("outputs('A')['statusCode']", ctx) == 200
    assert ev("actions('A').status", ctx) == "Succeeded"
    assert ev("result('S')[0]['status']", ctx) == "Failed"
    assert ev("item()['x']", ctx) == 5
    assert ev("triggerBody()['k']", ctx) == "v"
    assert ev("trigger()['scheduledTime']", ctx) == "t"
    assert ev("workflow().name", ctx) == "wf"
    with pytest.raises(InvalidExpressionError, match="'Nope'"):
        ev("body('Nope')", ctx)
    with pytest.raises(ExpressionError, match="'loop' is not a Foreach"):
        ev("items('loop')", ctx)


def test_guid_needs_a_seed() -> None:
    with pytest.raises(UnsupportedConstructError, match="guid"):
        ev("guid()")
    fixed = uuid.UUID("c2ecc88d-88c8-4096-912c-d6f2e2b138ce")
    ctx = make_ctx(guid_factory=lambda: fixed)
    assert ev("guid()", ctx) == "c2ecc88d-88c8-4096-912c-d6f2e2b138ce"
    assert ev("guid('P')", ctx) == "(c2ecc88d-88c8-4096-912c-d6f2e2b138ce)"


# What Logic Apps refuses when the workflow is saved: syntax both the WDL schema reference and
# Microsoft's designer parser (Azure/LogicAppsUX scanner.ts / parser.ts) reject, and the documented
# 8,192-character expression limit.
@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("concat('a', 'b'", "expected ','"),
        ("concat('a, 'b')", "expected"),
        ("foo", "unknown identifier 'foo'"),
        ("'abc", "unterminated string"),
        ("add(1, 2) extra", "unexpected text"),
        ('length("Hello")', "double quotes"),  # WDL reference, Operators: "No: length(\"Hello\")"
        ("body('x')?", "expected '.' or '['"),
        ("concat('a',)", "unexpected character ')'"),
        ("1abc()", "after a number"),
        ("  ", "unexpected end"),  # "@  " (a lone "@" is text, see test_emulator_boundaries)
    ],
)
def test_invalid_expressions_name_the_construct_and_the_text(expression: str, fragment: str) -> None:
    with pytest.raises(InvalidExpressionError) as caught:
        ev(expression)
    assert fragment in str(caught.value)
    assert f"'{expression}'" in str(caught.value)


def test_the_expression_length_limit_is_8192_characters() -> None:
    # Limits and configuration reference for Azure Logic Apps: "Expression character limit: 8,192 characters"
    at_limit = "concat('" + "a" * (8192 - len("concat('', 'b')")) + "', 'b')"
    assert len(at_limit) == 8192
    assert ev(at_limit).endswith("ab")
    with pytest.raises(InvalidExpressionError, match="8192"):
        ev(at_limit[:-2] + "x', 'b')")


# What the emulator cannot run is never called invalid: unknown functions (Logic Apps Standard and
# the designer know more than the reference lists) and argument counts outside the reference's
# signatures (published templates call createArray() with none).
@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("nosuchfunction(1)", "nosuchfunction(): it is not a function of Microsoft's expression function reference"),
        ("agentParameters('CSV Payload')", "agentParameters()"),
        ("substring('abc')", "substring() with 1 argument(s): the reference documents 2 to 3"),
        ("utcNow('o', 'x')", "utcNow() with 2 argument(s): the reference documents 0 to 1"),
        ("encodeURIComponent('virtualNetworks/', 'x')", "encodeUriComponent() with 2 argument(s)"),
        ("length([1, 2, 3])", "array literals"),
    ],
)
def test_unsupported_expressions_say_the_emulator_cannot_run_them(expression: str, fragment: str) -> None:
    with pytest.raises(UnsupportedConstructError) as caught:
        ev(expression)
    assert "the emulator cannot run" in str(caught.value)
    assert fragment in str(caught.value)
    assert not isinstance(caught.value, InvalidExpressionError)


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("add('1', 2)", "function 'add' expects its parameter 1"),
        ("substring('abc', 1, 5)", "function 'substring'"),
        ("toLower(null)", "function 'toLower'"),
        ("int('1.5')", "function 'int'"),
        ("formatDateTime('not a date')", "not a valid timestamp"),
        ("formatDateTime('2018-03-15T13:00:00Z', 'q')", "'q'"),
        ("convertFromUtc('2018-03-15T13:00:00Z', 'Mars Standard Time')", "Mars Standard Time"),
        ("if(1, 'a', 'b')", "function 'if'"),
        ("greater(1, 'a')", "function 'greater'"),
        ("json('{')", "function 'json'"),
    ],
)
def test_runtime_errors_name_the_function_and_the_expression(expression: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        ev(expression)
    assert not isinstance(caught.value, InvalidExpressionError | UnsupportedConstructError)
    assert fragment in str(caught.value)
    assert expression in str(caught.value)


def test_function_names_are_case_insensitive() -> None:
    assert ev("CONCAT('a', 'b')") == "ab"
    assert ev("utcnow('yyyy')") == "2026"


def test_iter_expressions_and_referenced_actions() -> None:
    value = {
        "a": "@body('Query_overall')?['value']",
        "b": ["Score @{outputs('Compose_x')} at @{utcNow()}", "plain", "@@literal"],
        "c": {"d": "@result('Run_queries')", "e": 5},
    }
    expressions = sorted(iter_expressions(value))
    assert expressions == sorted(
        ["body('Query_overall')?['value']", "outputs('Compose_x')", "utcNow()", "result('Run_queries')"]
    )
    for expression in expressions:
        parse(expression)
    found = set().union(*(referenced_actions(expression) for expression in expressions))
    assert found == {"Query_overall", "Compose_x", "Run_queries"}
    assert referenced_actions("@{actions('A').status} and @{body('B')}") == {"A", "B"}
