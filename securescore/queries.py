"""Render the report's KQL (kql/*.kql, jinja2 templates) from a stack's settings.

The rendered text is what the Logic App sends to Log Analytics and what the preview runs locally:
only `report_time` differs in kind (the Logic Apps interpolation "@{utcNow()}" when deployed, which
the preview's runner evaluates with its pinned clock).
"""

from __future__ import annotations

import re
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
KQL_DIR = Path(__file__).resolve().parent / "kql"
# What the deployed workflow puts in `let ReportTime = datetime(...)`: the run's time.
LOGIC_APP_REPORT_TIME = "@{utcNow()}"

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


def template_values(settings: Settings, report_time: str) -> dict[str, object]:
    if report_time != LOGIC_APP_REPORT_TIME and not _ISO_DATETIME.match(report_time):
        raise ValueError(
            f"report_time {report_time!r}: expected an ISO 8601 UTC time like 2026-11-23T07:00:00Z "
            f"or {LOGIC_APP_REPORT_TIME!r}"
        )
    report = settings.report
    # Subscription ids are validated GUIDs (lower-case), so quoting them is enough.
    subscription_list = ", ".join(f'"{sub_id}"' for sub_id in settings.subscription_ids)
    return {
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
    skipped = () if settings.export.assessments else ASSESSMENT_QUERIES
    return tuple(name for name in QUERY_NAMES if name not in skipped)


def render_query(name: str, settings: Settings, report_time: str, kql_dir: Path = KQL_DIR) -> str:
    if name not in QUERY_NAMES:
        raise ValueError(f"unknown query {name!r}; queries: {', '.join(QUERY_NAMES)}")
    template = _environment(kql_dir).get_template(f"{name}.kql")
    return template.render(template_values(settings, report_time)).strip() + "\n"


def render_queries(settings: Settings, report_time: str, kql_dir: Path = KQL_DIR) -> dict[str, str]:
    """The KQL of every query the stack runs (see query_names)."""
    return {name: render_query(name, settings, report_time, kql_dir) for name in query_names(settings)}
