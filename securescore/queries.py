"""Render the report's KQL (kql/*.kql, jinja2 templates) from a stack's settings.

The rendered text is what the Logic App sends to Log Analytics and what the preview runs locally:
only `report_time` differs in kind (the Logic Apps interpolation "@{utcNow()}" when deployed, which
the preview's runner evaluates with its pinned clock).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import jinja2

from securescore.config.text import has_control_characters
from securescore.settings import Settings

QUERY_NAMES = (
    "overall", "subscriptions", "trend", "top_controls", "unhealthy_controls", "freshness", "changes",
    "recommendations",
)
# Queries only a stack that exports assessments (SecurityRecommendation) runs.
ASSESSMENT_QUERIES = ("recommendations",)
# Queries only a management-group stack (managementGroupId) runs, after QUERY_NAMES'.
MANAGEMENT_GROUP_QUERIES = ("coverage",)
ALL_QUERY_NAMES = QUERY_NAMES + MANAGEMENT_GROUP_QUERIES
KQL_DIR = Path(__file__).resolve().parent / "kql"
# What the deployed workflow puts in `let ReportTime = datetime(...)`: the run's time.
LOGIC_APP_REPORT_TIME = "@{utcNow()}"
# Management-group mode: the action whose output is the run's subscription list for the KQL (lower-case
# GUIDs joined by ",", or "*" for no filter), and what the deployed workflow puts in `let MemberIds`.
MEMBERSHIP_ACTION = "Compose_subscription_filter"
LOGIC_APP_MEMBERSHIP = f"@{{outputs('{MEMBERSHIP_ACTION}')}}"
# Characters one subscription adds to that list: a GUID and its ",".
MEMBER_ID_STRIDE = 37
NO_MEMBERSHIP_FILTER = "*"

# membership default: the deployed workflow's own run-time list (LOGIC_APP_MEMBERSHIP).
RUN_TIME = object()
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

_STRCAT_MAX_ARGUMENTS = 64
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z\Z")


def kql_string(text: str) -> str:
    """A KQL string literal for any text that has no control characters.

    Backslash and double quote are escaped (Kusto "The string data type": inside double quotes, escape
    the quote and the backslash). The query travels inside a Logic Apps string, where "@{" starts an
    interpolation, so the literal is cut between every "@" and the "{" after it and the pieces are
    joined back with strcat: no config value can inject into the KQL or into the workflow. strcat takes
    1 to 64 arguments (Kusto's limit, which Kusto.Language enforces), so longer lists are nested.
    """
    if has_control_characters(text):
        raise ValueError("control characters cannot appear in a KQL string literal")
    return _strcat([_quoted(piece) for piece in _split_at_braces(text)])


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _split_at_braces(text: str) -> list[str]:
    """text cut between each "@" and the "{" that follows it, so that no piece contains "@{"."""
    pieces, start = [], 0
    for index in range(1, len(text)):
        if text[index - 1] == "@" and text[index] == "{":
            pieces.append(text[start:index])
            start = index
    return [*pieces, text[start:]]


def _strcat(pieces: list[str]) -> str:
    """One expression joining the pieces: strcat of at most 64 arguments, nested when there are more."""
    while len(pieces) > 1:
        chunks = [pieces[i : i + _STRCAT_MAX_ARGUMENTS] for i in range(0, len(pieces), _STRCAT_MAX_ARGUMENTS)]
        pieces = [chunk[0] if len(chunk) == 1 else "strcat(" + ", ".join(chunk) + ")" for chunk in chunks]
    return pieces[0]


@cache  # one compile of the templates per process: the program renders every query per stack
def _environment(kql_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(kql_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # KQL, not HTML: every value is made safe by template_values()
        keep_trailing_newline=False,
    )


def membership_text(members: Sequence[str] | None) -> str:
    """The run-time subscription list as the KQL of management-group mode reads it: checked, lower-case
    GUIDs joined by ",", or "*" (``None``: no subscription filter). The only text from Azure that ever
    becomes KQL, and only once each id is a GUID."""
    if members is None:
        return NO_MEMBERSHIP_FILTER
    bad = [m for m in members if not _GUID.fullmatch(m)]
    if bad:
        raise ValueError(f"management-group membership: {bad[0]!r} is not a lower-case subscription GUID")
    return ",".join(members)


def template_values(
    settings: Settings, report_time: str, membership: Sequence[str] | object | None = RUN_TIME,
) -> dict[str, object]:
    """``membership`` (management-group mode): the subscriptions under the group (lower-case GUIDs),
    ``None`` for no subscription filter, or RUN_TIME (the default): with the Logic App's report time
    the deployed workflow's own list, composed by the run (LOGIC_APP_MEMBERSHIP); at a fixed time (a
    helper running the KQL itself) no filter, every subscription in the workspace."""
    if report_time != LOGIC_APP_REPORT_TIME and not _ISO_DATETIME.match(report_time):
        raise ValueError(
            f"report_time {report_time!r}: expected an ISO 8601 UTC time like 2026-11-23T07:00:00Z "
            f"or {LOGIC_APP_REPORT_TIME!r}"
        )
    report = settings.report
    # Subscription ids are validated GUIDs (lower-case), so quoting them is enough.
    subscription_list = ", ".join(f'"{sub_id}"' for sub_id in settings.subscription_ids)
    management_group = settings.scope is not None
    member_ids = ""
    if management_group:
        if membership is RUN_TIME:
            membership = LOGIC_APP_MEMBERSHIP if report_time == LOGIC_APP_REPORT_TIME else None
        member_ids = (membership if membership == LOGIC_APP_MEMBERSHIP
                      else membership_text(membership))  # type: ignore[arg-type]
    return {
        "management_group": management_group,
        "member_ids": member_ids,
        "subscription_filter": (
            "not(Filtered) or SubscriptionId in (Members)" if management_group
            else f"SubscriptionId in ({subscription_list})"),
        "report_time": report_time,
        "lookback_days": report.lookback_days,
        # The oldest row any query needs: the first week of the trend minus the lookback.
        "history_days": (report.trend_weeks - 1) * 7 + report.lookback_days,
        "subscription_list": subscription_list,
        "initiative_name": kql_string(report.initiative_name),
        "drop_alert_points": report.drop_alert_points,
        "trend_weeks": report.trend_weeks,
        "top_controls": report.top_controls,
    }


def query_names(settings: Settings) -> tuple[str, ...]:
    """The queries the stack's workflow runs, in QUERY_NAMES order."""
    skipped = (() if settings.export.assessments else ASSESSMENT_QUERIES) + (
        () if settings.scope is not None else MANAGEMENT_GROUP_QUERIES)
    return tuple(name for name in ALL_QUERY_NAMES if name not in skipped)


def render_query(
    name: str, settings: Settings, report_time: str, kql_dir: Path = KQL_DIR, *,
    membership: Sequence[str] | object | None = RUN_TIME,
) -> str:
    if name not in ALL_QUERY_NAMES:
        raise ValueError(f"unknown query {name!r}; queries: {', '.join(ALL_QUERY_NAMES)}")
    template = _environment(kql_dir).get_template(f"{name}.kql")
    return template.render(template_values(settings, report_time, membership)).strip() + "\n"


def render_queries(
    settings: Settings, report_time: str, kql_dir: Path = KQL_DIR, *,
    membership: Sequence[str] | object | None = RUN_TIME,
) -> dict[str, str]:
    """The KQL of every query the stack runs (see query_names). ``membership``: see template_values."""
    return {name: render_query(name, settings, report_time, kql_dir, membership=membership)
            for name in query_names(settings)}
