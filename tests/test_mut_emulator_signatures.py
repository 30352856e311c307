"""Rules the emulator constants' seed 2 showed untested: the signatures of the reference functions the
emulator refuses (each refused for its own reason at its documented argument count), every Wait unit
of the schema reference, a one-digit day in an en-US date, an exponent without digits."""

from __future__ import annotations

import pytest

from securescore.emulator.expressions import ExpressionError, UnsupportedConstructError, parse
from securescore.emulator.functions import FUNCTIONS
from tests.emulator.helpers import action, ev, run

# Copied from Microsoft's "Reference guide to workflow expression functions" (the signature line of
# each); appsetting from "Reference for expression functions in Standard workflows" (appsetting('<key>')),
# actionBody/actionOutputs from the reference's older form (actionBody('<actionName>')).
UNSUPPORTED_SIGNATURES: dict[str, tuple[int, int]] = {
    "action": (0, 0), "listCallbackUrl": (0, 0), "formDataValue": (2, 2), "formDataMultiValues": (2, 2),
    "multipartBody": (2, 2), "triggerFormDataValue": (1, 1), "triggerFormDataMultiValues": (1, 1),
    "triggerMultipartBody": (1, 1), "xpath": (2, 2), "xml": (1, 1), "binary": (1, 1), "base64ToBinary": (1, 1),
    "dataUriToBinary": (1, 1), "decodeDataUri": (1, 1), "uriComponentToBinary": (1, 1), "appsetting": (1, 1),
    "actionBody": (1, 1), "actionOutputs": (1, 1),
}  # fmt: skip


def call(name: str, count: int) -> str:
    return f"{name}({', '.join(['1'] * count)})"


@pytest.mark.parametrize(("name", "signature"), UNSUPPORTED_SIGNATURES.items())
def test_a_refused_function_is_known_and_refused_for_its_reason_at_its_count(
        name: str, signature: tuple[int, int]) -> None:
    """Rule: a reference function the emulator cannot run is *unsupported* with its reason, never
    "not a function of the reference"; outside its documented argument count it is refused for the count."""
    low, high = signature
    assert FUNCTIONS[name.lower()].unsupported
    with pytest.raises(UnsupportedConstructError) as caught:
        parse(call(name, low))
    message = str(caught.value)
    assert f"the emulator cannot run {name}(): " in message
    assert "argument" not in message and "not a function of Microsoft's" not in message
    if low > 0:
        with pytest.raises(UnsupportedConstructError, match=rf"{name}\(\) with {low - 1} argument\(s\)"):
            parse(call(name, low - 1))
    with pytest.raises(UnsupportedConstructError, match=rf"{name}\(\) with {high + 1} argument\(s\)"):
        parse(call(name, high + 1))


# "Schema reference for trigger and action types", Wait: "unit": Second, Minute, Hour, Day, Week, Month.
@pytest.mark.parametrize("unit", ["Second", "Minute", "Hour", "Day", "Week", "Month"])
def test_every_documented_wait_unit_is_accepted(unit: str) -> None:
    result = run({"Pause": action("Wait", {"interval": {"count": 2, "unit": unit}})})
    assert result.actions["Pause"].status == "Succeeded"


def test_an_undocumented_wait_unit_fails_the_action() -> None:
    result = run({"Pause": action("Wait", {"interval": {"count": 2, "unit": "Fortnight"}})})
    assert result.actions["Pause"].status == "Failed"


@pytest.mark.parametrize(("text", "expected"), [
    # en-US's short date pattern is "M/d/yyyy" (.NET CultureInfo("en-US").DateTimeFormat.ShortDatePattern):
    # one-digit months and days.
    ("3/5/2018 1:30 PM", "2018-03-05 13:30"),
    ("12/5/2018", "2018-12-05 00:00"),
    ("3/15/2018", "2018-03-15 00:00"),
])
def test_en_us_dates_take_one_or_two_digit_months_and_days(text: str, expected: str) -> None:
    assert ev(f"formatDateTime('{text}', 'yyyy-MM-dd HH:mm')") == expected


@pytest.mark.parametrize("text", ["3/5/2018 :30", "3/5/2018 :30 PM", "/5/2018", "3//2018"])
def test_an_en_us_date_with_an_empty_field_is_no_timestamp(text: str) -> None:
    """en-US's "M/d/yyyy h:mm": each of M, d and h is one or two digits, never none."""
    with pytest.raises(ExpressionError, match="is not a valid timestamp"):
        ev(f"formatDateTime('{text}', 'yyyy-MM-dd HH:mm')")


def test_an_exponent_needs_digits() -> None:
    """.NET's NumberStyles.AllowExponent: "e" or "E" followed by one or more decimal digits; "1e" is no number."""
    assert ev("isFloat('1e')") is False and ev("isFloat('1e5')") is True
    with pytest.raises(ExpressionError, match="cannot convert '1e' to a float"):
        ev("float('1e')")

