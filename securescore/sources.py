"""Where the preview's query answers come from: sample rows, portal CSV exports, a live workspace,
or the Secure Score REST API.

Every source has ``run_query(kql) -> list[dict]`` (rows in the azuremonitorlogs connector's JSON
shape, see ``securescore.local_engine``), ``describe() -> str`` and ``warnings`` (things the caller
should show: partial results, subscriptions without a secure score). Problems the user must fix
raise ``SourceError`` saying what and how.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from securescore.arm import (
    SECURITY_API_VERSION,
    ArmClient,
    ArmError,
    secure_score_controls_path,
    secure_scores_path,
)
from securescore.local_engine import LocalEngine, table_schemas, to_json_value
from securescore.sample_data import generate_sample
from securescore.settings import Settings

REPORT_TABLES = ("SecureScores", "SecureScoreControls")
# The columns the report queries read; the others of kql/tables.json may be absent from a CSV.
REQUIRED_COLUMNS = {
    "SecureScores": ("TimeGenerated", "SecureScoresSubscriptionId", "DisplayName", "CurrentScore",
                     "MaxScore", "PercentageScore", "Weight"),
    "SecureScoreControls": ("TimeGenerated", "SecureScoresSubscriptionId", "ControlId", "ControlName",
                            "CurrentScore", "MaxScore", "HealthyResources", "UnhealthyResources"),
}


class SourceError(RuntimeError):
    """A data source cannot answer; the message says what is wrong and what to do."""


class DataSource(Protocol):
    warnings: list[str]

    def run_query(self, kql: str) -> list[dict[str, Any]]: ...

    def describe(self) -> str: ...


class _EngineSource:
    """Shared by the sources that answer from rows held locally."""

    engine: LocalEngine
    warnings: list[str]

    def run_query(self, kql: str) -> list[dict[str, Any]]:
        return self.engine.run(kql)


# --- sample ----------------------------------------------------------------------------------


class SampleSource(_EngineSource):
    def __init__(self, settings: Settings, now: datetime) -> None:
        self.now = now
        self.tables = generate_sample(settings, now)
        self.engine = LocalEngine(self.tables)
        self.warnings = []

    def describe(self) -> str:
        counts = ", ".join(f"{len(rows)} {name} rows" for name, rows in self.tables.items())
        return f"sample data generated for {self.now:%Y-%m-%d %H:%M} UTC ({counts})"


# --- CSV exports from the Log Analytics portal -------------------------------------------------

# The portal's "Export to CSV" writes datetimes like "11/21/2026, 10:00:00.000 AM" (UTC) and
# names datetime columns "TimeGenerated [UTC]".
_PORTAL_DATETIME = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))? ?([AaPp][Mm])$"
)
_HEADER_SUFFIX = re.compile(r"\s*\[[^\]]*\]$")
ACCEPTED_DATETIMES = 'ISO 8601 ("2026-11-21T10:00:00Z") or the portal\'s "11/21/2026, 10:00:00.000 AM" (UTC)'


def parse_datetime(text: str) -> datetime:
    """A datetime cell of a CSV export, in UTC. Raises ValueError for anything else."""
    text = text.strip()
    match = _PORTAL_DATETIME.match(text)
    if match:
        month, day, year, hour, minute, second, fraction, ampm = match.groups()
        hour_24 = int(hour) % 12 + (12 if ampm.lower() == "pm" else 0)
        micro = int((fraction or "0").ljust(6, "0")[:6])
        return datetime(int(year), int(month), int(day), hour_24, int(minute), int(second), micro, tzinfo=UTC)
    iso = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))  # Kusto writes 7 digits
    moment = datetime.fromisoformat(iso)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _convert(kql_type: str, text: str) -> Any:
    if text == "":
        return None
    if kql_type == "datetime":
        return parse_datetime(text)
    if kql_type in ("int", "long"):
        return int(float(text)) if re.fullmatch(r"-?\d+(\.0*)?", text.strip()) else int(text)
    if kql_type == "real":
        return float(text)
    if kql_type == "bool":
        lowered = text.strip().lower()
        if lowered not in ("true", "false", "1", "0"):
            raise ValueError(text)
        return lowered in ("true", "1")
    if kql_type == "dynamic":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


_ACCEPTED = {
    "datetime": ACCEPTED_DATETIMES,
    "int": "a whole number",
    "long": "a whole number",
    "real": "a number",
    "bool": "true or false",
}


def read_export_csv(path: Path, table: str) -> list[dict[str, Any]]:
    """Rows of one portal CSV export, typed per kql/tables.json; SourceError on any problem."""
    schema = table_schemas()[table]
    if not path.is_file():
        raise SourceError(
            f"{path}: not found. Export the {table} table from Log Analytics (run `{table}` over the "
            f"last 90 days, Export > CSV (all columns)) and save it as {path.name}"
        )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise SourceError(f"{path}: empty file; expected a header row with the {table} columns")
        names = [_HEADER_SUFFIX.sub("", h.strip()) for h in header]
        missing = [c for c in REQUIRED_COLUMNS[table] if c not in names]
        if missing:
            raise SourceError(
                f"{path}: missing column(s) {', '.join(missing)}; the report needs "
                f"{', '.join(REQUIRED_COLUMNS[table])} (header names as in Log Analytics, "
                f'"TimeGenerated [UTC]" accepted)'
            )
        index = [(i, n, schema[n]) for i, n in enumerate(names) if n in schema]
        return [_typed_row(path, line_no, cells, index) for line_no, cells in enumerate(reader, start=2)
                if any(cells)]


def _typed_row(path: Path, line_no: int, cells: list[str], index: list[tuple[int, str, str]]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for i, name, kql_type in index:
        text = cells[i] if i < len(cells) else ""
        try:
            row[name] = _convert(kql_type, text)
        except ValueError:
            accepted = _ACCEPTED.get(kql_type, kql_type)
            raise SourceError(f"{path}, line {line_no}, column {name}: {text!r} is not {accepted}") from None
    return row


class CsvSource(_EngineSource):
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.tables = {t: read_export_csv(self.directory / f"{t}.csv", t) for t in REPORT_TABLES}
        self.engine = LocalEngine(self.tables)
        self.warnings = []

    def describe(self) -> str:
        counts = ", ".join(f"{len(rows)} {name} rows" for name, rows in self.tables.items())
        return f"CSV exports in {self.directory} ({counts})"


# --- a live Log Analytics workspace ----------------------------------------------------------


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


# --- the Secure Score REST API ---------------------------------------------------------------

HISTORY_NOTE = "The Secure Score API returns only the current state: no week-ago or trend history."


class ApiSource(_EngineSource):
    history_note = HISTORY_NOTE

    def __init__(
        self, settings: Settings, credential: Any, now: datetime, transport: Any = None, retry_total: int = 3
    ) -> None:
        self.settings, self.now = settings, now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
        self.warnings = []
        self.client = ArmClient(credential, transport, retry_total)
        self.tables: dict[str, list[dict[str, Any]]] = {t: [] for t in REPORT_TABLES}
        for sub in settings.subscriptions:
            self._load_subscription(sub.id)
        self.engine = LocalEngine(self.tables)

    def describe(self) -> str:
        return (f"Secure Score API (api-version {SECURITY_API_VERSION}) for "
                f"{len(self.settings.subscriptions)} subscription(s), read at {self.now:%Y-%m-%d %H:%M} UTC")

    def _load_subscription(self, sub_id: str) -> None:
        try:
            scores = self._fetch(secure_scores_path(sub_id), sub_id)
        except _NoSecureScore:
            self.warnings.append(f"subscription {sub_id}: no secure score (Defender for Cloud not enabled, "
                                 "or the subscription is disabled); it is reported without data")
            return
        controls = self._fetch(secure_score_controls_path(sub_id), sub_id, {"$expand": "definition"})
        self.tables["SecureScores"].extend(self._score_row(sub_id, s) for s in scores)
        self.tables["SecureScoreControls"].extend(self._control_row(sub_id, c) for c in controls)

    def _fetch(self, path: str, sub_id: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Every item of a Secure Score list (pages followed), with ARM errors told per subscription."""
        try:
            return list(self.client.list(path, SECURITY_API_VERSION, params=params))
        except ArmError as error:
            raise _explain(error, sub_id) from error

    def _common(self, sub_id: str, resource: Mapping[str, Any], table: str) -> dict[str, Any]:
        resource_id = resource.get("id", "")
        return {"TimeGenerated": self.now, "SecureScoresSubscriptionId": sub_id, "IsSnapshot": True,
                "AssessedResourceId": resource_id, "_ResourceId": resource_id.lower(), "_SubscriptionId": sub_id,
                "Environment": "Azure", "Type": table, "Properties": resource.get("properties")}

    def _score_row(self, sub_id: str, resource: Mapping[str, Any]) -> dict[str, Any]:
        props = resource.get("properties", {})
        score = props.get("score", {})
        return {**self._common(sub_id, resource, "SecureScores"),
                "DisplayName": props.get("displayName"), "CurrentScore": _number(score.get("current")),
                "MaxScore": _whole(score.get("max")), "PercentageScore": _number(score.get("percentage")),
                "Weight": _whole(props.get("weight"))}

    def _control_row(self, sub_id: str, resource: Mapping[str, Any]) -> dict[str, Any]:
        props = resource.get("properties", {})
        score = props.get("score", {})
        definition = props.get("definition") or {}
        return {**self._common(sub_id, resource, "SecureScoreControls"),
                "ControlId": resource.get("name"), "ControlName": props.get("displayName"),
                "ControlType": (definition.get("properties") or {}).get("source", {}).get("sourceType"),
                "Description": (definition.get("properties") or {}).get("description"),
                "CurrentScore": _number(score.get("current")), "MaxScore": _whole(score.get("max")),
                "PercentageScore": _number(score.get("percentage")), "Weight": _whole(props.get("weight")),
                "HealthyResources": _whole(props.get("healthyResourceCount")),
                "UnhealthyResources": _whole(props.get("unhealthyResourceCount")),
                "NotApplicableResources": _whole(props.get("notApplicableResourceCount")),
                "RecommendationResourceIds": [a.get("id") for a in
                                              (definition.get("properties") or {}).get("assessmentDefinitions", [])]}


def _explain(error: ArmError, sub_id: str) -> Exception:
    if error.status == 404 and "does not exist" in error.message:
        return _NoSecureScore(error.message)
    if error.status == 403:
        return SourceError(
            f"subscription {sub_id}: access denied (HTTP 403: {error.code}); give your "
            "account Reader or Security Reader on the subscription")
    if error.status == 401:
        return SourceError(f"subscription {sub_id}: not signed in (HTTP 401): {error.message}")
    if error.status == 429:
        return SourceError(f"subscription {sub_id}: throttled by Azure Resource Manager (HTTP 429); "
                           "wait a minute and run again")
    return SourceError(f"subscription {sub_id}: Secure Score API failed (HTTP {error.status}): {error.message}")


class _NoSecureScore(Exception):
    """404 "Secure score 'ascScore' does not exist": the subscription has no score to report."""


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _whole(value: Any) -> int | None:
    return None if value is None else int(value)
