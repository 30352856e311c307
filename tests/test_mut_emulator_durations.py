"""Rules the emulator constants' seed 5 showed untested: an Until's limit timeout is an ISO 8601
duration, each component a number followed by its designator; decodeBase64's one argument; seed 6: a
variable declared without a value, for every type."""

from __future__ import annotations

import pytest

from securescore.emulator.expressions import UnsupportedConstructError, parse
from tests.emulator.helpers import action, compose, run, variable


def until_with_timeout(timeout: str) -> dict:
    return {"Loop": action("Until", actions={"Step": compose(1)}, expression="@true",
                           limit={"count": 1, "timeout": timeout})}


# "Schema reference for trigger and action types", Until: "timeout": an ISO 8601 duration, default PT1H.
# ISO 8601: each of Y, M, W, D, H, M, S follows its number; seconds may have a fraction.
@pytest.mark.parametrize("timeout", ["PT1H", "P1D", "P1W", "PT0.5S", "P1Y2M3DT4H5M6S"])
def test_an_iso_8601_timeout_is_accepted(timeout: str) -> None:
    assert run(until_with_timeout(timeout)).actions["Loop"].status == "Succeeded"


@pytest.mark.parametrize("timeout", ["PD", "P1DD", "PT1MS", "PTS", "PT", "P", "1H", "PT1H "])
def test_a_component_without_its_number_is_no_duration(timeout: str) -> None:
    loop = run(until_with_timeout(timeout)).actions["Loop"]
    assert loop.status == "Failed"
    assert f"must be an ISO 8601 duration, got {timeout!r}" in loop.error["message"]


# Reference guide, decodeBase64: decodeBase64('<value>'), one parameter.
@pytest.mark.parametrize("call", ["decodeBase64()", "decodeBase64('aGk=', 'aGk=')"])
def test_decode_base64_takes_exactly_one_argument(call: str) -> None:
    with pytest.raises(UnsupportedConstructError, match=r"decodeBase64\(\) with [02] argument\(s\): the reference "
                                                         r"documents 1"):
        parse(call)


# The emulator's stated choice (runner/variable_actions.py): a variable declared without a value starts
# empty for its type, for every type Learn's "Create variables" page lists.
@pytest.mark.parametrize(("kind", "empty"), [
    ("Boolean", False), ("Integer", 0), ("Float", 0.0), ("String", ""), ("Object", {}), ("Array", []),
])
def test_a_variable_without_a_value_starts_empty_for_its_type(kind: str, empty: object) -> None:
    result = run({"Declare": variable("v", kind),
                  "Read": compose("@variables('v')", {"Declare": ["Succeeded"]})})
    assert result.actions["Read"].status == "Succeeded"
    outputs = result.actions["Read"].outputs
    assert outputs == empty and type(outputs) is type(empty)
