"""Logic App runs as the helpers read them (run_now follows one, check judges the last one).

Shapes: Microsoft.Logic 2016-06-01 (azure-rest-api-specs specification/logic/resource-manager/
Microsoft.Logic/stable/2016-06-01/logic.json: WorkflowRun, WorkflowRunAction, WorkflowStatus; examples
WorkflowRunsList.json, WorkflowRunActionsList.json). Neither the spec nor Microsoft Learn says in
which order ``GET .../runs`` lists the runs, so nothing here relies on it: runs are sorted by their
``startTime`` here, and the whole list is read (a weekly report keeps a few dozen runs in its 90
days of history, one or two pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from securescore.arm import LOGIC_API_VERSION, ArmClient

Outcome = Literal["succeeded", "in progress", "failed", "not run", "unknown"]

# Every value of the spec's WorkflowStatus enum (logic.json 2016-06-01, "WorkflowStatus"), and what it
# means for the report: run_now and check both judge a run by this table and nothing else.
RUN_OUTCOMES: dict[str, Outcome] = {
    "Succeeded": "succeeded",
    "Running": "in progress",
    "Waiting": "in progress",  # waiting for a concurrency slot or a callback
    "Paused": "in progress",
    "Suspended": "in progress",
    "NotSpecified": "in progress",  # no status yet
    "Failed": "failed",
    "Faulted": "failed",
    "TimedOut": "failed",  # ran past the run duration limit
    "Aborted": "failed",  # stopped by a platform problem
    "Cancelled": "failed",
    "Skipped": "not run",  # a trigger condition was false: nothing was sent
    "Ignored": "not run",
}
_BY_LOWER = {status.lower(): outcome for status, outcome in RUN_OUTCOMES.items()}
ENDED: frozenset[Outcome] = frozenset({"succeeded", "failed", "not run"})


def outcome_of(status: str) -> Outcome:
    """The outcome of a run or action status, compared case-insensitively; "unknown" for a value
    the spec does not list."""
    return _BY_LOWER.get(status.strip().lower(), "unknown")


@dataclass(frozen=True)
class Run:
    name: str
    status: str
    start_time: str
    end_time: str
    error: str

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Run:
        properties = body.get("properties") or {}
        return cls(
            name=str(body.get("name") or ""),
            status=str(properties.get("status") or "NotSpecified"),
            start_time=str(properties.get("startTime") or ""),
            end_time=str(properties.get("endTime") or ""),
            error=error_text(properties.get("error")),
        )

    @property
    def outcome(self) -> Outcome:
        return outcome_of(self.status)

    @property
    def started(self) -> datetime | None:
        return parse_time(self.start_time)

    def duration_seconds(self) -> float | None:
        start, end = parse_time(self.start_time), parse_time(self.end_time)
        return (end - start).total_seconds() if start and end else None


@dataclass(frozen=True)
class FailedAction:
    name: str
    status: str
    message: str


def error_text(error: Any) -> str:
    """A run's or action's ``error`` object ({code, message}, sometimes nested) as one line."""
    if not error:
        return ""
    if isinstance(error, str):
        return error
    if isinstance(error, Mapping):
        inner = error.get("error") if isinstance(error.get("error"), Mapping) else error
        code, message = inner.get("code") or "", inner.get("message") or ""
        return f"{code}: {message}" if code and message else str(code or message)
    return str(error)


def parse_time(value: str) -> datetime | None:
    """Logic Apps times have up to 7 fractional digits ("2024-05-06T07:00:00.1234567Z")."""
    if not value:
        return None
    text = value.strip()
    offset = ""
    if text.endswith(("Z", "z")):
        text = text[:-1]
    elif len(text) > 6 and text[-6] in "+-" and text[-3] == ":":
        text, offset = text[:-6], text[-6:]
    if "." in text:
        head, fraction = text.split(".", 1)
        text = f"{head}.{fraction[:6]}"
    try:
        parsed = datetime.fromisoformat(text + offset)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def newest_first(runs: list[Run]) -> list[Run]:
    """By start time, newest first; runs without a start time last (order of the list otherwise)."""
    return sorted(runs, key=lambda run: run.started or _EPOCH, reverse=True)


def all_runs(arm: ArmClient, workflow: str) -> list[Run]:
    """Every run in the workflow's history (pages followed), newest first by start time."""
    return newest_first([Run.from_body(item) for item in arm.list(f"{workflow}/runs", LOGIC_API_VERSION)])


def get_run(arm: ArmClient, workflow: str, run_name: str) -> Run:
    return Run.from_body(arm.get(f"{workflow}/runs/{run_name}", LOGIC_API_VERSION) or {})


def failed_actions(arm: ArmClient, workflow: str, run_name: str) -> list[FailedAction]:
    result = []
    for item in arm.list(f"{workflow}/runs/{run_name}/actions", LOGIC_API_VERSION):
        properties = item.get("properties") or {}
        status = str(properties.get("status") or "")
        if outcome_of(status) == "failed":
            message = error_text(properties.get("error")) or str(properties.get("code") or "") or status
            result.append(FailedAction(str(item.get("name")), status, message))
    return result
