"""Run the report's KQL locally: rows in an in-memory DuckDB, queried through duckdb-kql.

``LocalEngine(tables).run(kql)`` answers like the azuremonitorlogs connector does: a list of
``{column: value}`` dicts, datetimes as ISO 8601 UTC strings ending in ``Z``, NaN/inf as None,
Decimal as float, ints as ints.

Loading: duckdb's ``executemany`` inserts about 10k rows a second, far too slow for 500
subscriptions, and a temporary CSV spends seconds in ``csv.writer``. Without pyarrow or pandas the
fast path is columnar: each column bound as one Python list and ``unnest``-ed in a single INSERT
with explicit casts to the schema's types, so nothing is sniffed or guessed.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import duckdb_kql

TABLES_JSON = Path(__file__).resolve().parent.parent / "kql" / "tables.json"

# KQL type -> DuckDB column type. Datetimes are read as TIMESTAMPTZ (so an offset in the text is
# honoured) and stored as TIMESTAMP in UTC, which is what duckdb-kql expects of a KQL datetime.
DUCKDB_TYPES = {
    "datetime": "TIMESTAMP",
    "string": "VARCHAR",
    "real": "DOUBLE",
    "int": "INTEGER",
    "long": "BIGINT",
    "bool": "BOOLEAN",
    "dynamic": "JSON",
    "guid": "VARCHAR",
    "timespan": "INTERVAL",
}


class QueryError(RuntimeError):
    """A query the local engine could not run, with the reason in words."""


@cache
def table_schemas(path: Path = TABLES_JSON) -> dict[str, dict[str, str]]:
    """Table name -> {column: KQL type}, from kql/tables.json."""
    return json.loads(path.read_text(encoding="utf-8"))["tables"]


class LocalEngine:
    """An in-memory workspace holding the tables of ``kql/tables.json``, empty unless rows are given."""

    def __init__(
        self, tables: Mapping[str, Iterable[Mapping[str, Any]]], schemas: Mapping[str, Mapping[str, str]] | None = None
    ) -> None:
        self.schemas = dict(schemas or table_schemas())
        unknown = set(tables) - set(self.schemas)
        if unknown:
            raise ValueError(f"no schema for table(s) {sorted(unknown)}; known: {sorted(self.schemas)}")
        self.con = duckdb_kql.connect()
        # Millions of short-lived values and no cycles: the cyclic collector would rescan the
        # caller's row dicts over and over (it more than doubled the load time), so pause it.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for name, columns in self.schemas.items():
                self._load(name, columns, tables.get(name, ()))
        finally:
            if was_enabled:
                gc.enable()

    def close(self) -> None:
        self.con.close()

    def _load(self, name: str, columns: Mapping[str, str], rows: Iterable[Mapping[str, Any]]) -> None:
        create = ", ".join(f'"{c}" {DUCKDB_TYPES[t]}' for c, t in columns.items())
        self.con.execute(f'CREATE TABLE "{name}" ({create})')
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return
        # Column by column: a Python list bound as one parameter becomes a DuckDB LIST in C++,
        # and unnest() of several such lists zips them into rows. Datetimes arrive as
        # TIMESTAMPTZ and are cast to TIMESTAMP in the UTC session zone; dynamic values as text.
        values = [_column(rows, c, t) for c, t in columns.items()]
        select = ", ".join(
            f"CAST(unnest(${i}) AS {DUCKDB_TYPES[t]})" for i, t in enumerate(columns.values(), start=1)
        )
        try:
            self.con.execute(f'INSERT INTO "{name}" SELECT {select}', values)
        except duckdb.Error as exc:
            raise ValueError(f"rows of {name} do not fit its columns ({_column_types(columns)}): {exc}") from exc

    def row_count(self, table: str) -> int:
        return self.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]

    def run(self, kql: str) -> list[dict[str, Any]]:
        """Rows of the query's result, as the connector would return them."""
        try:
            relation = duckdb_kql.kql(self.con, kql)
            columns = relation.columns
            rows = relation.fetchall()
        except duckdb_kql.KqlUnsupportedError as exc:
            raise QueryError(f"the local engine (duckdb-kql) does not support this KQL: {exc}") from exc
        except duckdb_kql.KqlSyntaxError as exc:
            details = "; ".join(str(d) for d in exc.diagnostics) or str(exc)
            raise QueryError(f"KQL syntax error: {details}") from exc
        except duckdb_kql.KqlError as exc:
            raise QueryError(f"KQL error ({type(exc).__name__}): {exc}") from exc
        except duckdb.Error as exc:
            raise QueryError(f"the translated query failed in DuckDB ({type(exc).__name__}): {exc}") from exc
        return [{c: to_json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]


def _column_types(columns: Mapping[str, str]) -> str:
    return ", ".join(f"{c} {t}" for c, t in columns.items())


def _column(rows: list[Mapping[str, Any]], column: str, kql_type: str) -> list[Any]:
    """One column's values, each as DuckDB can take it."""
    try:
        values = [row[column] for row in rows]
    except KeyError:
        values = [row.get(column) for row in rows]  # a missing column is null
    if kql_type == "datetime":
        return [_datetime_value(v) for v in values]
    if kql_type == "dynamic":
        return _dynamic_texts(values)
    if kql_type in ("int", "long", "real") and not all(v is None or type(v) in (int, float) for v in values):
        # Strings from a CSV, say: let DuckDB's cast judge them (a bad one raises, naming the table).
        return [None if v is None else str(v) for v in values]
    return values


def _datetime_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Naive datetimes are UTC: Log Analytics has no other zone.
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value  # None, or ISO text DuckDB parses


def _dynamic_texts(values: list[Any]) -> list[str | None]:
    # Rows often share one list or dict object (say, a control's resource ids): dump each once.
    memo: dict[int, str] = {}
    out: list[str | None] = []
    for v in values:
        if v is None or isinstance(v, str):
            out.append(v)
            continue
        text = memo.get(id(v))
        if text is None:
            text = memo[id(v)] = json.dumps(v, separators=(",", ":"))
        out.append(text)
    return out


def iso_z(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, fractional seconds kept (trailing zeros dropped) when present."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def kql_timespan(value: dt.timedelta) -> str:
    """A timespan as Kusto prints it: [-][d.]hh:mm:ss[.fffffff]."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if value.days:
        text = f"{value.days}.{text}"
    if value.microseconds:
        text += f".{value.microseconds * 10:07d}"
    return sign + text


def to_json_value(value: Any) -> Any:
    """One result value in the connector's JSON shape."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return to_json_value(float(value))
    if isinstance(value, dt.datetime):
        return iso_z(value)
    if isinstance(value, dt.date):
        return value.isoformat() + "T00:00:00Z"
    if isinstance(value, dt.timedelta):
        return kql_timespan(value)
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    return str(value)  # UUID and anything else: its text
