"""Run the deployed workflow definition on this machine: the engine of the preview.

The definition is the one `pulumi up` deploys. The runner walks its actions; the azuremonitorlogs
query actions are answered by a DataSource running the very KQL text the action carries (with
@{utcNow()} evaluated at the pinned clock), and the office365 send action is captured, not sent.

Http actions are answered by the `http` responder given to `run_locally` (the protocol is in
`securescore.emulator.runner.protocols`: `http(action_name, HttpRequest) -> {"statusCode",
"headers", "body"}`); every request is recorded in `LocalRun.http_requests`. Without one, an Http
action stops the preview with an error naming its method and URL, so the preview never pretends an
answer Azure did not give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from securescore.emulator.errors import UnsupportedConstructError
from securescore.emulator.runner import ConnectorError, HttpRequest, HttpResponder, RunResult, run_workflow
from securescore.logicapp.connections import LOGS_API, OFFICE365_API, connections_value
from securescore.logicapp.definition import build_definition
from securescore.settings import Settings

# Stand-ins for the connection ids, so the runner can tell which connector an action calls.
LOCAL_CONNECTION_IDS = {LOGS_API: f"local/{LOGS_API}", OFFICE365_API: f"local/{OFFICE365_API}"}
QUERY_PREFIX = "Query_"


class DataSource(Protocol):
    def run_query(self, kql: str) -> list[dict[str, Any]]: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class CapturedEmail:
    to: tuple[str, ...]
    subject: str
    html: str
    importance: str
    action: str  # which send action produced it: Send_report or Send_failure_notice


@dataclass
class LocalRun:
    run: RunResult
    emails: list[CapturedEmail] = field(default_factory=list)
    query_texts: dict[str, str] = field(default_factory=dict)  # query name -> KQL as executed
    query_results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    http_requests: list[tuple[str, HttpRequest]] = field(default_factory=list)  # (action, request)

    @property
    def email(self) -> CapturedEmail:
        if len(self.emails) != 1:
            raise RuntimeError(f"the run sent {len(self.emails)} emails; expected exactly one")
        return self.emails[0]


class _Connectors:
    """Answers the workflow's ApiConnection actions the way the real connectors would."""

    def __init__(self, source: DataSource, fail_query: str | None, record: LocalRun) -> None:
        self.source = source
        self.fail_query = fail_query
        self.record = record

    def __call__(self, action: str, inputs: dict[str, Any]) -> dict[str, Any]:
        connection = inputs.get("host", {}).get("connection", {}).get("name")
        path = inputs.get("path")
        if connection == LOCAL_CONNECTION_IDS[LOGS_API] and path == "/queryData":
            return self._query(action, inputs["body"])
        if connection == LOCAL_CONNECTION_IDS[OFFICE365_API] and path == "/v2/Mail":
            body = inputs["body"]
            self.record.emails.append(
                CapturedEmail(
                    to=tuple(address for address in body["To"].split(";") if address),
                    subject=body["Subject"],
                    html=body["Body"],
                    importance=body.get("Importance", "Normal"),
                    action=action,
                )
            )
            return {"statusCode": 200, "body": None}
        raise ConnectorError(f"{action}: the preview has no connector for {connection} {path}")

    def _query(self, action: str, kql: str) -> dict[str, Any]:
        name = action.removeprefix(QUERY_PREFIX)
        self.record.query_texts[name] = kql
        if name == self.fail_query:
            # The shape of a Log Analytics error as the connector returns it.
            return {
                "statusCode": 400,
                "body": {
                    "error": {
                        "code": "BadArgumentError",
                        "message": f"Simulated failure of query '{name}' (--fail-query)",
                    }
                },
            }
        rows = self.source.run_query(kql)
        self.record.query_results[name] = rows
        return {"statusCode": 200, "body": {"value": rows}}


def no_http_answer(action: str, request: HttpRequest) -> dict[str, Any]:
    """The default responder: the preview has no answer, so it stops rather than invent one."""
    raise UnsupportedConstructError(
        f"the emulator cannot run Http action '{action}': the preview has no answer for {request.method} {request.url}"
    )


class _RecordedHttp:
    def __init__(self, responder: HttpResponder, record: LocalRun) -> None:
        self.responder = responder
        self.record = record

    def __call__(self, action: str, request: HttpRequest) -> dict[str, Any]:
        self.record.http_requests.append((action, request))
        return self.responder(action, request)


def run_locally(
    settings: Settings,
    source: DataSource,
    now: datetime,
    *,
    fail_query: str | None = None,
    data_note: str = "",
    http: HttpResponder | None = None,
) -> LocalRun:
    """Execute the stack's workflow definition against `source` at the pinned time `now`.

    `http` answers the definition's Http actions (default: `no_http_answer`).
    """
    connections = connections_value(
        settings,
        logs_connection_id=LOCAL_CONNECTION_IDS[LOGS_API],
        office365_connection_id=LOCAL_CONNECTION_IDS[OFFICE365_API],
    )
    parameters: dict[str, Any] = {"$connections": connections}
    if data_note:
        parameters["dataNote"] = data_note
    record = LocalRun(run=None)  # type: ignore[arg-type]  # filled in below
    record.run = run_workflow(
        build_definition(settings),
        parameters,
        _Connectors(source, fail_query, record),
        now,
        workflow_info={"name": settings.logic_app_name, "run": {"name": "local-preview"}},
        http=_RecordedHttp(http or no_http_answer, record),
    )
    return record
