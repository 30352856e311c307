"""An error raised by a function names that function, as Logic Apps' own errors do.

Logic Apps fails an action whose expression calls a function with a wrong argument with `InvalidTemplate`,
and its message names the function the workflow called (for example "... function 'split' expects its
first argument 'text' to be of type string", quoted in Microsoft's Power Automate error guidance). The
emulator keeps that rule: the message, before the "(in expression ...)" suffix the evaluator adds (which
quotes the whole expression and so would name the function anyway), names the function as Microsoft's
expression function reference spells it, in quotes (`'addDays'`) or as a call (`addDays()`).

Each valid call below is one of the reference's examples (Learn, "Reference guide to workflow expression
functions", https://learn.microsoft.com/azure/logic-apps/workflow-definition-language-functions-reference),
given every optional parameter. Each of its arguments is then replaced by a value of every other JSON type;
every replacement the function refuses must name it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from securescore.emulator.expressions import EvaluationContext, ExpressionError, evaluate_value

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)

# A value of each JSON type, as expression text.
WRONG = {
    "object": "json('{\"k\": 1}')",
    "array": "createArray(1)",
    "boolean": "true",
    "integer": "7",
    "float": "1.5",
    "string": "'x'",
    "null": "null",
}

# function -> the arguments of a valid call (the reference's examples, optional parameters filled in).
VALID_CALLS: dict[str, list[str]] = {
    # string functions
    "chunk": ["'abcdefghijklmnopqrstuvwxyz'", "10"],
    "endsWith": ["'hello world'", "'world'"],
    "formatNumber": ["1234567890", "'#,##0.00'", "'en-US'"],
    "indexOf": ["'hello world'", "'world'"],
    "isFloat": ["'10,000.00'", "'en-US'"],
    "isInt": ["'10'"],
    "lastIndexOf": ["'hello world hello world'", "'world'"],
    "nthIndexOf": ["'123456789123465789'", "'1'", "2"],
    "replace": ["'the old string'", "'old'", "'new'"],
    "slice": ["'Hello World'", "2", "5"],
    "split": ["'a_b_c'", "'_'"],
    "startsWith": ["'hello world'", "'hello'"],
    "substring": ["'hello world'", "6", "5"],
    "toLower": ["'Hello World'"],
    "toUpper": ["'Hello World'"],
    "trim": ["' Hello World  '"],
    # collection functions
    "first": ["createArray(0, 1, 2)"],
    "last": ["createArray(0, 1, 2, 3)"],
    "length": ["createArray(0, 1, 2, 3)"],
    "join": ["createArray('a', 'b', 'c')", "'.'"],
    "reverse": ["createArray(0, 1, 2, 3)"],
    "skip": ["createArray(0, 1, 2, 3)", "1"],
    "take": ["createArray(0, 1, 2, 3, 4)", "3"],
    "sort": ["createArray(json('{\"last\": \"Rose\"}'), json('{\"last\": \"Renee\"}'))", "'last'"],
    "union": ["createArray(1, 2, 3)", "createArray(1, 2, 10, 101)"],
    "intersection": ["createArray(1, 2, 3)", "createArray(101, 2, 1, 10)"],
    # contains: "a dictionary: find a key" (the reference's collection may be an object)
    "contains": ["json('{\"firstName\": \"Sophia\"}')", "'firstName'"],
    # conversion functions
    "base64": ["'hello'"],
    "dataUri": ["'hello'"],
    "base64ToString": ["'aGVsbG8='"],
    "decodeBase64": ["'aGVsbG8='"],
    "dataUriToString": ["'data:text/plain;charset=utf-8;base64,aGVsbG8='"],
    "decimal": ["'1.2345678912312131'"],
    "float": ["'10,000.333'", "'en-US'"],
    "int": ["'10'"],
    "json": ["'[1, 2, 3]'"],
    "uriComponent": ["'https://contoso.com'"],
    "encodeUriComponent": ["'https://contoso.com'"],
    "uriComponentToString": ["'https%3A%2F%2Fcontoso.com'"],
    "decodeUriComponent": ["'https%3A%2F%2Fcontoso.com'"],
    "bool": ["1"],
    # logical comparison functions
    "greater": ["10", "5"],
    "greaterOrEquals": ["5", "5"],
    "less": ["5", "10"],
    "lessOrEquals": ["10", "10"],
    "not": ["false"],
    "and": ["true", "true"],
    "or": ["true", "false"],
    "if": ["equals(1, 1)", "'yes'", "'no'"],
    # math functions
    "add": ["1", "1.5"],
    "div": ["11", "5"],
    "mod": ["3", "2"],
    "mul": ["1", "2"],
    "sub": ["10.3", "0.3"],
    "max": ["1", "2", "3"],
    "min": ["1", "2", "3"],
    "range": ["1", "4"],
    # date and time functions
    "addDays": ["'2018-03-15T00:00:00Z'", "10", "'D'"],
    "addHours": ["'2018-03-15T00:00:00Z'", "10", "'D'"],
    "addMinutes": ["'2018-03-15T00:10:00Z'", "10", "'D'"],
    "addSeconds": ["'2018-03-15T00:00:00Z'", "10", "'D'"],
    "addToTime": ["'2018-01-01T00:00:00Z'", "1", "'Day'", "'D'"],
    "subtractFromTime": ["'2018-01-02T00:00:00Z'", "1", "'Day'", "'D'"],
    "getFutureTime": ["5", "'Day'", "'D'"],
    "getPastTime": ["5", "'Day'", "'D'"],
    "utcNow": ["'D'"],
    "convertFromUtc": ["'2018-01-01T08:00:00.0000000Z'", "'Pacific Standard Time'", "'D'"],
    "convertToUtc": ["'01/01/2018 00:00:00'", "'Pacific Standard Time'", "'D'"],
    "convertTimeZone": ["'2018-01-01T08:00:00.0000000Z'", "'UTC'", "'Pacific Standard Time'", "'D'"],
    "dateDifference": ["'2015-02-08'", "'2018-07-30'"],
    "dayOfMonth": ["'2018-03-15T13:27:36Z'"],
    "dayOfWeek": ["'2018-03-15T13:27:36Z'"],
    "dayOfYear": ["'2018-03-15T13:27:36Z'"],
    "formatDateTime": ["'03/15/2018 12:00:00'", "'yyyy-MM-ddTHH:mm:ss'", "'en-US'"],
    "parseDateTime": ["'20190521'", "'en-US'", "'yyyyMMdd'"],
    "startOfDay": ["'2018-03-15T13:30:30Z'", "'yyyy-MM-dd'"],
    "startOfHour": ["'2018-03-15T13:30:30Z'", "'yyyy-MM-dd'"],
    "startOfMonth": ["'2018-03-15T13:30:30Z'", "'yyyy-MM-dd'"],
    "ticks": ["'2018-03-15T13:27:36Z'"],
    # URI parsing functions
    "uriHost": ["'https://www.localhost.com:8080'"],
    "uriPath": ["'https://www.contoso.com/catalog/shownew.htm?date=today'"],
    "uriPathAndQuery": ["'https://www.contoso.com/catalog/shownew.htm?date=today'"],
    "uriPort": ["'https://www.localhost:8080'"],
    "uriQuery": ["'https://www.contoso.com/catalog/shownew.htm?date=today'"],
    "uriScheme": ["'https://www.contoso.com/catalog/shownew.htm?date=today'"],
    # manipulation functions
    "addProperty": ["json('{\"firstName\": \"Sophia\"}')", "'surName'", "'Owen'"],
    "setProperty": ["json('{\"firstName\": \"Sophia\"}')", "'firstName'", "'Sophie'"],
    "removeProperty": ["json('{\"firstName\": \"Sophia\"}')", "'firstName'"],
    # workflow functions, with the context below
    "parameters": ["'fullName'"],
    "variables": ["'numItems'"],
    "body": ["'Get_user'"],
    "iterationIndexes": ["'Until_Max_Increment'"],
    "guid": ["'P'"],
    "rand": ["1", "5"],
}


# A string in these arguments is read by .NET's format parser (DateTime.ToString, ParseExact,
# Double.ToString) or names a parameter or variable of the run: a wrong string there is refused by that
# parser or lookup, whose error names the format or the name (tests/test_mut_emulator_formats.py), not the
# function. A value of another type there is still the function's to refuse.
PASSED_ON_TEXT = {
    ("addDays", 2), ("addHours", 2), ("addMinutes", 2), ("addSeconds", 2), ("addToTime", 3),
    ("subtractFromTime", 3), ("getFutureTime", 2), ("getPastTime", 2), ("utcNow", 0), ("convertFromUtc", 2),
    ("convertToUtc", 2), ("convertTimeZone", 3), ("formatDateTime", 1), ("formatNumber", 1), ("startOfDay", 1),
    ("startOfHour", 1), ("startOfMonth", 1), ("parseDateTime", 0), ("parseDateTime", 2), ("parameters", 0),
    ("variables", 0),
}  # fmt: skip


def context() -> EvaluationContext:
    return EvaluationContext(
        now=NOW,
        parameters={"fullName": "Sophia Owen"},
        variables={"numItems": ("Integer", 20)},
        actions={"Get_user": {"name": "Get_user", "status": "Succeeded"}},
        bodies={"Get_user": {"FullName": "Contoso Corporation"}},
        iterations={"Until_Max_Increment": 0},
        guid_factory=lambda: uuid.UUID("c2ecc88d-88c8-4096-912c-d6f2e2b138ce"),
        random_integer=lambda low, high: low,
    )


def call(name: str, args: list[str]) -> object:
    return evaluate_value(f"@{name}({', '.join(args)})", context())


def message_names(message: str, name: str) -> bool:
    head = message.split(" (in expression '", 1)[0]
    return f"'{name}'" in head or f"{name}()" in head


@pytest.mark.parametrize("name", sorted(VALID_CALLS))
def test_the_documented_call_runs(name: str) -> None:
    call(name, VALID_CALLS[name])  # the starting point of the next test is a call that works


@pytest.mark.parametrize("name", sorted(VALID_CALLS))
def test_every_refused_argument_names_the_function(name: str) -> None:
    refused: list[str] = []
    unnamed: list[str] = []
    args = VALID_CALLS[name]
    for index in range(len(args)):
        for kind, wrong in WRONG.items():
            if wrong == args[index] or (kind == "string" and (name, index) in PASSED_ON_TEXT):
                continue
            try:
                call(name, [*args[:index], wrong, *args[index + 1 :]])
            except ExpressionError as exc:
                refused.append(f"{index}:{kind}")
                if not message_names(str(exc), name):
                    unnamed.append(f"argument {index + 1} as {kind}: {exc}")
    assert refused, f"{name}() accepted a value of every type in every argument"
    assert unnamed == []
