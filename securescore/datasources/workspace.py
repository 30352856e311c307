"""A live Log Analytics workspace: the report's queries through the Log Analytics query API.

The request goes through azure-monitor-query's LogsQueryClient pipeline (sign-in, retries, the
run's network limits) with ``send_request``, and the JSON answer is used as it comes: the report
wants the connector's row shape (column -> JSON value, datetimes as the ISO text Log Analytics
sends), so the SDK's per-cell conversion to Python datetimes, and back, is skipped. The only per-row
work is zipping column names with values, plus number/boolean parsing for columns whose values
arrive as text (the spec's own example answers "1" for a long).

Shapes: Log Analytics query API v1 (azure-rest-api-specs specification/operationalinsights/
data-plane/Microsoft.OperationalInsights/stable/v1/OperationalInsights.json, example
oms-post-example.json): ``POST {endpoint}/v1/workspaces/{workspaceId}/query`` (or
``/v1{resourceId}/query``) with ``{"query": ...}``, answered ``{"tables": [{"name", "columns":
[{"name", "type"}], "rows": [[...]]}]}``, plus an ``error`` object beside the tables for a partial
result (code "PartialError"); failures answer ``{"error": {"code", "message", "innererror"}}``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from azure.core.exceptions import (
    ClientAuthenticationError,
    DecodeError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.rest import HttpRequest

from securescore.arm import DEFAULT_LIMITS, LOGS_ENDPOINT, NetworkLimits, unreachable_from
from securescore.cli.signin import explain_sign_in_error
from securescore.datasources import SourceError

LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893"


class WorkspaceQueryError(SourceError):
    """The query API answered with an error status; the message says what to do."""

    def __init__(self, message: str, status: int, code: str, detail: str) -> None:
        super().__init__(message)
        self.status, self.code, self.detail = status, code, detail


def build_logs_client(credential: Any, limits: NetworkLimits = DEFAULT_LIMITS, endpoint: str = LOGS_ENDPOINT,
                      transport: Any = None) -> Any:
    from azure.monitor.query import LogsQueryClient

    kwargs: dict[str, Any] = {"endpoint": endpoint, **limits.transport_kwargs()}
    if transport is not None:
        kwargs["transport"] = transport
    return LogsQueryClient(credential, **kwargs)


def query_path(workspace: str) -> str:
    """A workspace (customer) id GUID, or an ARM resource id ("/subscriptions/...")."""
    return f"{workspace.rstrip('/')}/query" if workspace.startswith("/") else f"/workspaces/{workspace}/query"


class WorkspaceSource:
    def __init__(
        self,
        workspace_id: str,
        credential: Any,
        client: Any = None,
        *,
        limits: NetworkLimits = DEFAULT_LIMITS,
        endpoint: str = LOGS_ENDPOINT,
        transport: Any = None,
    ) -> None:
        self.workspace_id = workspace_id
        self.limits = limits
        self.client = client if client is not None else build_logs_client(credential, limits, endpoint, transport)
        self.warnings: list[str] = []

    def describe(self) -> str:
        return f"Log Analytics workspace {self.workspace_id} (live)"

    def run_query(self, kql: str) -> list[dict[str, Any]]:
        request = HttpRequest("POST", query_path(self.workspace_id),  # relative to {endpoint}/v1
                              json={"query": kql},
                              headers={"Prefer": f"wait={self.limits.logs_server_timeout}"})
        started = time.monotonic()
        try:
            response = self.client.send_request(request)
            body = response.json() if response.content else None
        except ClientAuthenticationError as exc:
            raise SourceError(explain_sign_in_error(exc, self.limits).one_line()) from exc
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise unreachable_from(exc, "", time.monotonic() - started, self.limits) from exc
        except DecodeError as exc:  # a body that says JSON but is not (a proxy's error page)
            status = getattr(exc.response, "status_code", 0)
            raise WorkspaceQueryError(f"workspace {self.workspace_id}: HTTP {status}, and the answer is not the "
                                      "query API's JSON (a proxy in between?)", status, "", "") from exc
        except ValueError:
            body = None
        if response.status_code != 200:
            code, detail = _error_parts(body)
            raise WorkspaceQueryError(self._http_problem(response.status_code, body), response.status_code,
                                      code, detail)
        if not isinstance(body, Mapping):
            raise SourceError(f"workspace {self.workspace_id}: the query API answered without a JSON body")
        if isinstance(body.get("error"), Mapping):
            code, message = _error_parts(body)
            self.warnings.append(f"workspace {self.workspace_id} returned a partial result ({code}: {message}); "
                                 "the numbers below may be incomplete")
        tables = body.get("tables") or []
        return table_rows(tables[0]) if tables else []

    def _http_problem(self, status: int, body: Any) -> str:
        where = f"workspace {self.workspace_id}"
        code, message = _error_parts(body)
        if status == 429:
            return f"{where}: throttled (HTTP 429, too many queries); wait a minute and run again"
        if status == 403:
            return (f"{where}: access denied (HTTP 403{': ' + code if code else ''}); give your account the Log "
                    f"Analytics Reader role on the workspace (role {LOG_ANALYTICS_READER})")
        if status == 404:
            return (f"{where}: not found (HTTP 404{': ' + code if code else ''}); use the workspace id (a GUID) or "
                    "the workspace's full resource id")
        if status == 400:
            return f"{where}: the query was rejected (HTTP 400): {code + ': ' if code else ''}{message}"
        if status in (401,):
            return f"{where}: the token was refused (HTTP 401): {message}; sign in to the workspace's tenant"
        return f"{where}: query failed (HTTP {status}): {code + ': ' if code else ''}{message}"


def _error_parts(body: Any) -> tuple[str, str]:
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return "", "no details given"
    inner = error.get("innererror") if isinstance(error.get("innererror"), Mapping) else {}
    message = str(error.get("message") or "")
    detail = str(inner.get("message") or "") if inner else ""
    if detail and detail not in message:
        message = f"{message} ({detail})" if message else detail
    return str(error.get("code") or ""), message or "no details given"


def _number(kind: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = kind(value)
            except ValueError:
                return None
        if isinstance(value, float) and not math.isfinite(value):
            return None  # NaN / Infinity, as the local engine answers them
        return value
    return convert


def _boolean(value: Any) -> Any:
    return value.strip().lower() == "true" if isinstance(value, str) else value


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "long": _number(int), "int": _number(int), "real": _number(float), "decimal": _number(float),
    "bool": _boolean, "boolean": _boolean,
}


def table_rows(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A query API table as connector-shaped rows: {column: value}."""
    columns = table.get("columns") or []
    names = [str(c.get("name")) for c in columns]
    rows = [dict(zip(names, row, strict=False)) for row in table.get("rows") or []]
    converters = [(name, _CONVERTERS[str(c.get("type", "")).lower()]) for name, c in zip(names, columns, strict=True)
                  if str(c.get("type", "")).lower() in _CONVERTERS]
    for name, convert in converters:
        for row in rows:
            row[name] = convert(row[name])
    return rows
