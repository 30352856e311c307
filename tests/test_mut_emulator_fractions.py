"""parseDateTime with the fraction-of-second specifiers "f" and "F".

Learn, "Custom date and time format strings" (https://learn.microsoft.com/dotnet/standard/base-types/custom-date-and-time-format-strings):
"f" is the tenths of a second, "ff" the hundredths, ... "fffffff" the ten-millionths; "F" the same
digit, left out when it is zero. The digits are the fraction's leading ones, whatever their count: a
fraction written with fewer digits than "FFF" allows is still tenths, hundredths, thousandths.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from securescore.emulator.expressions import EvaluationContext, evaluate_value

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2014-10-20 15:42:07.1234567", "yyyy-MM-dd HH:mm:ss.fffffff", "2014-10-20T15:42:07.1234567"),
        ("2014-10-20 15:42:07.050", "yyyy-MM-dd HH:mm:ss.fff", "2014-10-20T15:42:07.0500000"),
        ("2014-10-20 15:42:07.5", "yyyy-MM-dd HH:mm:ss.f", "2014-10-20T15:42:07.5000000"),
        # "F": up to as many digits as specifiers, each in its own place
        ("2014-10-20 15:42:07.25", "yyyy-MM-dd HH:mm:ss.FFF", "2014-10-20T15:42:07.2500000"),
        ("2014-10-20 15:42:07.05", "yyyy-MM-dd HH:mm:ss.FFF", "2014-10-20T15:42:07.0500000"),
        ("2014-10-20 15:42:07.125", "yyyy-MM-dd HH:mm:ss.FFF", "2014-10-20T15:42:07.1250000"),
    ],
)
def test_fraction_digits_are_tenths_hundredths_thousandths(text: str, fmt: str, expected: str) -> None:
    assert evaluate_value(f"@parseDateTime('{text}', 'en-US', '{fmt}')", EvaluationContext(now=NOW)) == expected
