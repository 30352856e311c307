"""Timestamps as .NET DateTime values: parsing, en-US formatting, time zones, TimeSpan text.

A timestamp has a kind, as a .NET DateTime does: UTC (it ended in `Z` or an offset, or came from
`utcNow()`) or unspecified (no designator: `formatDateTime('03/15/2018')` returns
'2018-03-15T00:00:00.0000000' in Microsoft's reference, without a `Z`). The kind only shows in the
`K` specifier (so in the default "o" format). Offsets are converted to UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tzlocal.windows_tz import win_tz

from securescore.emulator.dotnet.literals import quoted
from securescore.emulator.errors import ExpressionError
from securescore.emulator.values import type_name

Json = Any
TICKS_PER_SECOND = 10_000_000
DOTNET_EPOCH = datetime(1, 1, 1)


@dataclass(frozen=True)
class Stamp:
    """A .NET DateTime: wall-clock time, 100 ns ticks of the second, and its kind (UTC or unspecified)."""

    wall: datetime  # naive, microsecond == 0
    ticks: int  # 0..9_999_999
    utc: bool

    def shift(self, delta: timedelta) -> Stamp:
        return Stamp(self.wall + delta, self.ticks, self.utc)

    def total_ticks(self) -> int:
        """DateTime.Ticks: 100 ns intervals since 0001-01-01T00:00:00."""
        delta = self.wall - DOTNET_EPOCH
        return (delta.days * 86_400 + delta.seconds) * TICKS_PER_SECOND + self.ticks


_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*([Zz]|[-+]\d{2}:?\d{2})?"
)
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?)?")


def parse_timestamp(text: Json, fn: str = "timestamp") -> Stamp:
    """Parse ISO 8601 or en-US `M/d/yyyy h:mm:ss [AM|PM]`; offsets convert to UTC."""
    if not isinstance(text, str):
        raise ExpressionError(f"function '{fn}' expects a timestamp string, got '{type_name(text)}'")
    try:
        if match := _ISO.fullmatch(text.strip()):
            return _stamp_from_iso(match)
        if match := _US.fullmatch(text.strip()):
            return _stamp_from_us(match)
    except ValueError as exc:
        raise ExpressionError(f"function '{fn}': '{text}' is not a valid timestamp ({exc})") from exc
    raise ExpressionError(f"function '{fn}': the string '{text}' is not a valid timestamp")


def _stamp_from_iso(match: re.Match[str]) -> Stamp:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    wall = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    ticks = int((fraction or "0").ljust(7, "0"))
    if zone and zone not in "Zz":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        wall -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return Stamp(wall, ticks, utc=zone is not None)


def _stamp_from_us(match: re.Match[str]) -> Stamp:
    month, day, year, hour, minute, second, meridiem = match.groups()
    hour_value = int(hour or 0)
    if meridiem:
        if not 1 <= hour_value <= 12:
            raise ValueError("hour must be 1..12 with AM/PM")
        hour_value = hour_value % 12 + (12 if meridiem.lower() == "pm" else 0)
    wall = datetime(int(year), int(month), int(day), hour_value, int(minute or 0), int(second or 0))
    return Stamp(wall, 0, utc=False)


def stamp_from_datetime(moment: datetime) -> Stamp:
    """A UTC stamp from a datetime (naive datetimes are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return Stamp(moment.replace(microsecond=0), moment.microsecond * 10, utc=True)


def windows_zone(name: Json, fn: str) -> ZoneInfo:
    """A Windows time zone id (as Logic Apps takes them) as a zoneinfo zone."""
    if not isinstance(name, str):
        raise ExpressionError(f"function '{fn}' expects a time zone name, got '{type_name(name)}'")
    iana = win_tz.get(name)
    if iana is None:
        raise ExpressionError(f"function '{fn}': '{name}' is not a Windows time zone id")
    return ZoneInfo(iana)


def convert(stamp: Stamp, source: ZoneInfo, destination: ZoneInfo) -> Stamp:
    aware = stamp.wall.replace(tzinfo=source)
    converted = aware.astimezone(destination)
    is_utc = converted.utcoffset() == timedelta(0) and destination.key in ("Etc/UTC", "UTC", "Etc/GMT")
    return Stamp(converted.replace(tzinfo=None), stamp.ticks, utc=is_utc)


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# en-US standard date/time formats as .NET custom patterns.
STANDARD_FORMATS = {
    "d": "M/d/yyyy",
    "D": "dddd, MMMM d, yyyy",
    "f": "dddd, MMMM d, yyyy h:mm tt",
    "F": "dddd, MMMM d, yyyy h:mm:ss tt",
    "g": "M/d/yyyy h:mm tt",
    "G": "M/d/yyyy h:mm:ss tt",
    "m": "MMMM d",
    "M": "MMMM d",
    "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "t": "h:mm tt",
    "T": "h:mm:ss tt",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
    "U": "dddd, MMMM d, yyyy h:mm:ss tt",
    "y": "MMMM yyyy",
    "Y": "MMMM yyyy",
}

SPECIFIERS = frozenset("dfFghHKmMstyz")


def custom_pattern(fmt: str | None) -> str:
    """The custom pattern of a format string: a single character is a standard format (default "o")."""
    fmt = fmt or "o"
    if len(fmt) == 1:
        if fmt not in STANDARD_FORMATS:
            raise ExpressionError(f"'{fmt}' is not a valid standard date and time format specifier")
        return STANDARD_FORMATS[fmt]
    return fmt


def format_datetime(stamp: Stamp, fmt: str | None) -> str:
    """Format like .NET `DateTime.ToString(format, en-US)`; default format "o"."""
    pattern = custom_pattern(fmt)
    out: list[str] = []
    pos = 0
    while pos < len(pattern):
        pos = _format_token(stamp, pattern, pos, out)
    return "".join(out)


def _format_token(stamp: Stamp, fmt: str, pos: int, out: list[str]) -> int:
    char = fmt[pos]
    if char in "'\"":
        text, pos = quoted(fmt, pos, "date")
        out.append(text)
        return pos
    if char == "\\":
        if pos + 1 >= len(fmt):
            raise ExpressionError(f"format '{fmt}' ends with an escape character")
        out.append(fmt[pos + 1])
        return pos + 2
    if char == "%":  # '%x' uses x as a custom specifier; only meaningful before a specifier
        if pos + 1 >= len(fmt) or fmt[pos + 1] == "%":
            raise ExpressionError(f"invalid '%' in date format '{fmt}'")
        return pos + 1
    if char not in SPECIFIERS:
        out.append(char)  # ':' and '/' are ':' and '/' in en-US; anything else is literal
        return pos + 1
    run = run_length(fmt, pos)
    _format_specifier(stamp, char, run, fmt, out)
    return pos + run


def run_length(fmt: str, pos: int) -> int:
    run = 1
    while pos + run < len(fmt) and fmt[pos + run] == fmt[pos]:
        run += 1
    return run


def _format_specifier(stamp: Stamp, char: str, run: int, fmt: str, out: list[str]) -> None:
    if char in "fF":
        if run > 7:
            raise ExpressionError(f"too many '{char}' specifiers in date format '{fmt}'")
        digits = f"{stamp.ticks:07d}"[:run]
        if char == "F":
            digits = digits.rstrip("0")
            if not digits and out and out[-1].endswith("."):  # .NET drops the dot before an empty F
                out[-1] = out[-1][:-1]
        out.append(digits)
        return
    if char == "z":
        # Logic Apps' servers run in UTC: .NET prints the machine offset for non-UTC kinds too.
        out.append({1: "+0", 2: "+00"}.get(run, "+00:00"))
        return
    out.append(_date_field(stamp.wall, stamp.utc, char, run))


def _name(name: str, run: int) -> str:
    return name[:3] if run == 3 else name


def _date_field(wall: datetime, utc: bool, char: str, run: int) -> str:
    def number(value: int) -> str:
        return f"{value:0{min(run, 2)}d}"

    hour12 = wall.hour % 12 or 12
    table: dict[str, Callable[[], str]] = {
        "d": lambda: number(wall.day) if run <= 2 else _name(DAYS[wall.weekday()], run),
        "M": lambda: number(wall.month) if run <= 2 else _name(MONTHS[wall.month - 1], run),
        "y": lambda: number(wall.year % 100) if run <= 2 else f"{wall.year:0{run}d}",
        "h": lambda: number(hour12),
        "H": lambda: number(wall.hour),
        "m": lambda: number(wall.minute),
        "s": lambda: number(wall.second),
        "t": lambda: ("AM" if wall.hour < 12 else "PM")[: 1 if run == 1 else 2],
        "K": lambda: "Z" if utc else "",
        "g": lambda: "A.D.",
    }  # fmt: skip
    return table[char]()


def format_timespan(total_ticks: int) -> str:
    """.NET TimeSpan.ToString() ("c"): [-][d.]hh:mm:ss[.fffffff]."""
    sign = "-" if total_ticks < 0 else ""
    seconds, fraction = divmod(abs(total_ticks), TICKS_PER_SECOND)
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{sign}{f'{days}.' if days else ''}{hours:02d}:{minutes:02d}:{seconds:02d}"
    return text + (f".{fraction:07d}" if fraction else "")
