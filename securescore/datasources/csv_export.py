"""CSV exports from the Log Analytics portal ("Export to CSV - all columns"), read by DuckDB's own CSV
reader into the local engine.

One file per table, named after it: SecureScores.csv and SecureScoreControls.csv are required, the
other tables of kql/tables.json (SecurityRecommendation.csv, from the Assessments export) are read
when their file is there. The portal names datetime columns "TimeGenerated [UTC]" and writes their
values like "11/21/2026, 10:00:00.000 AM" (UTC); ISO 8601 is accepted too (docs/design.md, "Local
engine and performance", cites what the portal writes).

How a file is read:
1. its header row, in Python: names matched to the table's columns (a " [UTC]"-like suffix dropped),
   the columns the report needs checked, an export of another table recognised;
2. one ``INSERT ... SELECT`` over ``read_csv`` with the header's columns as text (nothing sniffed),
   each typed by an SQL expression (``_typed``): DuckDB parses and converts in parallel, and no row
   passes through Python;
3. only when DuckDB refuses a cell, the file is read again as text to find the first bad cell and
   say where it is: file, line, column, value and what is accepted.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from securescore.datasources import REPORT_TABLES, REQUIRED_COLUMNS, EngineSource, SourceError
from securescore.datasources.engine import DUCKDB_TYPES, LocalEngine, table_schemas

_HEADER_SUFFIX = re.compile(r"\s*\[[^\]]*\]$")
ACCEPTED_DATETIMES = 'ISO 8601 ("2026-11-21T10:00:00Z") or the portal\'s "11/21/2026, 10:00:00.000 AM" (UTC)'
# The portal's form (month/day/year, 12-hour clock, milliseconds), with or without the comma and
# the fraction; %f takes up to 6 digits, %n up to 9 (Kusto writes 7).
PORTAL_DATETIME_FORMATS = tuple(
    f"%m/%d/%Y{comma} %I:%M:%S{fraction} %p" for comma in (",", "") for fraction in (".%f", ".%n", "")
)
_ACCEPTED = {
    "datetime": ACCEPTED_DATETIMES,
    "int": "a whole number",
    "long": "a whole number",
    "real": "a number",
    "bool": "true or false",
}
_RAW_TABLE = "__csv_text"


def parse_datetime(text: str) -> datetime:
    """A datetime cell of a CSV export, in UTC, as the reader converts it. Raises ValueError for anything else."""
    expression = _typed("$1", "datetime", strict=False)
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        value = con.execute(f"SELECT {expression}", [text]).fetchone()[0]  # type: ignore[index]
    if value is None:
        raise ValueError(f"{text!r} is not {ACCEPTED_DATETIMES}")
    return value.replace(tzinfo=UTC)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _typed(cell: str, kql_type: str, strict: bool) -> str:
    """SQL turning a text cell into the column's DuckDB type.

    strict: a bad cell raises (the load); not strict: a bad cell is NULL (finding it, see _diagnose).
    A blank cell is null. The same expression decides in both modes, so the two never disagree.
    """
    cast = "CAST" if strict else "TRY_CAST"
    text = f"NULLIF(trim({cell}), '')"
    if kql_type == "datetime":
        formats = "[" + ", ".join(_sql_text(f) for f in PORTAL_DATETIME_FORMATS) + "]"
        parse = "strptime" if strict else "try_strptime"
        return (f"CASE WHEN {text} IS NULL THEN NULL WHEN upper({text}) LIKE '%M' THEN {parse}({text}, {formats}) "
                f"ELSE timezone('UTC', {cast}({text} AS TIMESTAMPTZ)) END")
    if kql_type in ("int", "long"):
        # "5.0" is whole, "5.5" is not (DuckDB alone would round it): anything else with a dot fails.
        other = f"'not whole: ' || {text}" if strict else "NULL"
        whole = (f"CASE WHEN NOT contains({text}, '.') THEN {text} "
                 f"WHEN regexp_full_match({text}, '[+-]?[0-9]+\\.0*') THEN split_part({text}, '.', 1) "
                 f"ELSE {other} END")
        return f"{cast}({whole} AS {DUCKDB_TYPES[kql_type]})"
    if kql_type == "bool":
        fallback = f"CAST('not a bool: ' || {text} AS BOOLEAN)" if strict else "NULL"
        return (f"CASE lower({text}) WHEN 'true' THEN true WHEN 'false' THEN false WHEN '1' THEN true "
                f"WHEN '0' THEN false ELSE {fallback} END")
    if kql_type == "dynamic":
        # JSON text as compact JSON; anything else kept as a JSON string (Kusto's dynamic holds either).
        return f"CASE WHEN {cell} IS NULL THEN NULL ELSE coalesce(json(TRY_CAST({cell} AS JSON)), to_json({cell})) END"
    if kql_type in ("real", "timespan"):
        return f"{cast}({text} AS {DUCKDB_TYPES[kql_type]})"
    return cell  # string, guid: the text as exported


def _not_found(path: Path, table: str) -> SourceError:
    return SourceError(
        f"{path}: not found. Export the {table} table from Log Analytics (run `{table}` over the "
        f"last 90 days, Export > CSV (all columns)) and save it as {path.name}"
    )


def read_header(path: Path, table: str) -> list[str]:
    """The header's column names (suffixes such as " [UTC]" dropped); SourceError when the file cannot be this table."""
    if not path.is_file():
        raise _not_found(path, table)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header or not any(h.strip() for h in header):
        raise SourceError(f"{path}: empty file; expected a header row with the {table} columns")
    names = [_HEADER_SUFFIX.sub("", h.strip()) for h in header]
    required = REQUIRED_COLUMNS.get(table, ("TimeGenerated",))
    missing = [c for c in required if c not in names]
    if missing:
        others = [t for t, cols in REQUIRED_COLUMNS.items() if t != table and all(c in names for c in cols)]
        if others:
            raise SourceError(f"{path}: this is an export of {others[0]} (it has that table's columns, not "
                              f"{', '.join(missing)}); save it as {others[0]}.csv and export {table} as {path.name}")
        raise SourceError(
            f"{path}: missing column(s) {', '.join(missing)}; the report needs "
            f"{', '.join(required)} (header names as in Log Analytics, "
            f'"TimeGenerated [UTC]" accepted)'
        )
    return names


def _read_csv(path: Path, width: int) -> str:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    return (f"read_csv({_sql_text(str(path))}, header = true, auto_detect = false, columns = {columns}, "
            "delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8')")


def load_export(engine: LocalEngine, path: Path, table: str) -> int:
    """Append one export file to ``table``; returns its rows. SourceError for a file that is not right."""
    names = read_header(path, table)
    schema = engine.schemas[table]
    position = {}
    for i, name in enumerate(names):
        position.setdefault(name, i)  # a repeated name: the first one counts
    exprs = [_typed(f"c{position[c]}", t, strict=True) if c in position else "NULL" for c, t in schema.items()]
    before = engine.row_count(table)
    try:
        engine.insert_select(table, f"SELECT {', '.join(exprs)} FROM {_read_csv(path, len(names))}")
    except duckdb.Error as exc:
        raise _explain(engine, path, table, names, exc) from None
    _check_type_column(engine, path, table)
    return engine.row_count(table) - before


def _explain(engine: LocalEngine, path: Path, table: str, names: list[str], error: duckdb.Error) -> SourceError:
    message = str(error)
    if "CSV Error" in message:  # DuckDB's reader names the line itself (rows of the wrong width, bad quoting)
        line = re.search(r"Line: (\d+)", message)
        width = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
        where = f"line {line.group(1)}: " if line else ""
        what = (f"{width.group(2)} values where the header has {width.group(1)} columns" if width
                else message.splitlines()[0])
        return SourceError(f"{path}, {where}{what}; is this the CSV the portal exported, unedited?")
    found = _diagnose(engine, path, table, names)
    return found or SourceError(f"{path}: cannot be read as the {table} export: {message.splitlines()[0]}")


def _diagnose(engine: LocalEngine, path: Path, table: str, names: list[str]) -> SourceError | None:
    """The first bad cell (by line, then column) as a SourceError naming file, line, column and value."""
    schema = engine.schemas[table]
    typed = [(i, name, schema[name]) for i, name in enumerate(names) if schema.get(name, "string") in _ACCEPTED]
    con = engine.con
    con.execute("SET preserve_insertion_order = true")  # rowid = the record's place in the file
    try:
        con.execute(f"CREATE TEMP TABLE {_RAW_TABLE} AS SELECT * FROM {_read_csv(path, len(names))}")
        first: tuple[int, int, str, str] | None = None
        for i, name, kql_type in typed:
            bad = con.execute(
                f"SELECT rowid, c{i} FROM {_RAW_TABLE} WHERE NULLIF(trim(c{i}), '') IS NOT NULL "
                f"AND ({_typed(f'c{i}', kql_type, strict=False)}) IS NULL ORDER BY rowid LIMIT 1"
            ).fetchone()
            if bad is not None and (first is None or (bad[0], i) < first[:2]):
                first = (bad[0], i, name, bad[1])
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_RAW_TABLE}")
        con.execute("SET preserve_insertion_order = false")
    if first is None:
        return None
    record, _, name, text = first
    accepted = _ACCEPTED[schema[name]]
    return SourceError(f"{path}, line {_line_of_record(path, record)}, column {name}: {text!r} is not {accepted}")


def _line_of_record(path: Path, record: int) -> int:
    """The line where data record ``record`` (0-based, blank lines skipped as DuckDB does) starts."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        seen = -1
        while True:
            start = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                return start
            if cells:
                seen += 1
                if seen == record:
                    return start


def _check_type_column(engine: LocalEngine, path: Path, table: str) -> None:
    # Every Log Analytics row carries its table's name in Type: another name is another table's export.
    if "Type" not in engine.schemas[table]:
        return
    others = [r[0] for r in engine.con.execute(
        f'SELECT DISTINCT "Type" FROM "{table}" WHERE "Type" IS NOT NULL AND "Type" <> ? LIMIT 3', [table]
    ).fetchall()]
    if others:
        raise SourceError(f"{path}: rows of table {', '.join(sorted(others))} (column Type), not {table}; "
                          f"export {table} and save it as {path.name}")


class CsvSource(EngineSource):
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.engine = LocalEngine()
        self.rows: dict[str, int] = {}
        try:
            for table in table_schemas():
                path = self.directory / f"{table}.csv"
                if table in REPORT_TABLES or path.is_file():
                    self.rows[table] = load_export(self.engine, path, table)
        except BaseException:
            self.engine.close()
            raise
        self.warnings = []

    def describe(self) -> str:
        counts = ", ".join(f"{count} {name} rows" for name, count in self.rows.items())
        return f"CSV exports in {self.directory} ({counts})"
