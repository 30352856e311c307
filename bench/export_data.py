"""Large CSV exports shaped like the Log Analytics portal's "Export to CSV - all columns" of the
continuous-export tables, for the benchmarks (written to a temporary folder, never committed).

    python -m bench.export_data DIR --subscriptions 100 --days 90

What makes them real-shaped (see docs/design.md, "Local engine and performance"):
- every column of ``kql/tables.json``, in its order, datetime columns named ``"<Name> [UTC]"``;
- datetimes as the portal writes them, ``"7/18/2025, 12:26:46.737 PM"`` (UTC, milliseconds);
- the portal's quoting: a text value is quoted unless it is only letters and digits, numbers and
  booleans are bare, a null is an empty field, dynamic values are their JSON text;
- rows as continuous export writes them: per subscription, every 8-hour recalculation streams a
  row for each control whose score changed and a SecureScores row, and once a week a snapshot of
  every control and both initiatives (``IsSnapshot`` true, the subscription id in upper case for
  a third of the subscriptions, as some real exports have it);
- the default density (25 controls, a third of them changing per recalculation) gives about 31
  rows per subscription and day, about 600 bytes a row: 100 subscriptions x 90 days is about
  280,000 rows and 170 MB, the size the issue measured (270,000 rows, 160 MB).

The rows are computed by DuckDB (hash-based pseudo-random values, deterministic for a seed) and
written by its COPY, so 500 subscriptions x 90 days take seconds, not minutes.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from securescore.datasources.engine import table_schemas
from securescore.datasources.sample_data import OTHER_INITIATIVE, control_catalog
from securescore.settings import Settings

DEFAULT_CONTROLS = 25
DEFAULT_CHANGE_PROBABILITY = 1 / 3
DEFAULT_SEED = 20261123
SLOTS_PER_DAY = 3  # controls are recalculated every 8 hours
SNAPSHOT_SLOTS = 7 * SLOTS_PER_DAY  # weekly snapshot
TABLES = ("SecureScores", "SecureScoreControls")
PORTAL_DATETIME = "%-m/%-d/%Y, %-I:%M:%S.%g %p"
_NAMESPACE = uuid.UUID("0e5a3c2b-7d4f-4a61-9b0e-5f2d8c1a7e43")


@dataclass(frozen=True)
class ExportFiles:
    directory: Path
    rows: dict[str, int]
    bytes: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes.values())


def _quoted(expr: str) -> str:
    """The portal's quoting of a text value: bare when only letters and digits, else in quotes."""
    return (f"CASE WHEN ({expr}) IS NULL OR ({expr}) = '' THEN '' "
            f"WHEN regexp_full_match({expr}, '[A-Za-z0-9]+') THEN {expr} "
            f"ELSE '\"' || replace({expr}, '\"', '\"\"') || '\"' END")


def _field(expr: str, kql_type: str) -> str:
    if kql_type == "datetime":
        return f"coalesce('\"' || strftime({expr}, '{PORTAL_DATETIME}') || '\"', '')"
    if kql_type in ("real", "int", "long"):
        return f"coalesce(CAST({expr} AS VARCHAR), '')"
    if kql_type == "bool":
        return f"coalesce(CASE WHEN {expr} THEN 'true' ELSE 'false' END, '')"
    return _quoted(f"CAST({expr} AS VARCHAR)")


def header_line(table: str) -> str:
    names = [f"{c} [UTC]" if t == "datetime" else c for c, t in table_schemas()[table].items()]
    return ",".join(n if n.isalnum() else f'"{n}"' for n in names)


def _line(table: str, values: dict[str, str]) -> str:
    schema = table_schemas()[table]
    missing = set(schema) - set(values)
    if missing:
        raise AssertionError(f"no generated value for {table} column(s) {sorted(missing)}")
    return " || ',' || ".join(_field(values[c], t) for c, t in schema.items())


_COMMON = {
    "TenantId": "$tenant",
    "IsSnapshot": "is_snapshot",
    "Environment": "'Azure'",
    "SourceSystem": "'Azure'",
    "_ResourceId": "lower(resource_id)",
    "_SubscriptionId": "sub_id",
    "_IsBillable": "'True'",
    "AssessedResourceId": "resource_id",
    "SecureScoresSubscriptionId": "CASE WHEN is_snapshot AND i % 3 = 1 THEN upper(sub_id) ELSE sub_id END",
    "TimeGenerated": "t",
}

_SCORES = {
    **_COMMON,
    "Type": "'SecureScores'",
    "DisplayName": "display_name",
    "CurrentScore": "current",
    "MaxScore": "max_score",
    "PercentageScore": "percentage",
    "Weight": "weight",
    "Properties": ("json_object('displayName', display_name, 'score', json_object('max', max_score, "
                   "'current', current, 'percentage', percentage), 'weight', weight)"),
    "ResourceProviderType": "'Microsoft.Security/secureScores'",
    "_BilledSize": "640.0 + length(display_name)",
}

_CONTROLS = {
    **_COMMON,
    "Type": "'SecureScoreControls'",
    "ControlId": "control_id",
    "ControlName": "control_name",
    "ControlType": "'BuiltIn'",
    "Description": "description",
    "CurrentScore": "score",
    "MaxScore": "max_score",
    "PercentageScore": "CASE WHEN max_score > 0 THEN round(score / max_score, 4) ELSE 0.0 END",
    "Weight": "total",
    "HealthyResources": "total - unhealthy",
    "UnhealthyResources": "unhealthy",
    "NotApplicableResources": "not_applicable",
    "Properties": ("json_object('displayName', control_name, 'healthyResourceCount', total - unhealthy, "
                   "'unhealthyResourceCount', unhealthy, 'notApplicableResourceCount', not_applicable)"),
    "RecommendationResourceIds": "to_json(assessments)",
    "ResourceProviderType": "'Microsoft.Security/secureScores/secureScoreControls'",
    "_BilledSize": "900.0 + length(control_name)",
}

_SUBSCRIPTIONS = "SELECT unnest($subs) AS sub_id, generate_subscripts($subs, 1) AS i"
_SLOTS = "SELECT range AS k, (range % $snapshot_slots) AS slot_in_week FROM range($slots)"
# The moment of slot k for subscription i: each subscription at its own offset in the 8-hour cycle.
_TIME = "$start + to_seconds(k * 28800 + (i * 997) % 28800)"


def _controls_sql() -> str:
    return f"""
    WITH subs AS ({_SUBSCRIPTIONS}),
    ctl AS (SELECT unnest($cids) AS control_id, unnest($cnames) AS control_name, unnest($cmax) AS max_score,
                   unnest($cdesc) AS description, generate_subscripts($cids, 1) AS c),
    slots AS ({_SLOTS}),
    pairs AS (
        SELECT s.i, s.sub_id, ctl.*, 1 + hash($seed, s.i, ctl.c) % 200 AS total,
               hash($seed, s.i, ctl.c, 'na') % 6 AS not_applicable,
               [printf('/subscriptions/%s/providers/Microsoft.Security/assessments/%s', s.sub_id,
                       md5(ctl.control_id || n::VARCHAR)::UUID) FOR n IN range(1 + ctl.c % 2)] AS assessments,
               '/subscriptions/' || s.sub_id || '/providers/Microsoft.Security/secureScores/ascScore'
                   || '/secureScoreControls/' || ctl.control_id AS resource_id
        FROM subs s, ctl),
    events AS (
        SELECT pairs.*, k, slot_in_week = i % $snapshot_slots AS is_snapshot,
               hash($seed, i, c, k) AS h
        FROM pairs, slots),
    picked AS (
        SELECT *, h % (total + 1) AS unhealthy, {_TIME} + to_seconds(c) AS t
        FROM events WHERE is_snapshot OR h % 10000 < $change)
    SELECT *, round(max_score * (total - unhealthy) / total, 2) AS score FROM picked
    """


def _scores_sql() -> str:
    return f"""
    WITH subs AS ({_SUBSCRIPTIONS}),
    slots AS ({_SLOTS}),
    per_sub AS (SELECT *, 3 + hash($seed, i, 'weight') % 398 AS weight,
                       0.2 + 0.6 * (hash($seed, i, 'level') % 1000) / 1000 AS level FROM subs),
    events AS (SELECT per_sub.*, k, slot_in_week = i % $snapshot_slots AS is_snapshot FROM per_sub, slots),
    ours AS (
        SELECT *, $initiative AS display_name, $max_total AS max_score, 'ascScore' AS name,
               {_TIME} + INTERVAL 30 SECOND AS t,
               round($max_total * greatest(0, least(1, level + ((hash($seed, i, k) % 1000) / 1000 - 0.5) / 10)), 2)
                   AS current
        FROM events WHERE is_snapshot OR hash($seed, i, k, 'score') % 10000 < $score_change),
    other AS (
        SELECT *, $other AS display_name, 50 AS max_score, 'cisBenchmark' AS name,
               {_TIME} + INTERVAL 60 SECOND AS t, round(50 * (hash($seed, i, k, 'cis') % 1000) / 1000, 2) AS current
        FROM events WHERE is_snapshot),
    both_initiatives AS (SELECT * FROM ours UNION ALL SELECT * FROM other)
    SELECT *, round(current / max_score, 4) AS percentage,
           '/subscriptions/' || sub_id || '/providers/Microsoft.Security/secureScores/' || name AS resource_id
    FROM both_initiatives
    """


def write_exports(
    directory: Path, settings: Settings, now: datetime, days: int = 90, controls: int = DEFAULT_CONTROLS,
    change_probability: float = DEFAULT_CHANGE_PROBABILITY, seed: int = DEFAULT_SEED,
) -> ExportFiles:
    """SecureScores.csv and SecureScoreControls.csv in ``directory``, for the ``days`` before ``now``."""
    directory.mkdir(parents=True, exist_ok=True)
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    catalog = control_catalog(controls)
    slots = days * SLOTS_PER_DAY
    # Every slot's rows stay older than ``now``: the last slot starts 8 hours before it at the latest.
    start = (now - timedelta(days=days) - timedelta(minutes=2)).replace(tzinfo=None)
    params: dict[str, Any] = {
        "subs": [s.id for s in settings.subscriptions],
        "seed": seed,
        "slots": slots,
        "snapshot_slots": SNAPSHOT_SLOTS,
        "start": start,
        "tenant": str(uuid.uuid5(_NAMESPACE, settings.workspace.resource_id.lower())),
    }
    score_params = {**params, "initiative": settings.report.initiative_name, "other": OTHER_INITIATIVE,
                    "max_total": sum(c.max_score for c in catalog),
                    # A SecureScores row is streamed when any scored control of the subscription changed.
                    "score_change": round(10000 * (1 - (1 - change_probability) ** len(catalog)))}
    control_params = {**params, "cids": [c.control_id for c in catalog], "cnames": [c.name for c in catalog],
                      "cmax": [c.max_score for c in catalog], "cdesc": [c.description for c in catalog],
                      "change": round(10000 * change_probability)}
    jobs = {"SecureScores": (_scores_sql(), _SCORES, score_params),
            "SecureScoreControls": (_controls_sql(), _CONTROLS, control_params)}
    rows: dict[str, int] = {}
    sizes: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        for table, (sql, values, table_params) in jobs.items():
            path = directory / f"{table}.csv"
            lines = (f"SELECT 0 AS part, NULL AS t, $header AS line "
                     f"UNION ALL SELECT 1, t, {_line(table, values)} FROM ({sql})")
            # One text column, written as is: the lines carry the portal's own quoting.
            statement = (f"COPY (SELECT line FROM ({lines}) ORDER BY part, t) TO '{path}' "
                         "(FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')")
            used = {k: v for k, v in table_params.items() if f"${k}" in statement}
            con.execute(statement, {**used, "header": header_line(table)})
            rows[table] = con.execute(f"SELECT count(*) - 1 FROM read_csv('{path}', header=false, "
                                      "columns={'line': 'VARCHAR'}, delim='\x01', quote='', escape='')").fetchone()[0]
            sizes[table] = path.stat().st_size
    finally:
        con.close()
    return ExportFiles(directory, rows, sizes)


def main(argv: list[str] | None = None) -> int:
    from bench.common import REPORT_NOW, make_settings

    parser = argparse.ArgumentParser(prog="python -m bench.export_data", description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--subscriptions", type=int, default=100)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--controls", type=int, default=DEFAULT_CONTROLS)
    args = parser.parse_args(argv)
    files = write_exports(args.directory, make_settings(args.subscriptions), REPORT_NOW, args.days, args.controls)
    for table, count in files.rows.items():
        print(f"{files.directory / (table + '.csv')}: {count:,} rows, {files.bytes[table] / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
