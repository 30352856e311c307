"""Reference behaviours the emulator's seed-5 mutation sample showed untested: parseDateTime's day and
AM/PM specifiers, quoted format literals, numeric formats the emulator cannot run, range/substring
bounds, equals in both orders, json() of XML text, the '@@{' escape, trigger(), variable and skipped
actions, the Resource Graph stand-in's paging, the mail connector's default importance. Expected
values are Microsoft's (page named) or worked by hand in a comment."""

from __future__ import annotations

from typing import Any

import pytest

from securescore.emulator.errors import UnsupportedConstructError
from securescore.emulator.expressions import EvaluationContext, ExpressionError, evaluate_value
from securescore.emulator.local_run import LOCAL_CONNECTION_IDS, LocalRun, _Connectors
from securescore.emulator.resource_graph import ResourceGraphStandIn, subscription_row
from securescore.emulator.runner import HttpRequest
from securescore.logicapp import discovery
from securescore.logicapp.connections import OFFICE365_API
from tests.emulator.helpers import NOW, action, compose, ev, run, variable

# --- parseDateTime: .NET custom format specifiers ("Custom date and time format strings", Learn) -----


def test_d_reads_a_one_or_two_digit_day() -> None:
    # "d": the day of the month, from 1 through 31 -- one digit or two.
    assert ev("parseDateTime('12/15/2020', 'en-US', 'M/d/yyyy')") == "2020-12-15T00:00:00.0000000"
    assert ev("parseDateTime('12/5/2020', 'en-US', 'M/d/yyyy')") == "2020-12-05T00:00:00.0000000"


def test_ddd_reads_the_abbreviated_day_name() -> None:
    # "ddd": the abbreviated name of the day of the week; 15 December 2020 was a Tuesday.
    assert ev("parseDateTime('Tue, 15 Dec 2020', 'en-US', 'ddd, dd MMM yyyy')") == "2020-12-15T00:00:00.0000000"
    with pytest.raises(ExpressionError):  # the full name is "dddd"'s, not "ddd"'s
        ev("parseDateTime('Tuesday, 15 Dec 2020', 'en-US', 'ddd, dd MMM yyyy')")


def test_tt_reads_am_and_pm() -> None:
    # "tt": the AM/PM designator; 1:05 PM is 13:05, 12:30 AM is 00:30.
    assert ev("parseDateTime('3/15/2018 1:05 PM', 'en-US', 'M/d/yyyy h:mm tt')") == "2018-03-15T13:05:00.0000000"
    assert ev("parseDateTime('3/15/2018 12:30 AM', 'en-US', 'M/d/yyyy h:mm tt')") == "2018-03-15T00:30:00.0000000"


def test_a_pattern_reads_past_a_percent_sign() -> None:
    # "%": a custom specifier used alone ("%d"); the % itself matches nothing in the text.
    assert ev("parseDateTime('5 2020', 'en-US', '%d yyyy')") == "2020-01-05T00:00:00.0000000"


def test_a_backslash_inside_a_quoted_literal_escapes_the_next_character() -> None:
    # "'string'" is a literal; inside it a backslash escapes the next character: 'it\'s' is "it's".
    # (The expression language doubles a single quote inside a string literal.)
    assert ev("formatDateTime('2018-03-15T00:00:00Z', '''it\\''s'' yyyy')") == "it's 2018"


def test_numeric_formats_the_emulator_cannot_run_are_unsupported_not_invalid() -> None:
    # "Standard numeric format strings": G (general) is valid .NET; the emulator does not implement it,
    # so it must say so, never that Logic Apps would reject it.
    with pytest.raises(UnsupportedConstructError):
        ev("formatNumber(1.5, 'G')")


# --- bounds of range and substring (reference) -------------------------------------------------------


def test_range_takes_at_most_100000_integers() -> None:
    # Reference, range: count "must be a positive integer that doesn't exceed 100,000".
    assert len(ev("range(0, 100000)")) == 100_000
    with pytest.raises(ExpressionError):
        ev("range(0, 100001)")


def test_substring_refuses_a_negative_start_and_takes_a_zero_length() -> None:
    # Reference, substring: substring('hello world', 6, 5) is 'world'; a start or length out of range is
    # an error in Logic Apps, where other languages would clamp it.
    assert ev("substring('hello world', 6, 5)") == "world"
    assert ev("substring('hello world', 6, 0)") == ""
    with pytest.raises(ExpressionError):
        ev("substring('hello world', -1, 1)")
    with pytest.raises(ExpressionError):
        ev("substring('hello world', 1, -1)")


def test_mod_by_zero_is_refused_naming_the_function() -> None:
    with pytest.raises(ExpressionError, match="mod"):
        ev("mod(5, 0)")


def test_equals_compares_a_number_with_a_boolean_in_either_order() -> None:
    # Reference, equals: equals(true, 1) returns true; equality does not depend on the order.
    assert ev("equals(1, true)") is True
    assert ev("equals(0, false)") is True
    assert ev("equals(2, true)") is False


def test_json_of_xml_text_with_leading_spaces_is_unsupported_not_invalid() -> None:
    # Reference, json: a string of XML converts to JSON (the emulator has no XML values). Leading white
    # space does not make it something else.
    with pytest.raises(UnsupportedConstructError):
        ev("json('  <root><name>Sophia Owen</name></root>')")


def test_double_at_sign_at_the_start_escapes_an_interpolation() -> None:
    # "Schema reference guide for the Workflow Definition Language", expressions: "@@" escapes "@".
    assert evaluate_value("@@{'a'}", EvaluationContext(now=NOW)) == "@{'a'}"
    assert evaluate_value("x@@{'a'}", EvaluationContext(now=NOW)) == "x@{'a'}"


def test_refusals_name_the_property_and_the_type_they_got() -> None:
    with pytest.raises(ExpressionError) as refused:
        ev("concat('a').missing")
    assert "property 'missing'" in str(refused.value)
    with pytest.raises(ExpressionError) as refused:
        ev("length(7)")
    assert "'Integer'" in str(refused.value)


# --- the runner ----------------------------------------------------------------------------------------


def test_trigger_has_the_name_of_the_definitions_trigger() -> None:
    # Reference, trigger(): the trigger's output at run time, with its name (as in run history).
    result = run({"Read": compose("@trigger().name")})
    assert result.actions["Read"].outputs == "Recurrence"  # tests.emulator.helpers' one trigger


def test_append_to_string_records_its_inputs() -> None:
    # Run history shows a variable action's inputs: {"name": ..., "value": ...}.
    result = run({"Init": variable("s", "String", "a"),
                  "Add": action("AppendToStringVariable", {"name": "s", "value": "b"}, {"Init": ["Succeeded"]})})
    assert result.actions["Add"].inputs == {"name": "s", "value": "b"}


def test_join_without_join_with_fails_naming_the_action() -> None:
    result = run({"Join": action("Join", {"from": ["a", "b"]})})
    assert result.actions["Join"].status == "Failed"
    assert "Join" in result.actions["Join"].error["message"]
    assert "joinWith" in result.actions["Join"].error["message"]


def test_the_children_of_a_skipped_scope_are_recorded_inside_it() -> None:
    bad = compose("@div(1, 0)")
    outer = action("Scope", None, {"Fails": ["Succeeded"]}, actions={"Inner": compose("x")})
    result = run({"Fails": bad, "Outer": outer})
    assert result.actions["Outer"].status == "Skipped"
    assert result.actions["Inner"].status == "Skipped"
    assert result.actions["Inner"].scope == "Outer"


# --- the stand-ins ------------------------------------------------------------------------------------

GROUP = "mg-securescore"


def _graph_request(top: int, **extra: Any) -> HttpRequest:
    body = {"query": discovery.SUBSCRIPTIONS_QUERY, "managementGroups": [GROUP], "options": {"$top": top, **extra}}
    return HttpRequest("POST", discovery.RESOURCE_GRAPH_URI, queries={"api-version": "2024-04-01"}, body=body,
                       authentication={"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"})


def test_resource_graph_pages_follow_the_skip_token() -> None:
    # resourcegraph 2024-04-01 examples ResourcesFirstPageQuery.json / ResourcesNextPageQuery.json: the
    # first page carries $skipToken, the next request sends it in options and gets the rest.
    rows = [subscription_row(f"{n:08d}-0000-4000-8000-000000000000", f"sub {n}") for n in range(3)]
    stand_in = ResourceGraphStandIn(GROUP, rows)
    first = stand_in("List", _graph_request(2))["body"]
    assert [row["name"] for row in first["data"]] == ["sub 0", "sub 1"]
    second = stand_in("List", _graph_request(2, **{"$skipToken": first["$skipToken"]}))
    assert second["statusCode"] == 200
    assert [row["name"] for row in second["body"]["data"]] == ["sub 2"]
    assert "$skipToken" not in second["body"]


def test_resource_graph_refuses_another_query_with_400() -> None:
    request = _graph_request(10)
    request.body["query"] = "Resources | take 1"
    answer = ResourceGraphStandIn(GROUP, [])("List", request)
    assert answer["statusCode"] == 400


def test_a_mail_without_importance_is_normal() -> None:
    # Office 365 Outlook connector, "Send an email (V2)": Importance is optional (Low, Normal, High), Normal
    # when not given.
    record = LocalRun(run=None)  # type: ignore[arg-type]  # only the captured mails are read
    inputs = {"host": {"connection": {"name": LOCAL_CONNECTION_IDS[OFFICE365_API]}}, "path": "/v2/Mail",
              "body": {"To": "a@example.com", "Subject": "s", "Body": "<p>b</p>"}}
    _Connectors(None, None, record)("Send", inputs)  # type: ignore[arg-type]
    assert record.email.importance == "Normal"
