"""Small builders of Workflow Definition Language expressions (as text), used by the definition.

Everything a value from data or config passes through is here, so escaping lives in one place:
`text()` HTML-escapes at run time; `lit()` quotes a constant for an expression.
"""

from __future__ import annotations

from collections.abc import Mapping

from securescore.logicapp.email import TOKEN

DASH = "–"


def lit(value: str) -> str:
    """A WDL string literal."""
    return "'" + value.replace("'", "''") + "'"


def text(expr: str) -> str:
    """HTML-escape any value at run time (WDL has no html-encode function)."""
    escaped = f"string({expr})"
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        escaped = f"replace({escaped}, {lit(char)}, {lit(entity)})"
    return escaped


def is_null(expr: str) -> str:
    return f"equals({expr}, null)"


def object_or_empty(expr: str) -> str:
    """`expr` when it is an object (or the JSON text of one), else `{}`: safe to read properties of,
    whatever `expr` is. Selecting a property of an array or a string fails the expression in Azure
    ("Property selection is not supported on values of type 'Array'"), and a result() item's body is
    an array for a Select, a string for a Compose. Every function here accepts any value, and if()
    only chooses between two strings, so this holds even if Logic Apps evaluates both branches.
    The one value it refuses is a text that starts with "{" and is not JSON (json() fails on it)."""
    as_text = f"string(coalesce({expr}, ''))"
    return f"json(if(startsWith({as_text}, '{{'), {as_text}, '{{}}'))"


def number(expr: str, fmt: str) -> str:
    """A formatted number, or a dash for null. coalesce keeps formatNumber safe even if both
    branches of if() are evaluated."""
    return f"if({is_null(expr)}, {lit(DASH)}, formatNumber(coalesce({expr}, 0), {lit(fmt)}, 'en-US'))"


def local_time(expr: str, fmt: str) -> str:
    """A UTC timestamp shown in the schedule's time zone, or a dash for null."""
    safe = f"coalesce({expr}, '1970-01-01T00:00:00Z')"
    return f"if({is_null(expr)}, {lit(DASH)}, convertFromUtc({safe}, parameters('timeZone'), {lit(fmt)}))"


def change_parts(expr: str, fmt: str = "+0.0;-0.0;0.0", unit: str = "") -> dict[str, str]:
    """Three spans (up / down / flat), each empty unless it applies, so colours come from inlined CSS.
    Up and down carry an arrow as well as the sign, so the direction does not depend on colour."""
    value = f"coalesce({expr}, 0)"
    signed = f"formatNumber({value}, {lit(fmt)}, 'en-US')"
    suffix = f", {lit(unit)}" if unit else ""
    return {
        "change_up": f"if(greater({value}, 0), concat('▲ ', {signed}{suffix}), '')",
        "change_down": f"if(less({value}, 0), concat('▼ ', {signed}{suffix}), '')",
        "change_flat": f"if({is_null(expr)}, {lit(DASH)}, if(equals({value}, 0), {lit('0.0' + unit)}, ''))",
    }


def counted(expr: str, singular: str, plural: str) -> str:
    """"1 subscription", "3 subscriptions": the number and the noun that agrees with it."""
    return f"concat(string(coalesce({expr}, 0)), if(equals({expr}, 1), {lit(' ' + singular)}, {lit(' ' + plural)}))"


def url_part(expr: str) -> str:
    """An id as one URL path segment: percent-encoded, so it cannot end the segment or the URL."""
    return f"uriComponent(string(coalesce({expr}, '')))"


def fill_interpolated(fragment: str, values: Mapping[str, str]) -> str:
    """Replace every [[token]] by @{expr}: a WDL string with interpolations."""
    return _fill(fragment, values, lambda literal: literal, lambda expr: "@{" + expr + "}", "".join)


def fill_expression(fragment: str, values: Mapping[str, str]) -> str:
    """The fragment as one WDL expression: concat('literal', expr, ...)."""
    return _fill(fragment, values, lit, lambda expr: expr, _concat)


def _concat(parts: list[str]) -> str:
    # concat() takes at least two arguments (a single part is used as it is).
    if len(parts) < 2:
        return parts[0] if parts else "''"
    return f"concat({', '.join(parts)})"


def _fill(fragment, values, literal, expression, combine) -> str:  # type: ignore[no-untyped-def]
    parts: list[str] = []
    position = 0
    used: set[str] = set()
    for match in TOKEN.finditer(fragment):
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for template token [[{name}]]")
        if match.start() > position:
            parts.append(literal(fragment[position : match.start()]))
        parts.append(expression(values[name]))
        used.add(name)
        position = match.end()
    if position < len(fragment):
        parts.append(literal(fragment[position:]))
    unused = set(values) - used
    if unused:
        raise KeyError(f"values given for tokens the template does not have: {sorted(unused)}")
    if "@" in TOKEN.sub("", fragment):
        raise ValueError("a literal '@' in a template could be read as a Logic Apps expression")
    return combine(parts)
