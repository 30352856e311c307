"""Documented results the emulator's seed-4 mutation sample showed untested: two-digit years, en-US
seconds, equals() on booleans, the types a comparison refusal names, workflow()'s shape in a local run,
a variable action without a name. Expected values are Microsoft's (page named) or worked by hand."""

from __future__ import annotations

from typing import Any

import pytest

from securescore.emulator.expressions import ExpressionError
from tests.emulator.helpers import action, compose, ev, run, variable


# .NET 8 breaking change "TwoDigitYearMax default is 2049" (Learn, dotnet/core/compatibility/globalization/
# 8.0/twodigityearmax-default): "two-digit years from 00 to 49 are translated to 2000-2049. Any year from
# 50 to 99 will be translated to 1950-1999"; its example: "12/10/35" is December 10th, 2035.
@pytest.mark.parametrize(
    ("two_digits", "year"),
    [("35", "2035"), ("00", "2000"), ("01", "2001"), ("49", "2049"), ("50", "1950"), ("99", "1999")],
)
def test_a_two_digit_year_falls_in_the_documented_century(two_digits: str, year: str) -> None:
    assert ev(f"parseDateTime('12/10/{two_digits}', 'en-US', 'MM/dd/yy')") == f"{year}-12-10T00:00:00.0000000"


def test_an_en_us_timestamp_keeps_its_seconds() -> None:
    # Reference, formatDateTime: formatDateTime('03/15/2018 12:00:00', 'yyyy-MM-ddTHH:mm:ss') returns
    # '2018-03-15T12:00:00'. The same en-US form with non-zero seconds keeps them (1:02:03 PM is 13:02:03).
    assert ev("formatDateTime('03/15/2018 12:00:00', 'yyyy-MM-ddTHH:mm:ss')") == "2018-03-15T12:00:00"
    assert ev("formatDateTime('3/15/2018 1:02:03 PM', 'yyyy-MM-ddTHH:mm:ss')") == "2018-03-15T13:02:03"
    assert ev("formatDateTime('3/15/2018 12:00:59', 'yyyy-MM-ddTHH:mm:ss')") == "2018-03-15T12:00:59"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("equals(true, true)", True),
        ("equals(false, false)", True),
        ("equals(true, false)", False),
        ("equals(true, 'true')", False),  # a string is not a boolean
        ("equals(true, 1)", True),  # reference, equals: "equals(true, 1)" returns true
    ],
)
def test_equals_on_booleans(expression: str, expected: bool) -> None:
    # Reference, equals: "Check whether both values, expressions, or objects are equivalent."
    assert ev(expression) is expected


def test_a_comparison_refusal_names_both_operand_types() -> None:
    # greater/less take two numbers or two strings (reference); the refusal says which types it got,
    # in Logic Apps' type names, the right operand's too.
    with pytest.raises(ExpressionError) as refused:
        ev("less(1, 'a')")
    assert "'Integer' and 'String'" in str(refused.value)
    with pytest.raises(ExpressionError) as refused:
        ev("greater('a', 1)")
    assert "'String' and 'Integer'" in str(refused.value)


def test_workflow_has_its_documented_properties_in_a_local_run() -> None:
    # Reference, workflow(): "Return information about the workflow itself during run time", with the
    # properties id, name, type, location and run (its id, name and type); e.g. workflow().run.name.
    result = run({"Info": compose({"name": "@workflow().name", "type": "@workflow().type",
                                   "run": "@workflow().run.name", "id": "@workflow().id"})})
    info = result.actions["Info"].outputs
    assert result.status == "Succeeded"
    assert all(isinstance(info[key], str) and info[key] for key in ("name", "type", "run", "id"))
    assert info["type"] == "Microsoft.Logic/workflows"


@pytest.mark.parametrize("inputs", [{"value": 1}, {"name": 7, "value": 1}, "just text"])
def test_a_variable_action_without_a_name_fails_naming_the_action(inputs: Any) -> None:
    # Learn "Create variables to store and manage values": SetVariable's inputs are {"name": ..., "value": ...}.
    result = run({"Init": variable("n", "Integer", 1),
                  "Set": action("SetVariable", inputs, {"Init": ["Succeeded"]})})
    assert result.actions["Set"].status == "Failed"
    assert "action 'Set' needs inputs with a variable 'name'" in result.actions["Set"].error["message"]
