"""The Log Analytics query API (data plane, v1), as azure-monitor-query's client reaches it.

Spec: azure-rest-api-specs specification/operationalinsights/data-plane/Microsoft.OperationalInsights/
stable/v1/OperationalInsights.json, example oms-post-example.json: ``{"tables": [{"name": "PrimaryResult",
"columns": [{"name", "type"}], "rows": [[...]]}]}`` - where longs and reals come as text ("1",
"1.286") and booleans as "true". Real answers carry JSON numbers and booleans (both are handled).
Errors and partial results: Microsoft Learn, "Azure Monitor Log Analytics API errors" (an ``error``
object with ``code``, ``message`` and nested ``innererror``; a partial result keeps its tables and
adds ``error`` with code "PartialError").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.transport import Canned, FakeResponse, Sent

LOGS_HOST = "api.loganalytics.io"


def query_answer(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]],
                 partial: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"tables": [{"name": "PrimaryResult",
                                        "columns": [{"name": n, "type": t} for n, t in columns],
                                        "rows": [list(r) for r in rows]}]}
    if partial:
        body["error"] = partial
    return body


def partial_error(message: str = "There were some errors when processing your query.") -> dict[str, Any]:
    return {"code": "PartialError", "message": message,
            "details": [{"code": "EngineError", "message": "Query exceeded the maximum allowed result size"}]}


def query_error(code: str, message: str, inner_code: str = "", inner_message: str = "") -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "code": code, "correlationId": "6b3d7c7d-0000-4000-8000-000000000000"}
    if inner_code or inner_message:
        error["innererror"] = {"code": inner_code, "message": inner_message}
    return {"error": error}


class FakeLogsTransport:
    """Answers ``POST /v1/workspaces/{id}/query`` and ``POST /v1{resourceId}/query``.

    ``answer(target, query) -> Canned``; ``target`` is the workspace id or the resource id.
    """

    def __init__(self, answer: Callable[[str, str], Canned], host: str = LOGS_HOST) -> None:
        self.answer, self.host = answer, host
        self.sent: list[Sent] = []

    def send(self, request: Any, **kwargs: Any) -> FakeResponse:
        parts = urlsplit(request.url)
        assert parts.scheme == "https" and parts.netloc == self.host, request.url
        assert request.headers.get("Authorization", "").startswith("Bearer "), "no bearer token"
        assert parts.path.startswith("/v1/") and parts.path.endswith("/query"), parts.path
        body = json.loads(request.content)
        self.sent.append(Sent(request.method, parts.path, {}, body, dict(request.headers)))
        target = parts.path[len("/v1"):-len("/query")]
        target = target[len("/workspaces/"):] if target.startswith("/workspaces/") else target
        canned = self.answer(target, body["query"])
        return FakeResponse(request, canned.status, canned.body, canned.headers)

    def open(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> FakeLogsTransport:
        return self

    def __exit__(self, *args: Any) -> None: ...
    def sleep(self, duration: float) -> None: ...


def _kql_type(values: list[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "bool"
    if kinds == {int}:
        return "long"
    if kinds and kinds <= {int, float}:
        return "real"
    return "string" if kinds == {str} else "dynamic"


def engine_answer(engine: Any) -> Callable[[str, str], Canned]:
    """Log Analytics stood in for by the local engine (the rows a test loads), answering in the query
    API's JSON: columns with their types, rows as arrays."""
    def answer(target: str, query: str) -> Canned:
        rows = engine.run(query)
        columns = list(rows[0]) if rows else []
        types = [_kql_type([row[c] for row in rows]) for c in columns]
        return Canned(200, query_answer(list(zip(columns, types, strict=True)),
                                        [[row[c] for c in columns] for row in rows]))
    return answer
