"""Date and time functions (Microsoft's expression function reference, "Date and time functions").

The clock is the run's pinned `now` (`utcNow`, `getFutureTime`, `getPastTime`); nothing reads the
machine's clock. Formats are .NET formats for en-US (`securescore.emulator.dotnet.dates`).
"""

from __future__ import annotations

import calendar
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from securescore.emulator.context import EvaluationContext
from securescore.emulator.dotnet.date_parsing import parse_exact
from securescore.emulator.dotnet.dates import (
    Stamp,
    convert,
    format_datetime,
    format_timespan,
    parse_timestamp,
    stamp_from_datetime,
    windows_zone,
)
from securescore.emulator.errors import ExpressionError
from securescore.emulator.functions.registry import check_locale, format_arg, function, int_arg, opt, str_arg

Json = Any
_UTC = ZoneInfo("Etc/UTC")


def _shift(fn: str, stamp: Stamp, amount: int, unit: str) -> Stamp:
    """Add `amount` units (reference: Second, Minute, Hour, Day, Week, Month, Year)."""
    unit_key = unit.lower()
    try:
        if unit_key in ("month", "year"):
            months = amount * (12 if unit_key == "year" else 1)
            return Stamp(_add_months(stamp, months), stamp.ticks, stamp.utc)
        seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400, "week": 604_800}.get(unit_key)
        if seconds is None:
            raise ExpressionError(
                f"function '{fn}': '{unit}' is not a time unit (Second, Minute, Hour, Day, Week, Month, Year)"
            )
        return stamp.shift(timedelta(seconds=seconds * amount))
    except (OverflowError, ValueError) as exc:
        raise ExpressionError(f"function '{fn}': the result is out of range") from exc


def _add_months(stamp: Stamp, months: int):
    """.NET AddMonths: same day, clamped to the last day of the target month."""
    wall = stamp.wall
    index = wall.year * 12 + wall.month - 1 + months
    year, month = divmod(index, 12)
    day = min(wall.day, calendar.monthrange(year, month + 1)[1])
    return wall.replace(year=year, month=month + 1, day=day)


def _add(fn: str, unit: str, args: list[Json]) -> str:
    stamp = parse_timestamp(args[0], fn)
    return format_datetime(_shift(fn, stamp, int_arg(fn, args, 1), unit), format_arg(fn, args, 2))


@function("addDays", 2, 3)
def _add_days(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add("addDays", "Day", args)


@function("addHours", 2, 3)
def _add_hours(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add("addHours", "Hour", args)


@function("addMinutes", 2, 3)
def _add_minutes(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add("addMinutes", "Minute", args)


@function("addSeconds", 2, 3)
def _add_seconds(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add("addSeconds", "Second", args)


def _add_units(fn: str, args: list[Json], sign: int) -> str:
    stamp = parse_timestamp(args[0], fn)
    shifted = _shift(fn, stamp, sign * int_arg(fn, args, 1), str_arg(fn, args, 2))
    return format_datetime(shifted, format_arg(fn, args, 3))


@function("addToTime", 3, 4)
def _add_to_time(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add_units("addToTime", args, 1)


@function("subtractFromTime", 3, 4)
def _subtract_from_time(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add_units("subtractFromTime", args, -1)


def _from_now(fn: str, args: list[Json], ctx: EvaluationContext, sign: int) -> str:
    shifted = _shift(fn, stamp_from_datetime(ctx.now), sign * int_arg(fn, args, 0), str_arg(fn, args, 1))
    return format_datetime(shifted, format_arg(fn, args, 2))


@function("getFutureTime", 2, 3)
def _get_future_time(args: list[Json], ctx: EvaluationContext) -> Json:
    return _from_now("getFutureTime", args, ctx, 1)


@function("getPastTime", 2, 3)
def _get_past_time(args: list[Json], ctx: EvaluationContext) -> Json:
    return _from_now("getPastTime", args, ctx, -1)


@function("utcNow", 0, 1)
def _utc_now(args: list[Json], ctx: EvaluationContext) -> Json:
    return format_datetime(stamp_from_datetime(ctx.now), format_arg("utcNow", args, 0))


@function("formatDateTime", 1, 3)
def _format_date_time(args: list[Json], ctx: EvaluationContext) -> Json:
    check_locale("formatDateTime", opt(args, 2))
    stamp = parse_timestamp(args[0], "formatDateTime")
    return format_datetime(stamp, format_arg("formatDateTime", args, 1))


@function("parseDateTime", 1, 3)
def _parse_date_time(args: list[Json], ctx: EvaluationContext) -> Json:
    check_locale("parseDateTime", opt(args, 1))
    text = str_arg("parseDateTime", args, 0)
    fmt = format_arg("parseDateTime", args, 2)
    stamp = parse_exact(text, fmt) if fmt else parse_timestamp(text, "parseDateTime")
    return format_datetime(stamp, "o")


def _truncate(fn: str, args: list[Json], **fields: int) -> str:
    stamp = parse_timestamp(args[0], fn)
    start = Stamp(stamp.wall.replace(**fields), 0, stamp.utc)
    return format_datetime(start, format_arg(fn, args, 1))


@function("startOfDay", 1, 2)
def _start_of_day(args: list[Json], ctx: EvaluationContext) -> Json:
    return _truncate("startOfDay", args, hour=0, minute=0, second=0)


@function("startOfHour", 1, 2)
def _start_of_hour(args: list[Json], ctx: EvaluationContext) -> Json:
    return _truncate("startOfHour", args, minute=0, second=0)


@function("startOfMonth", 1, 2)
def _start_of_month(args: list[Json], ctx: EvaluationContext) -> Json:
    return _truncate("startOfMonth", args, day=1, hour=0, minute=0, second=0)


@function("dayOfMonth", 1, 1)
def _day_of_month(args: list[Json], ctx: EvaluationContext) -> Json:
    return parse_timestamp(args[0], "dayOfMonth").wall.day


@function("dayOfWeek", 1, 1)
def _day_of_week(args: list[Json], ctx: EvaluationContext) -> Json:
    return (parse_timestamp(args[0], "dayOfWeek").wall.weekday() + 1) % 7  # Sunday is 0 (reference)


@function("dayOfYear", 1, 1)
def _day_of_year(args: list[Json], ctx: EvaluationContext) -> Json:
    return parse_timestamp(args[0], "dayOfYear").wall.timetuple().tm_yday


@function("ticks", 1, 1)
def _ticks(args: list[Json], ctx: EvaluationContext) -> Json:
    return parse_timestamp(args[0], "ticks").total_ticks()


@function("dateDifference", 2, 2)
def _date_difference(args: list[Json], ctx: EvaluationContext) -> Json:
    start = parse_timestamp(args[0], "dateDifference")
    end = parse_timestamp(args[1], "dateDifference")
    return format_timespan(end.total_ticks() - start.total_ticks())


@function("convertFromUtc", 2, 3)
def _convert_from_utc(args: list[Json], ctx: EvaluationContext) -> Json:
    stamp = parse_timestamp(args[0], "convertFromUtc")
    converted = convert(stamp, _UTC, windows_zone(args[1], "convertFromUtc"))
    return format_datetime(converted, format_arg("convertFromUtc", args, 2))


@function("convertToUtc", 2, 3)
def _convert_to_utc(args: list[Json], ctx: EvaluationContext) -> Json:
    stamp = parse_timestamp(args[0], "convertToUtc")
    converted = convert(stamp, windows_zone(args[1], "convertToUtc"), _UTC)
    return format_datetime(converted, format_arg("convertToUtc", args, 2))


@function("convertTimeZone", 3, 4)
def _convert_time_zone(args: list[Json], ctx: EvaluationContext) -> Json:
    stamp = parse_timestamp(args[0], "convertTimeZone")
    source = windows_zone(args[1], "convertTimeZone")
    converted = convert(stamp, source, windows_zone(args[2], "convertTimeZone"))
    return format_datetime(converted, format_arg("convertTimeZone", args, 3))
