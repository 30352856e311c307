"""Parsing a timestamp with an explicit .NET format (`parseDateTime(text, locale, format)`), en-US.

Like .NET `DateTime.ParseExact`: every specifier must match; fields that are absent default to
0001-01-01 00:00:00; the result is UTC only when the text carries `Z` (K) or an offset (z...).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from securescore.emulator.dotnet.dates import DAYS, MONTHS, SPECIFIERS, Stamp, custom_pattern, run_length
from securescore.emulator.dotnet.literals import quoted
from securescore.emulator.errors import ExpressionError, UnsupportedConstructError


class _Fields:
    def __init__(self) -> None:
        self.year, self.month, self.day = 1, 1, 1
        self.hour, self.minute, self.second, self.ticks = 0, 0, 0, 0
        self.pm: bool | None = None
        self.offset: timedelta | None = None


def parse_exact(text: str, fmt: str) -> Stamp:
    pattern = custom_pattern(fmt)
    fields = _Fields()
    pos = _match_pattern(text, pattern, fields)
    if pos != len(text):
        raise ExpressionError(f"the string '{text}' does not match the format '{fmt}'")
    hour = fields.hour
    if fields.pm is not None:
        hour = hour % 12 + (12 if fields.pm else 0)
    try:
        wall = datetime(fields.year, fields.month, fields.day, hour, fields.minute, fields.second)
    except ValueError as exc:
        raise ExpressionError(f"the string '{text}' is not a valid date for the format '{fmt}': {exc}") from exc
    if fields.offset is not None:
        return Stamp(wall - fields.offset, fields.ticks, utc=True)
    return Stamp(wall, fields.ticks, utc=False)


def _match_pattern(text: str, pattern: str, fields: _Fields) -> int:
    pos = index = 0
    while index < len(pattern):
        char = pattern[index]
        if char in "'\"":
            literal, index = quoted(pattern, index, "date")
            pos = _literal(text, pos, literal)
            continue
        if char == "\\":
            pos = _literal(text, pos, pattern[index + 1 : index + 2])
            index += 2
            continue
        if char == "%":
            index += 1
            continue
        if char not in SPECIFIERS:
            pos = _literal(text, pos, char)
            index += 1
            continue
        run = run_length(pattern, index)
        pos = _field(text, pos, char, run, fields)
        index += run
    return pos


def _literal(text: str, pos: int, literal: str) -> int:
    if not text.startswith(literal, pos):
        raise ExpressionError(f"expected '{literal}' at position {pos} of '{text}'")
    return pos + len(literal)


def _digits(text: str, pos: int, low: int, high: int) -> tuple[int, int]:
    match = re.compile(rf"\d{{{low},{high}}}").match(text, pos)
    if not match:
        raise ExpressionError(f"expected {low} to {high} digits at position {pos} of '{text}'")
    return int(match.group()), match.end()


def _name(text: str, pos: int, names: tuple[str, ...], abbreviated: bool) -> tuple[int, int]:
    for number, name in enumerate(names):
        candidate = name[:3] if abbreviated else name
        if text[pos : pos + len(candidate)].lower() == candidate.lower():
            return number, pos + len(candidate)
    raise ExpressionError(f"expected a name at position {pos} of '{text}'")


def _field(text: str, pos: int, char: str, run: int, fields: _Fields) -> int:
    width = (1, 2) if run == 1 else (run, run)
    if char == "d" and run >= 3:
        _, pos = _name(text, pos, DAYS, run == 3)  # the day name is checked, not used
    elif char == "M" and run >= 3:
        month, pos = _name(text, pos, MONTHS, run == 3)
        fields.month = month + 1
    elif char == "y":
        value, pos = _digits(text, pos, *((1, 2) if run <= 2 else (run, max(run, 4))))
        fields.year = value if run > 2 else 2000 + value if value < 50 else 1900 + value
    elif char in "fF":
        start = pos
        _, pos = _digits(text, pos, 1 if char == "F" else run, run)
        # the digits are the fraction's first ones: "25" for "FFF" is .25 s, not .025
        fields.ticks = int(text[start:pos].ljust(7, "0"))
    elif char == "t":
        match = re.compile(r"[AaPp][Mm]?").match(text, pos)
        if not match:
            raise ExpressionError(f"expected AM or PM at position {pos} of '{text}'")
        fields.pm, pos = match.group()[0] in "Pp", match.end()
    elif char == "K" or char == "z":
        pos = _offset(text, pos, fields)
    elif char == "g":
        raise UnsupportedConstructError("the emulator cannot parse the era specifier 'g'")
    else:
        value, pos = _digits(text, pos, *width)
        attribute = {"d": "day", "M": "month", "h": "hour", "H": "hour", "m": "minute", "s": "second"}[char]
        setattr(fields, attribute, value)
    return pos


def _offset(text: str, pos: int, fields: _Fields) -> int:
    if text.startswith(("Z", "z"), pos):
        fields.offset = timedelta(0)
        return pos + 1
    match = re.compile(r"([-+])(\d{1,2})(?::?(\d{2}))?").match(text, pos)
    if not match:
        return pos  # K matches nothing for an unspecified time
    sign = -1 if match.group(1) == "-" else 1
    fields.offset = sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    return match.end()
