"""Single config values checked and normalised, each problem worded as "<key>: <value> is not accepted;
expected <what>", the same for a stack file and for pulumi.Config."""

from __future__ import annotations

import json
import re
from typing import Any

from tzlocal.windows_tz import tz_win, win_tz

from securescore.config import azure_names, regions
from securescore.config.azure_names import NameRule
from securescore.config.email_address import address_problem
from securescore.config.keys import closest
from securescore.config.text import control_characters

WEEK_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TEXT_MAX_LENGTH = 100
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def connection_names(logic_app_name: str) -> tuple[str, str]:
    """The azuremonitorlogs and office365 connections are named after the Logic App."""
    return f"{logic_app_name}-azuremonitorlogs", f"{logic_app_name}-office365"


class Problems:
    """Collects every problem so the user sees them all at once."""

    def __init__(self, project: str, problems: list[str] | tuple[str, ...] = ()) -> None:
        self.project = project
        self.problems: list[str] = list(problems)

    def add(self, key: str, value: Any, accepted: str) -> None:
        self.problems.append(f"{self.project}:{key}: {show(value)} is not accepted; expected {accepted}")


def show(value: Any) -> str:
    if isinstance(value, str):
        text = repr(str(value))
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def is_guid(value: str) -> bool:
    return bool(_GUID.fullmatch(value))


def guid(key: str, value: str | None, errors: Problems) -> str:
    if value is not None and is_guid(value):
        return value.lower()
    if value is not None:
        errors.add(key, value, "a subscription id (GUID like 00000000-0000-0000-0000-000000000000)")
    return ""


def resource_name(key: str, value: str | None, rule: NameRule, errors: Problems) -> str:
    if value is None:
        return ""
    problem = rule.problem(value)
    if problem is None:
        return value
    errors.add(key, value, f"a {rule.resource_type} name: {rule.accepted} ({problem})")
    return ""


def logic_app_name(value: str | None, errors: Problems) -> str:
    name = resource_name("logicAppName", value, azure_names.LOGIC_APP_WORKFLOW, errors)
    for connection in connection_names(name) if name else ():
        problem = azure_names.WEB_CONNECTION.problem(connection)
        if problem:
            errors.add("logicAppName", value, f"a name whose connection {connection!r} is a valid "
                       f"{azure_names.WEB_CONNECTION.resource_type} name ({problem})")
            return ""
    return name


def text(key: str, value: str | None, errors: Problems, max_len: int = TEXT_MAX_LENGTH) -> str:
    if value is None:
        return ""
    controls = control_characters(value)
    if controls:
        errors.add(key, value, f"text without control characters (found {', '.join(controls)})")
    elif not 0 < len(value) <= max_len or not value.strip():
        errors.add(key, value, f"1 to {max_len} characters, not only spaces")
    elif value != value.strip():
        errors.add(key, value, "text without spaces at its start or end")
    else:
        return value
    return ""


def int_range(key: str, value: int | None, low: int, high: int, errors: Problems) -> int:
    if value is not None and low <= value <= high:
        return value
    if value is not None:
        errors.add(key, value, f"a whole number from {low} to {high}")
    return low


def choice(key: str, value: str | None, choices: tuple[str, ...], errors: Problems) -> str:
    for choice in choices:
        if value is not None and value.lower() == choice.lower():
            return choice
    if value is not None:
        errors.add(key, value, "one of " + ", ".join(f'"{c}"' for c in choices))
    return choices[0]


def location(value: str | None, errors: Problems) -> str:
    if value is None:
        return ""
    if regions.is_region(value):
        return regions.normalize(value)
    near = regions.closest_region(value) if not control_characters(value) else None
    hint = f" (did you mean {near}?)" if near else ""
    errors.add("location", value, f"an Azure region such as westeurope or eastus2{hint}; "
               "the list is in securescore/config/regions.py")
    return ""


def subscriptions(value: list[str] | None, errors: Problems) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not value:
        errors.add("subscriptions", value, 'at least one "<subscription GUID>" or "<GUID>=<friendly name>"')
        return []
    result: list[tuple[str, str]] = []
    seen: set[str] = set()
    for entry in value:
        sub_id, sep, name = entry.partition("=")
        sub_id, name = sub_id.strip(" "), name.strip(" ")  # spaces around '=' are fine, nothing else
        if not is_guid(sub_id):
            errors.add("subscriptions", entry, 'entries "<subscription GUID>" or "<GUID>=<friendly name>"')
            continue
        if sep and (control_characters(name) or not 0 < len(name) <= TEXT_MAX_LENGTH):
            controls = control_characters(name)
            errors.add("subscriptions", entry,
                       f"a friendly name of 1 to {TEXT_MAX_LENGTH} characters after '='"
                       + (f", without control characters (found {', '.join(controls)})" if controls else ""))
            continue
        sub_id = sub_id.lower()
        if sub_id in seen:
            errors.add("subscriptions", entry, "each subscription once (this GUID is listed twice)")
            continue
        seen.add(sub_id)
        result.append((sub_id, name or sub_id))
    return result


def recipients(value: list[str] | None, errors: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not value:
        errors.add("recipients", value, "at least one email address")
        return ()
    result: list[str] = []
    for address in value:
        problem = address_problem(address)
        if problem:
            errors.add("recipients", address, f"an email address like secops@contoso.com ({problem})")
        elif address.lower() in (r.lower() for r in result):
            errors.add("recipients", address, "each address once (this one is listed twice)")
        else:
            result.append(address)
    return tuple(result)


def week_days(value: list[str] | None, errors: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    days: list[str] = []
    for entry in value:
        day = next((d for d in WEEK_DAYS if d.lower() == entry.lower()), None)
        if day is None or day in days:
            near = closest(entry, WEEK_DAYS) if day is None else None
            hint = f" (did you mean {near}?)" if near else ""
            errors.add("scheduleWeekDays", entry, "distinct week days from " + ", ".join(WEEK_DAYS) + hint)
        else:
            days.append(day)
    if not value:
        errors.add("scheduleWeekDays", value, "at least one week day")
    return tuple(sorted(days, key=WEEK_DAYS.index))


def time_zone(value: str | None, errors: Problems) -> str:
    if value is not None and value in win_tz:
        return value
    if value is not None:
        if value in tz_win:
            hint = f' (the Windows id of {value} is "{tz_win[value]}")'
        else:
            near = closest(value, list(win_tz), cutoff=0.8)
            hint = f' (did you mean "{near}"?)' if near else ""
        errors.add("scheduleTimeZone", value, f'a Windows time zone id such as "W. Europe Standard Time"{hint}')
    return "UTC"
