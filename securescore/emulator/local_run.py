"""Run the deployed workflow definition on this machine: the engine of the preview.

The definition is the one `pulumi up` deploys. The runner walks its actions; the azuremonitorlogs
query actions are answered by a DataSource running the very KQL text the action carries (with
@{utcNow()} evaluated at the pinned clock), and the office365 send action is captured, not sent.

The zero-touch transports are answered the same way by `LocalAzure`, a stand-in for two Azure
endpoints: a POST to the Log Analytics query API runs the KQL of its body on the DataSource and
answers in the API's shape (tables[0].columns + positional rows), and a POST to Communication
Services' emails:send is captured as the email (202 + operation, then Succeeded when followed).

Http actions are answered by the `http` responder given to `run_locally` (the protocol is in
`securescore.emulator.runner.protocols`: `http(action_name, HttpRequest) -> {"statusCode",
"headers", "body"}`), by default `LocalAzure`; every request is recorded in `LocalRun.http_requests`.
A request `LocalAzure` does not know stops the preview with an error naming its method and URL, so
the preview never pretends an answer Azure did not give. `http_faults` is asked first (tests play
throttling or a partial result with it); it returns an answer, or None to let `LocalAzure` answer.

Management-group mode asks Azure Resource Graph which subscriptions are under the group: `LocalAzure`
answers it with `emulator.resource_graph` from `membership` (Resource Graph rows; the sample source
has its own, `source.membership_rows`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from securescore.config.modes import ACS_SENDER_USERNAME as ACS_SENDER
from securescore.emulator.errors import UnsupportedConstructError
from securescore.emulator.resource_graph import ResourceGraphStandIn
from securescore.emulator.runner import ConnectorError, HttpRequest, HttpResponder, RunResult, run_workflow
from securescore.logicapp import logs_http, mail_acs
from securescore.logicapp.connections import LOGS_API, OFFICE365_API, connections_value
from securescore.logicapp.definition import build_definition, uses_connections
from securescore.settings import Settings

# Stand-ins for the connection ids, so the runner can tell which connector an action calls.
LOCAL_CONNECTION_IDS = {LOGS_API: f"local/{LOGS_API}", OFFICE365_API: f"local/{OFFICE365_API}"}
QUERY_PREFIX = "Query_"
# Stand-ins for the values `pulumi up` gives the zero-touch workflow parameters.
PREVIEW_WORKSPACE_CUSTOMER_ID = "5ec05c0e-0000-4000-8000-00000000c0de"
PREVIEW_ACS_ENDPOINT = "https://securescore-preview.communication.azure.com"
PREVIEW_SENDER = f"{ACS_SENDER}@preview.azurecomm.net"
PREVIEW_RUN_NAME = "local-preview"
HttpFaults = Callable[[str, HttpRequest], "dict[str, Any] | None"]


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


_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def kusto_type(values: list[Any]) -> str:
    """A column's type as the query API names them (bool, long, real, datetime, string), from its values."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "long"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "real"
    if present and all(isinstance(v, str) and _ISO_TIME.match(v) for v in present):
        return "datetime"
    return "string"


def query_api_body(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows as the Log Analytics query API returns them: one PrimaryResult table, positional rows."""
    columns = list(rows[0]) if rows else []
    return {
        "tables": [
            {
                "name": "PrimaryResult",
                "columns": [{"name": c, "type": kusto_type([r.get(c) for r in rows])} for c in columns],
                "rows": [[row.get(c) for c in columns] for row in rows],
            }
        ]
    }


def _error(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"statusCode": status, "headers": {}, "body": {"error": {"code": code, "message": message, **extra}}}


class LocalAzure:
    """Answers the zero-touch Http actions like the Log Analytics query API and ACS Email would.

    Stand-ins, shaped after Microsoft's published responses (docs/design.md, "Zero-touch mode"): a
    token for the wrong audience is refused (403 InvalidAuthenticationTokenAudience; 401 for ACS), a
    query for another workspace is 404, a repeated Operation-Id is the same send (no second email).
    """

    def __init__(self, source: DataSource, fail_query: str | None, record: LocalRun,
                 workspace_customer_id: str, acs_endpoint: str,
                 resource_graph: ResourceGraphStandIn | None = None) -> None:
        self.source = source
        self.resource_graph = resource_graph
        self.fail_query = fail_query
        self.record = record
        self.query_uri = f"{logs_http.QUERY_API}/{workspace_customer_id}/query"
        self.acs_endpoint = acs_endpoint.rstrip("/")
        self.operations: dict[str, str] = {}  # Operation-Id -> status

    def __call__(self, action: str, request: HttpRequest) -> dict[str, Any]:
        if request.method == "POST" and request.uri.startswith(logs_http.QUERY_API + "/"):
            return self._query(action, request)
        if request.method == "POST" and request.uri == f"{self.acs_endpoint}/emails:send":
            return self._send(action, request)
        operations = f"{self.acs_endpoint}/emails/operations/"
        if request.method == "GET" and request.uri.startswith(operations):
            return self._status(request, request.uri.removeprefix(operations))
        if self.resource_graph is not None and self.resource_graph.handles(request):
            return self.resource_graph(action, request)
        return no_http_answer(action, request)

    def _query(self, action: str, request: HttpRequest) -> dict[str, Any]:
        if request.audience != logs_http.QUERY_AUDIENCE:
            return _error(403, "InvalidAuthenticationTokenAudience",
                          f"The access token has been obtained from wrong audience or resource '{request.audience}'.")
        if request.uri != self.query_uri:
            return _error(404, "WorkspaceNotFoundError", f"Workspace not found: {request.uri}")
        kql = (request.body or {}).get("query") if isinstance(request.body, dict) else None
        if not isinstance(kql, str):
            return _error(400, "BadArgumentError", "The request had some invalid properties")
        name = action.removeprefix(QUERY_PREFIX)
        self.record.query_texts[name] = kql
        if name == self.fail_query:
            # The shape of a rejected query on the API's errors page ("Query syntax error").
            return _error(400, "BadArgumentError", "The request had some invalid properties",
                          innererror={"code": "SyntaxError",
                                      "message": f"Simulated failure of query '{name}' (--fail-query)"})
        rows = self.source.run_query(kql)
        self.record.query_results[name] = rows
        return {"statusCode": 200, "headers": {"Content-Type": "application/json; charset=utf-8"},
                "body": query_api_body(rows)}

    def _send(self, action: str, request: HttpRequest) -> dict[str, Any]:
        if request.audience != mail_acs.EMAIL_AUDIENCE:
            return _error(401, "Unauthorized", f"The token audience '{request.audience}' is not accepted.")
        operation = str(request.header("Operation-Id") or uuid.uuid4())
        body = request.body if isinstance(request.body, dict) else {}
        if operation not in self.operations:  # the same Operation-Id again is the same operation
            content, recipients = body.get("content") or {}, body.get("recipients") or {}
            self.record.emails.append(
                CapturedEmail(
                    to=tuple(r["address"] for r in recipients.get("to") or []),
                    subject=content.get("subject", ""),
                    html=content.get("html", ""),
                    importance=_importance(body.get("headers") or {}),
                    action=action,
                )
            )
            self.operations[operation] = "Succeeded"
        location = f"{self.acs_endpoint}/emails/operations/{operation}?api-version={mail_acs.EMAIL_API_VERSION}"
        return {"statusCode": 202, "headers": {"Operation-Location": location, "retry-after": "20"},
                "body": {"id": operation, "status": "Running"}}

    def _status(self, request: HttpRequest, operation: str) -> dict[str, Any]:
        if request.audience != mail_acs.EMAIL_AUDIENCE:
            return _error(401, "Unauthorized", f"The token audience '{request.audience}' is not accepted.")
        if operation not in self.operations:
            return _error(404, "NotFound", f"Operation {operation} was not found.")
        return {"statusCode": 200, "headers": {}, "body": {"id": operation, "status": self.operations[operation]}}


def _importance(headers: dict[str, Any]) -> str:
    """x-priority 1-2 High, 3 Normal, 4-5 Low (Microsoft's ACS sample); absent: Normal."""
    value = next((str(v).strip() for k, v in headers.items() if k.lower() in ("x-priority", "x-msmail-priority")), "3")
    return {"1": "High", "2": "High", "4": "Low", "5": "Low"}.get(value, "Normal")


def no_http_answer(action: str, request: HttpRequest) -> dict[str, Any]:
    """The default responder: the preview has no answer, so it stops rather than invent one."""
    raise UnsupportedConstructError(
        f"the emulator cannot run Http action '{action}': the preview has no answer for {request.method} {request.url}"
    )


class _RecordedHttp:
    def __init__(self, responder: HttpResponder, record: LocalRun, faults: HttpFaults | None) -> None:
        self.responder = responder
        self.record = record
        self.faults = faults

    def __call__(self, action: str, request: HttpRequest) -> dict[str, Any]:
        self.record.http_requests.append((action, request))
        if self.faults is not None:
            answer = self.faults(action, request)
            if answer is not None:
                return answer
        return self.responder(action, request)


def run_locally(
    settings: Settings,
    source: DataSource,
    now: datetime,
    *,
    fail_query: str | None = None,
    data_note: str = "",
    http: HttpResponder | None = None,
    http_faults: HttpFaults | None = None,
    membership: Sequence[Mapping[str, Any]] | None = None,
) -> LocalRun:
    """Execute the stack's workflow definition against `source` at the pinned time `now`.

    `http` answers the definition's Http actions (default: `LocalAzure`, which answers the query API,
    ACS Email and, in management-group mode, Resource Graph from `membership` or the source's
    `membership_rows`, and refuses anything else); `http_faults` is asked first and may answer instead.
    """
    definition = build_definition(settings)
    parameters: dict[str, Any] = {}
    if uses_connections(settings):
        parameters["$connections"] = connections_value(
            settings,
            logs_connection_id=LOCAL_CONNECTION_IDS[LOGS_API],
            office365_connection_id=LOCAL_CONNECTION_IDS[OFFICE365_API],
        )
    if settings.modes.logs_http:
        parameters[logs_http.WORKSPACE_PARAMETER] = PREVIEW_WORKSPACE_CUSTOMER_ID
    if settings.modes.mail_acs:
        parameters[mail_acs.ENDPOINT_PARAMETER] = PREVIEW_ACS_ENDPOINT
        parameters[mail_acs.SENDER_PARAMETER] = PREVIEW_SENDER
    if data_note:
        parameters["dataNote"] = data_note
    record = LocalRun(run=None)  # type: ignore[arg-type]  # filled in below
    graph = None
    if settings.scope is not None:
        rows = membership if membership is not None else getattr(source, "membership_rows", None)
        if rows is not None:
            graph = ResourceGraphStandIn(settings.scope.management_group_id, rows)
    responder = http or LocalAzure(source, fail_query, record, PREVIEW_WORKSPACE_CUSTOMER_ID, PREVIEW_ACS_ENDPOINT,
                                   graph)
    # guid() (the send's Operation-Id) is deterministic here: the same run gives the same bytes.
    guids = (uuid.uuid5(uuid.NAMESPACE_URL, f"urn:securescore-report:{PREVIEW_RUN_NAME}:{i}") for i in range(1 << 30))
    record.run = run_workflow(
        definition,
        parameters,
        _Connectors(source, fail_query, record),
        now,
        workflow_info={"name": settings.logic_app_name, "run": {"name": PREVIEW_RUN_NAME}},
        http=_RecordedHttp(responder, record, http_faults),
        guid_factory=lambda: next(guids),
    )
    return record
