"""Plain YAML scalars read the way yaml.v3 (the Pulumi CLI's YAML reader) reads them, at the edges.

Every expected value below is worked out from yaml.v3's resolve.go (branch v3) and the Go standard
library it calls, not from our resolver:

- ``parseTimestamp`` first needs exactly four digits and a ``-``, then tries ``time.Parse`` with the
  layouts "2006-1-2T15:4:5.999999999Z07:00" (and with a lower-case ``t``), "2006-1-2 15:4:5.999999999"
  and "2006-1-2". In Go's layouts ``1``/``2``/``15``/``4``/``5`` take one or two digits, ``Z07:00`` is
  ``Z`` or a sign with exactly two digits, ``:`` and two digits, and ``.999999999`` is a period followed
  by at least one digit (a lone period is no fraction, and then the next layout element fails on it);
  the whole text must be used (time.Parse: "extra text" is an error).
- a scalar starting with a digit or sign that is no timestamp: ``ParseInt(plain, 0, 64)``, then
  ``ParseUint``, then the yamlStyleFloat pattern with ``ParseFloat``; one starting with ``.``:
  ``ParseFloat``. ``ParseFloat`` fails with ErrRange (and returns ±Inf) when the number is beyond the
  largest float64 (Go strconv docs), so yaml.v3 falls through to ``return strTag, in``: the text.
"""

from __future__ import annotations

import math

import pytest

from securescore.config.pulumi_yaml import LooksLikeDate, load, resolve_plain


def is_date(text: str) -> bool:
    return isinstance(resolve_plain(text), LooksLikeDate)


# --- timestamps ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "2026-01-02T03:04:05Z", "2026-1-2t3:4:5Z",  # upper- and lower-case T
    "2026-01-02T03:04:05+01:00", "2026-01-02T03:04:05-05:30", "2026-01-02T03:04:05+00:00",
    "2026-01-02T03:04:05.5Z", "2026-01-02T03:04:05.123456789+01:00",  # fractions of any length
    "2026-01-02 03:04:05", "2026-01-02 03:04:05.25", "2026-1-2 3:4:5.123456789",
    "2026-01-02", "0000-1-1",  # the quick check counts digits, any four
])
def test_texts_yaml_v3_reads_as_timestamps(text: str) -> None:
    assert is_date(text), text
    assert resolve_plain(text) == text  # Pulumi hands the program the text


@pytest.mark.parametrize("text", [
    "2026-01-02T03:04:05+1:00", "2026-01-02T03:04:05+001:00",  # the zone's hours: exactly two digits
    "2026-01-02T03:04:05+01:0", "2026-01-02T03:04:05+01:000",  # the zone's minutes: exactly two digits
    "2026-01-02T03:04:05+0100", "2026-01-02T03:04:05 +01:00",
    "2026-01-02T03:04:05", "2026-01-02T03:04",  # the T layouts need seconds and a zone
    "2026-01-02T03:04:05.Z", "2026-01-02 03:04:05.",  # a period without digits is no fraction
    "2026-01-02 03:04:05Z", "2026-01-02 03:04:05+01:00",  # the space layout has no zone
    "2026-01-02x", "2026-01-02T03:04:05Zx", "2026-01-02 03:04:05x", "2026-01-02 ",  # extra text
    "202-01-02", "20260-01-02", "2026/01/02", "2026-01", "2026--02",
])
def test_texts_that_are_no_timestamp(text: str) -> None:
    assert not is_date(text), text


@pytest.mark.parametrize("text", ["2026-1-2T3:4:5Z", "2026-01-02 03:04:05", "2026-12-31"])
def test_a_timestamp_in_a_stack_file_is_read_as_a_date(text: str) -> None:
    value, _, _ = load(f"a: {text}\nb: '{text}'\n")
    assert isinstance(value["a"], LooksLikeDate) and value["a"] == text
    assert not isinstance(value["b"], LooksLikeDate) and value["b"] == text  # quoted: plain text


# --- numbers too large for a float64 ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1e309", "-1e309", "+1e400", "1_0e400", ".5e400", "99999e999"])
def test_a_number_beyond_float64_stays_text(text: str) -> None:
    value = resolve_plain(text)
    assert value == text and type(value) is str, (text, value)


@pytest.mark.parametrize(("text", "expected"), [
    ("1.7976931348623157e308", 1.7976931348623157e308),  # the largest float64
    ("-1.7976931348623157e308", -1.7976931348623157e308),
    ("1e308", 1e308), (".5e308", 0.5e308), ("1_0e300", 1e301),
])
def test_the_largest_float64s_are_numbers(text: str, expected: float) -> None:
    value = resolve_plain(text)
    assert value == expected and type(value) is float and not math.isinf(value), (text, value)


@pytest.mark.parametrize(("text", "expected"), [("1__0e1", 100.0), ("1_.5", 1.5), ("1.5_", 1.5), ("-_2.5", -2.5)])
def test_every_underscore_is_dropped_before_a_float_is_read(text: str, expected: float) -> None:
    # resolve.go: plain := strings.Replace(in, "_", "", -1), then yamlStyleFloat and ParseFloat(plain).
    value = resolve_plain(text)
    assert value == expected and type(value) is float, (text, value)
