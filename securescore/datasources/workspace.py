"""A live Log Analytics workspace, through azure-monitor-query."""

from __future__ import annotations

from typing import Any

from securescore.datasources import SourceError
from securescore.datasources.engine import to_json_value


def logs_table_rows(table: Any) -> list[dict[str, Any]]:
    """A LogsTable's rows as connector-shaped dicts (the SDK has parsed datetimes already)."""
    return [{c: to_json_value(v) for c, v in zip(table.columns, row, strict=False)} for row in table.rows]


class WorkspaceSource:
    def __init__(self, workspace_id: str, credential: Any, client: Any = None) -> None:
        from azure.monitor.query import LogsQueryClient

        self.workspace_id = workspace_id
        self.client = client if client is not None else LogsQueryClient(credential)
        self.warnings: list[str] = []

    def describe(self) -> str:
        return f"Log Analytics workspace {self.workspace_id} (live)"

    def run_query(self, kql: str) -> list[dict[str, Any]]:
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
        from azure.monitor.query import LogsQueryPartialResult

        try:
            result = self.client.query_workspace(self.workspace_id, kql, timespan=None)
        except ClientAuthenticationError as exc:
            raise SourceError(f"could not sign in to query the workspace: {exc}. Run `az login` "
                              "(or set the AZURE_* variables) and try again") from exc
        except HttpResponseError as exc:
            raise SourceError(self._http_problem(exc)) from exc
        if isinstance(result, LogsQueryPartialResult):
            error = result.partial_error
            detail = f"{error.code}: {error.message}" if error else "no detail given"
            self.warnings.append(f"workspace {self.workspace_id} returned a partial result ({detail}); "
                                 "the numbers below may be incomplete")
            tables = result.partial_data or []
        else:
            tables = result.tables
        return logs_table_rows(tables[0]) if tables else []

    def _http_problem(self, exc: Any) -> str:
        status = getattr(exc, "status_code", None)
        where = f"workspace {self.workspace_id}"
        if status == 429:
            return f"{where}: throttled (HTTP 429, too many queries); wait a minute and run again"
        if status == 403:
            return (f"{where}: access denied (HTTP 403); give your account the Log Analytics Reader role "
                    "on the workspace (role 73c42c96-874c-492b-b04d-ab87d138a893)")
        if status == 404:
            return f"{where}: not found (HTTP 404); use the workspace id (a GUID), not its resource id"
        if status == 400:
            return f"{where}: the query was rejected (HTTP 400): {exc.message}"
        return f"{where}: query failed (HTTP {status}): {exc.message}"
