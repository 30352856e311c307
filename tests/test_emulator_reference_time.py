"""Microsoft's documented examples: date and time, workflow, URI parsing and manipulation functions,
and the expression forms of the Workflow Definition Language schema reference.

Expressions and expected values are copied from Microsoft Learn, "Reference guide to functions in
expressions for workflows in Azure Logic Apps and Power Automate" (expression-functions-reference,
revision of 2025-10-06), unless a comment names another page. Where the page contradicts itself,
the comment says so and which side the test takes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.emulator.expressions import (
    EvaluationContext,
    ExpressionError,
    UnsupportedConstructError,
    evaluate_value,
)

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def ev(expression: str, ctx: EvaluationContext | None = None) -> Any:
    return evaluate_value("@" + expression, ctx or EvaluationContext(now=NOW))


DATE_FUNCTIONS = [
    ("addDays('2018-03-15T00:00:00Z', 10)", "2018-03-25T00:00:00.0000000Z"),
    ("addDays('2018-03-15T00:00:00Z', -5)", "2018-03-10T00:00:00.0000000Z"),
    ("addHours('2018-03-15T00:00:00Z', 10)", "2018-03-15T10:00:00.0000000Z"),
    ("addHours('2018-03-15T15:00:00Z', -5)", "2018-03-15T10:00:00.0000000Z"),
    ("addMinutes('2018-03-15T00:10:00Z', 10)", "2018-03-15T00:20:00.0000000Z"),
    ("addMinutes('2018-03-15T00:20:00Z', -5)", "2018-03-15T00:15:00.0000000Z"),
    ("addSeconds('2018-03-15T00:00:00Z', 10)", "2018-03-15T00:00:10.0000000Z"),
    ("addSeconds('2018-03-15T00:00:30Z', -5)", "2018-03-15T00:00:25.0000000Z"),
    ("addToTime('2018-01-01T00:00:00Z', 1, 'Day')", "2018-01-02T00:00:00.0000000Z"),
    ("addToTime('2018-01-01T00:00:00Z', 1, 'Day', 'D')", "Tuesday, January 2, 2018"),
    ("convertFromUtc('2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time')", "2018-01-01T00:00:00.0000000"),
    ("convertFromUtc('2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time', 'D')", "Monday, January 1, 2018"),
    ("convertTimeZone('2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time')", "2018-01-01T00:00:00.0000000"),
    # Example 2 writes hour '80' (a typo: such a timestamp cannot parse, see below); with '08':
    ("convertTimeZone('2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time', 'D')", "Monday, January 1, 2018"),
    ("convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time')", "2018-01-01T08:00:00.0000000Z"),
    ("convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time', 'D')", "Monday, January 1, 2018"),
    ("dateDifference('2015-02-08', '2018-07-30')", "1268.00:00:00"),
    ("dayOfMonth('2018-03-15T13:27:36Z')", 15),
    ("dayOfWeek('2018-03-15T13:27:36Z')", 4),
    ("dayOfYear('2018-03-15T13:27:36Z')", 74),
    ("formatDateTime('03/15/2018')", "2018-03-15T00:00:00.0000000"),
    ("formatDateTime('03/15/2018 12:00:00', 'yyyy-MM-ddTHH:mm:ss')", "2018-03-15T12:00:00"),
    ("formatDateTime('01/31/2016', 'dddd MMMM d')", "Sunday January 31"),
    ("parseDateTime('10/20/2014 15h', 'en-US', 'MM/dd/yyyy HH\\h')", "2014-10-20T15:00:00.0000000"),
    # The page parses these two with 'fr-fr'; digits-only formats read the same in en-US:
    ("parseDateTime('21052019', 'en-US', 'ddMMyyyy')", "2019-05-21T00:00:00.0000000"),
    ("parseDateTime('20190521', 'en-US', 'yyyyMMdd')", "2019-05-21T00:00:00.0000000"),
    ("startOfDay('2018-03-15T13:30:30Z')", "2018-03-15T00:00:00.0000000Z"),
    ("startOfHour('2018-03-15T13:30:30Z')", "2018-03-15T13:00:00.0000000Z"),
    ("startOfMonth('2018-03-15T13:30:30Z')", "2018-03-01T00:00:00.0000000Z"),
    ("startOfMonth('2018-03-15T13:30:30Z', 'yyyy-MM-dd')", "2018-03-01"),
    ("subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day')", "2018-01-01T00:00:00.0000000Z"),
    # The page prints "Monday, January, 1, 2018" here, an extra comma the 'D' pattern
    # ("dddd, MMMM d, yyyy") does not have; its convertFromUtc example prints the 'D' form used here.
    ("subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day', 'D')", "Monday, January 1, 2018"),
    # ticks has no example; "the number of ticks, which are 100-nanosecond intervals, since
    # January 1, 0001": 0 at that instant, and TimeSpan.TicksPerDay (864,000,000,000, .NET API page) a day later.
    ("ticks('0001-01-01T00:00:00Z')", 0),
    ("ticks('0001-01-02T00:00:00Z')", 864000000000),
]


@pytest.mark.parametrize(("expression", "expected"), DATE_FUNCTIONS)
def test_documented_date_example(expression: str, expected: Any) -> None:
    result = ev(expression)
    assert result == expected
    assert type(result) is type(expected)


def test_future_and_past_time_from_the_pinned_clock() -> None:
    # "Suppose the current timestamp is 2018-03-01T00:00:00.0000000Z"
    march = EvaluationContext(now=datetime(2018, 3, 1, tzinfo=UTC))
    assert ev("getFutureTime(5, 'Day')", march) == "2018-03-06T00:00:00.0000000Z"
    assert ev("getFutureTime(5, 'Day', 'D')", march) == "Tuesday, March 6, 2018"
    # "Suppose the current timestamp is 2018-02-01T00:00:00.0000000Z"
    february = EvaluationContext(now=datetime(2018, 2, 1, tzinfo=UTC))
    assert ev("getPastTime(5, 'Day')", february) == "2018-01-27T00:00:00.0000000Z"
    assert ev("getPastTime(5, 'Day', 'D')", february) == "Saturday, January 27, 2018"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("u", "2025-09-25 05:18:31Z"),
        ("U", "Thursday, September 25, 2025 5:18:31 AM"),
        ("d", "9/25/2025"),
        ("D", "Thursday, September 25, 2025"),
        ("t", "5:18 AM"),
        ("T", "5:18:31 AM"),
        ("y", "September 2025"),
        ("yyyy", "2025"),
        ("ddd, d MMM yyyy", "Thu, 25 Sep 2025"),
    ],
)
def test_utc_now_examples(fmt: str, expected: str) -> None:
    # The page's utcNow() returns 2025-09-25T05:18:31.3384797Z. A datetime pins microseconds, not
    # 100 ns ticks, so the default 'o' form is checked at 05:18:31.338479 (7 digits, last one 0).
    ctx = EvaluationContext(now=datetime(2025, 9, 25, 5, 18, 31, 338479, tzinfo=UTC))
    assert ev(f"utcNow('{fmt}')", ctx) == expected
    assert ev("utcNow()", ctx) == "2025-09-25T05:18:31.3384790Z"


def test_documented_date_errors() -> None:
    with pytest.raises(ExpressionError, match="not a valid timestamp"):  # convertTimeZone example 2's hour 80
        ev("convertTimeZone('2018-01-01T80:00:00.0000000Z', 'UTC', 'Pacific Standard Time', 'D')")
    for expression in (
        "formatDateTime('01/31/2016', 'dddd MMMM d', 'fr-fr')",  # 'dimanche janvier 31'
        "formatDateTime('01/31/2016', 'dddd MMMM d', 'es-es')",  # 'domingo enero 31'
        "parseDateTime('20/10/2014', 'fr-fr')",  # '2014-10-20T00:00:00.0000000'
        "parseDateTime('martes 20 octubre 2020', 'es-es')",  # '2020-10-20T00:00:00.0000000'
    ):
        with pytest.raises(UnsupportedConstructError, match="locale"):
            ev(expression)


def workflow_ctx(**kwargs: Any) -> EvaluationContext:
    return EvaluationContext(now=NOW, **kwargs)


# The page's body('Get_user') / outputs('Get_user') example value.
GET_USER_BODY = {
    "FullName": "Contoso Corporation",
    "Location": "Generic Town, USA",
    "Id": 283541717,
    "UserName": "ContosoInc",
    "FollowersCount": 172,
}


def test_workflow_function_examples() -> None:
    outputs = {"statusCode": 200, "headers": {"Pragma": "no-cache"}, "body": GET_USER_BODY}
    ctx = workflow_ctx(
        actions={"Get_user": {"name": "Get_user", "status": "Succeeded", "outputs": {"body": {"status": "Succeeded"}}}},
        parameters={"fullName": "Sophia Owen"},
        variables={"numItems": ("integer", 20)},
        workflow={
            "name": "wf",
            "run": {"name": "08585", "id": "/runs/08585", "type": "Microsoft.Logic/workflows/runs"},
        },
    )
    assert ev("actions('Get_user').outputs.body.status", ctx) == "Succeeded"  # 'And returns this result: "Succeeded"'
    assert ev("parameters('fullName')", ctx) == "Sophia Owen"
    assert ev("variables('numItems')", ctx) == 20
    assert ev("workflow().run.name", ctx) == "08585"
    ctx.actions["Get_user"] = {"name": "Get_user", "status": "Succeeded", "outputs": outputs}
    ctx.bodies["Get_user"] = GET_USER_BODY
    assert ev("body('Get_user')", ctx) == GET_USER_BODY
    assert ev("outputs('Get_user')", ctx) == outputs


def test_item_and_items_inside_loops() -> None:
    message = {"body": "hello"}
    ctx = workflow_ctx(items=[message], loops={"myForEachLoopName": message})
    assert ev("item().body", ctx) == "hello"  # "item().body"
    assert ev("items('myForEachLoopName')", ctx) == message
    with pytest.raises(ExpressionError, match="repeating action"):
        ev("item()", workflow_ctx())
    with pytest.raises(ExpressionError, match="'other'"):
        ev("items('other')", ctx)


@pytest.mark.parametrize(
    "expression",
    [
        "listCallbackUrl()",
        "formDataMultiValues('Send_an_email', 'Subject')",
        "formDataValue('Send_an_email', 'Subject')",
        "multipartBody('Send_an_email', 0)",
        "triggerFormDataMultiValues('feedUrl')",
        "triggerFormDataValue('feedUrl')",
        "triggerMultipartBody(0)",
        "action()",
        "actionOutputs('List_Runs')",
        "appsetting('httpuri')",
        "xpath(xml(parameters('items')), '/produce/item/name/text()')",
    ],
)
def test_runtime_only_functions_are_unsupported(expression: str) -> None:
    with pytest.raises(UnsupportedConstructError, match="the emulator cannot run"):
        ev(expression, workflow_ctx(parameters={"items": "<produce/>"}))


URI_FUNCTIONS = [
    ("uriHost('https://www.localhost.com:8080')", "www.localhost.com"),
    ("uriPath('https://www.contoso.com/catalog/shownew.htm?date=today')", "/catalog/shownew.htm"),
    ("uriPathAndQuery('https://www.contoso.com/catalog/shownew.htm?date=today')", "/catalog/shownew.htm?date=today"),
    ("uriPort('https://www.localhost:8080')", 8080),
    ("uriQuery('https://www.contoso.com/catalog/shownew.htm?date=today')", "?date=today"),
    # The page prints "http" for this https URI, contradicting its input and .NET Uri.Scheme; the
    # emulator returns the scheme the URI has.
    ("uriScheme('https://www.contoso.com/catalog/shownew.htm?date=today')", "https"),
    # uriPath: 'If path doesn't have a value, return the "/" character'; uriPort: 'return the default port'
    ("uriPath('https://www.contoso.com')", "/"),
    ("uriPort('https://www.contoso.com')", 443),
    ("uriQuery('https://www.contoso.com/a')", ""),
]


@pytest.mark.parametrize(("expression", "expected"), URI_FUNCTIONS)
def test_documented_uri_example(expression: str, expected: Any) -> None:
    assert ev(expression) == expected


def test_uri_functions_need_an_absolute_uri() -> None:
    with pytest.raises(ExpressionError, match="absolute URI"):
        ev("uriHost('/relative/path')")


def test_manipulation_examples() -> None:
    # addProperty example 1: the expression's JSON says "lastName", the page's before/after objects
    # say "surName"; the test uses the objects the page shows.
    assert ev('addProperty(json(\'{ "firstName": "Sophia", "surName": "Owen" }\'), \'middleName\', \'Anne\')') == {
        "firstName": "Sophia",
        "middleName": "Anne",
        "surName": "Owen",
    }
    nested = 'json(\'{ "customerName": { "firstName": "Sophia", "surName": "Owen" } }\')'
    assert ev(
        f"setProperty({nested}, 'customerName', addProperty({nested}['customerName'], 'middleName', 'Anne'))"
    ) == {"customerName": {"firstName": "Sophia", "middleName": "Anne", "surName": "Owen"}}
    full = 'json(\'{ "firstName": "Sophia", "middleName": "Anne", "surName": "Owen" }\')'
    assert ev(f"removeProperty({full}, 'middleName')") == {"firstName": "Sophia", "surName": "Owen"}
    nested_full = 'json(\'{ "customerName": { "firstName": "Sophia", "middleName": "Anne", "surName": "Owen" } }\')'
    assert ev(f"removeProperty({nested_full}['customerName'], 'middleName')") == {
        "firstName": "Sophia",
        "surName": "Owen",
    }
    assert ev('setProperty(json(\'{ "firstName": "Sophia", "surName": "Owen" }\'), \'surName\', \'Hartnett\')') == {
        "firstName": "Sophia",
        "surName": "Hartnett",
    }
    # setProperty example 2 (the page's displayed objects say "Sophie", its expression "Sophia")
    assert ev(
        f"setProperty({nested}, 'customerName', setProperty({nested}['customerName'], 'surName', 'Hartnett'))"
    ) == {"customerName": {"firstName": "Sophia", "surName": "Hartnett"}}


def test_manipulation_rules_the_page_states() -> None:
    # addProperty: "If the property already exists at runtime, the function fails"
    with pytest.raises(ExpressionError, match="already exists"):
        ev("addProperty(json('{\"a\": 1}'), 'a', 2)")
    # removeProperty: "If the property that you try to remove doesn't exist, the function returns the original object"
    assert ev("removeProperty(json('{\"a\": 1}'), 'b')") == {"a": 1}
    # setProperty: "If the property that you try to set doesn't exist, the property gets added"
    assert ev("setProperty(json('{\"a\": 1}'), 'b', 2)") == {"a": 1, "b": 2}


# Workflow Definition Language schema reference, "Expressions": JSON values and what they evaluate to.
WDL_EXAMPLES = [
    ("Sophia Owen", "Sophia Owen"),
    ("array[1]", "array[1]"),
    ("@@", "@"),
    (" @", " @"),
    ("@parameters('myBirthMonth')", "January"),
    ("@{parameters('myBirthMonth')}", "January"),
    ("@parameters('myAge')", 42),
    ("@{parameters('myAge')}", "42"),
    ("My age is @{parameters('myAge')}", "My age is 42"),
    ("@concat('My age is ', string(parameters('myAge')))", "My age is 42"),
    ("My age is @@{parameters('myAge')}", "My age is @{parameters('myAge')}"),
    (
        "First name: @{parameters('firstName')} Last name: @{parameters('lastName')}",
        "First name: Sophia Last name: Owen",
    ),
]


@pytest.mark.parametrize(("value", "expected"), WDL_EXAMPLES)
def test_workflow_definition_language_examples(value: str, expected: Any) -> None:
    params = {"myBirthMonth": "January", "myAge": 42, "firstName": "Sophia", "lastName": "Owen"}
    assert evaluate_value(value, workflow_ctx(parameters=params)) == expected


def test_the_question_mark_operator_on_dots() -> None:
    # WDL schema reference, Operators: "@coalesce(trigger().outputs?.body?.<someProperty>, '<property-default-value>')"
    ctx = workflow_ctx(trigger={"outputs": None})
    assert ev("coalesce(trigger().outputs?.body?.someProperty, 'default')", ctx) == "default"
    ctx = workflow_ctx(trigger={"outputs": {"body": {"someProperty": "set"}}})
    assert ev("coalesce(trigger().outputs?.body?.someProperty, 'default')", ctx) == "set"
