"""CSV exports from the Log Analytics portal, answered by the local engine."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from securescore.datasources import REPORT_TABLES, REQUIRED_COLUMNS, EngineSource, SourceError
from securescore.datasources.engine import LocalEngine, table_schemas

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


class CsvSource(EngineSource):
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.tables = {t: read_export_csv(self.directory / f"{t}.csv", t) for t in REPORT_TABLES}
        self.engine = LocalEngine(self.tables)
        self.warnings = []

    def describe(self) -> str:
        counts = ", ".join(f"{len(rows)} {name} rows" for name, rows in self.tables.items())
        return f"CSV exports in {self.directory} ({counts})"
