"""Logic App runs as the helpers read them (run_now follows one, check judges the last one).

Shapes: Microsoft.Logic 2016-06-01 (azure-rest-api-specs specification/logic/resource-manager/
Microsoft.Logic/stable/2016-06-01/logic.json: WorkflowRun, WorkflowRunAction, WorkflowStatus, ContentLink;
examples WorkflowRunsList.json, WorkflowRunActionsList.json). Neither the spec nor Microsoft Learn says in
which order ``GET .../runs`` lists the runs, so nothing here relies on it: runs are sorted by their
``startTime`` here, and the whole list is read (a weekly report keeps a few dozen runs in its 90
days of history, one or two pages).

A failed action's outputs (``statusCode``, ``headers``, ``body``: the outputs of an Http or
ApiConnection action, Learn "Schema reference guide for trigger and action types") are not in the
actions list: ``properties.outputsLink.uri`` (a ContentLink) points at them. That address carries its
own authorization, so it is read without the ARM token (which must not go to another host) and is
never shown: it is registered with the console's redactor before it is used, and only the fact that
it could not be read is reported. The outputs feed `securescore.cli.failure_signatures.diagnose`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any, Literal

from azure.core import PipelineClient
from azure.core.exceptions import AzureError
from azure.core.pipeline.policies import HeadersPolicy, RedirectPolicy, RequestIdPolicy, UserAgentPolicy
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest

from securescore import __version__
from securescore.arm import DEFAULT_LIMITS, LOGIC_API_VERSION, ArmClient, ArmError, NetworkLimits
from securescore.cli.failure_signatures import ROLE_PROPAGATION_MINUTES, diagnose
from securescore.config.modes import Modes

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
    error_detail: Any = None  # the run's ``error`` object as Azure gave it

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Run:
        properties = body.get("properties") or {}
        return cls(
            name=str(body.get("name") or ""),
            status=str(properties.get("status") or "NotSpecified"),
            start_time=str(properties.get("startTime") or ""),
            end_time=str(properties.get("endTime") or ""),
            error=error_text(properties.get("error")),
            error_detail=properties.get("error"),
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
    statusCode: int | None = None  # the outputs' spelling: --json prints these names
    problem: str = ""  # a known failure signature's problem and fix (securescore.cli.failure_signatures)
    fix: str = ""


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


_BEFORE_ANY_RUN = datetime.min.replace(tzinfo=UTC)


def newest_first(runs: list[Run]) -> list[Run]:
    """By start time, newest first; runs without a start time last (order of the list otherwise)."""
    return sorted(runs, key=lambda run: run.started or _BEFORE_ANY_RUN, reverse=True)


def all_runs(arm: ArmClient, workflow: str) -> list[Run]:
    """Every run in the workflow's history (pages followed), newest first by start time."""
    return newest_first([Run.from_body(item) for item in arm.list(f"{workflow}/runs", LOGIC_API_VERSION)])


def get_run(arm: ArmClient, workflow: str, run_name: str) -> Run:
    return Run.from_body(arm.get(f"{workflow}/runs/{run_name}", LOGIC_API_VERSION) or {})


def failed_actions(arm: ArmClient, workflow: str, run_name: str) -> list[FailedAction]:
    """The failed actions of a run, with their error (no outputs read, nothing diagnosed)."""
    return [_failed(item) for item in _failed_items(arm, workflow, run_name)]


def _failed_items(arm: ArmClient, workflow: str, run_name: str) -> list[Mapping[str, Any]]:
    items = arm.list(f"{workflow}/runs/{run_name}/actions", LOGIC_API_VERSION)
    return [item for item in items
            if outcome_of(str((item.get("properties") or {}).get("status") or "")) == "failed"]


def _failed(item: Mapping[str, Any], status_code: int | None = None, problem: str = "", fix: str = "") -> FailedAction:
    properties = item.get("properties") or {}
    status = str(properties.get("status") or "")
    message = error_text(properties.get("error")) or str(properties.get("code") or "") or status
    return FailedAction(str(item.get("name")), status, message, status_code, problem, fix)


# The workflow resource itself (identity, changedTime) with the api-version the stack deploys it with
# (pulumi-azure-native logic.Workflow: 2019-05-01), whose Workflow has ``identity`` (principalId,
# tenantId: Learn "Authenticate access and connections with managed identities"); example
# specification/logic/.../stable/2019-05-01/examples/Workflows_Get.json (properties.changedTime).
WORKFLOW_API_VERSION = "2019-05-01"


def read_workflow(arm: ArmClient, workflow: str) -> Mapping[str, Any]:
    return arm.get(workflow, WORKFLOW_API_VERSION) or {}


def changed_at(arm: ArmClient, workflow: str) -> Callable[[], datetime | None]:
    """When the Logic App was last changed (a `pulumi up` that touched it), read once on first use;
    None when it cannot be read."""
    memo: list[datetime | None] = []

    def read() -> datetime | None:
        if not memo:
            try:
                properties = read_workflow(arm, workflow).get("properties") or {}
            except ArmError:  # a hint only: unreadable means "unknown"
                properties = {}
            memo.append(parse_time(str(properties.get("changedTime") or "")))
        return memo[0]

    return read


# --- reading outputs and diagnosing ---------------------------------------------------------------------


class OutputsReader:
    """GETs an action's ``outputsLink``: no token sent, no logging policy, the address never shown.

    ``register`` is told every address before it is used (the console's redactor: an error text that
    quotes the address is masked). Any failure to read gives None: the outputs are a help, and the
    action's own error is still there."""

    def __init__(self, transport: HttpTransport | None = None, limits: NetworkLimits = DEFAULT_LIMITS,
                 register: Callable[[str], None] = lambda secret: None) -> None:
        self.transport, self.limits, self.register = transport, limits, register

    def read(self, uri: str) -> Mapping[str, Any] | None:
        if not uri.startswith("https://"):
            return None
        self.register(uri)
        self.register(uri.split("?", 1)[-1])
        agent = UserAgentPolicy(sdk_moniker=f"securescore-report/{__version__}")
        policies = [RequestIdPolicy(), HeadersPolicy(), agent, self.limits.retry_policy(), RedirectPolicy()]
        kwargs: dict[str, Any] = {"policies": policies}
        if self.transport is not None:
            kwargs["transport"] = self.transport
        else:
            kwargs.update(connection_timeout=self.limits.connect_timeout, read_timeout=self.limits.read_timeout)
        try:
            with PipelineClient(base_url=uri, **kwargs) as client:
                response = client.send_request(HttpRequest("GET", uri))
                text = response.text() if response.read() else ""
        except (AzureError, OSError):
            return None
        if not 200 <= response.status_code < 300:
            return None
        with contextlib.suppress(ValueError):
            body = json.loads(text)
            return body if isinstance(body, Mapping) else None
        return None


def _status_of(outputs: Mapping[str, Any] | None, code: Any) -> int | None:
    """outputs.statusCode; else the action's ``code`` when it is an HTTP status phrase ("Forbidden")."""
    value = (outputs or {}).get("statusCode")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    phrase = str(code or "").replace(" ", "").lower()
    return next((s.value for s in HTTPStatus if s.name.replace("_", "").lower() == phrase), None)


PROPAGATING = ("query-api-access-propagating", "acs-access-propagating")


@dataclass(frozen=True)
class Diagnoser:
    """Turns failed actions into problems and fixes, for one stack (its transports, its name)."""

    stack: str = "<stack>"
    modes: Modes | None = None
    reader: OutputsReader | None = None
    deployed_at: Callable[[], datetime | None] = lambda: None  # when the Logic App last changed (lazy)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def actions(self, arm: ArmClient, workflow: str, run: Run) -> list[FailedAction]:
        """Every failed action, diagnosed from its outputs; for a failed run without one, its error
        (what the zero-touch Delivery_failed Terminate leaves)."""
        found = [self.action(item) for item in _failed_items(arm, workflow, run.name)]
        if not found and run.outcome == "failed" and run.error_detail:
            diagnosis = self._diagnose("Delivery_failed", None, run.error_detail)
            if diagnosis is not None:
                found.append(FailedAction("Delivery_failed", run.status, run.error, None, *diagnosis))
        return found

    def action(self, item: Mapping[str, Any]) -> FailedAction:
        properties = item.get("properties") or {}
        link = (properties.get("outputsLink") or {}).get("uri")
        outputs = self.reader.read(str(link)) if link and self.reader is not None else None
        status = _status_of(outputs, properties.get("code"))
        body = (outputs or {}).get("body")
        name = str(item.get("name"))
        diagnosis = self._diagnose(name, status, body) if body not in (None, "", {}) else None
        if diagnosis is None and properties.get("error"):
            diagnosis = self._diagnose(name, status, properties.get("error"))
        return _failed(item, status, *(diagnosis or ("", "")))

    def _diagnose(self, action: str, status: int | None, body: Any) -> tuple[str, str] | None:
        found = diagnose(action, status, body, stack=self.stack, modes=self.modes)
        if found is None:
            return None
        return found.problem, found.fix + (self._propagation_note() if found.key in PROPAGATING else "")

    def _propagation_note(self) -> str:
        deployed = self.deployed_at()
        if deployed is None:
            return ""
        age = self.now() - deployed
        window = timedelta(minutes=ROLE_PROPAGATION_MINUTES)
        if age >= window:
            return ""
        ready = (deployed + window).strftime("%H:%M UTC")
        return (f". The Logic App was deployed {max(age.total_seconds(), 0) / 60:.0f} minutes ago: its roles may "
                f"still be propagating; run again after {ready}")
