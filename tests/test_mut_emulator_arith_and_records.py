"""Rules the emulator's seed-8 mutation sample showed untested: integer division's sign, decimal()'s
refusal of text that is not a number, quoted literals in parse formats, an unterminated quote ending in a
backslash, the inputs Select and Join record, the ACS mail's importance from x-priority, Azure's code
for a token of the wrong audience. Expected values are Microsoft's (page named) or worked by hand."""

from __future__ import annotations

import pytest

from securescore.emulator.expressions import ExpressionError
from securescore.emulator.local_run import _importance
from securescore.emulator.resource_graph import ResourceGraphStandIn
from securescore.emulator.runner import HttpRequest
from securescore.logicapp import discovery
from tests.emulator.helpers import action, ev, run


@pytest.mark.parametrize(("expression", "expected"), [
    ("div(11, 5)", 2), ("div(-11, 5)", -2), ("div(11, -5)", -2), ("div(-11, -5)", 2)])
def test_integer_division_truncates_toward_zero(expression: str, expected: int) -> None:
    # Reference, div: div(11, 5) returns 2 (the integer result); C#'s integer division truncates toward
    # zero, so -11 / 5 is -2 and -11 / -5 is 2.
    assert ev(expression) == expected


@pytest.mark.parametrize("text", ["1x", "x1", "1.2.3", "1e5", "."])
def test_decimal_refuses_text_that_is_not_a_number(text: str) -> None:
    # Reference, decimal: "Returns a decimal number for an input string"; text with other characters is no
    # number, digits in it or not. .NET's decimal.Parse (NumberStyles.Number) has no exponent: '1e5' is
    # refused, though Python's Decimal would read it.
    with pytest.raises(ExpressionError):
        ev(f"decimal('{text}')")


def test_a_quoted_literal_in_a_parse_format_must_be_in_the_text() -> None:
    # .NET custom formats: 'string' is a literal string delimiter.
    assert ev("parseDateTime('2020 at 10', 'en-US', 'yyyy ''at'' HH')") == "2020-01-01T10:00:00.0000000"
    with pytest.raises(ExpressionError):
        ev("parseDateTime('2020 on 10', 'en-US', 'yyyy ''at'' HH')")


def test_an_unterminated_quote_ending_in_a_backslash_is_refused() -> None:
    with pytest.raises(ExpressionError, match="unterminated"):
        ev("formatDateTime('2018-03-15T00:00:00Z', '''abc\\')")


def test_select_and_join_record_their_inputs() -> None:
    # Schema reference, Select: {"from": <array>, "select": <map>}; Join: {"from": <array>, "joinWith": <text>}.
    result = run({"Pick": action("Select", {"from": [1, 2], "select": {"n": "@item()"}}),
                  "Glue": action("Join", {"from": ["a", "b"], "joinWith": ";"})})
    assert result.actions["Pick"].inputs == {"from": [1, 2], "select": {"n": "@item()"}}
    assert result.actions["Glue"].inputs == {"from": ["a", "b"], "joinWith": ";"}
    assert result.actions["Glue"].outputs == {"body": "a;b"}


@pytest.mark.parametrize(("priority", "importance"), [
    ("1", "High"), ("2", "High"), ("3", "Normal"), ("4", "Low"), ("5", "Low")])
def test_the_acs_mails_importance_follows_x_priority(priority: str, importance: str) -> None:
    # x-priority 1 (highest) to 5 (lowest), 3 normal; Microsoft's ACS email sample sets it as a header.
    assert _importance({"x-priority": priority}) == importance


def test_a_token_for_another_audience_gets_azures_code() -> None:
    # Azure Resource Manager refuses a token for another resource with 401 InvalidAuthenticationTokenAudience.
    request = HttpRequest("POST", discovery.RESOURCE_GRAPH_URI, queries={"api-version": "2024-04-01"}, body={},
                          authentication={"type": "ManagedServiceIdentity", "audience": "https://vault.azure.net"})
    answer = ResourceGraphStandIn("mg", [])("List", request)
    assert answer["statusCode"] == 401
    assert answer["body"]["error"]["code"] == "InvalidAuthenticationTokenAudience"
