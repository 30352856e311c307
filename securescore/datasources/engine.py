"""Run the report's KQL locally: the tables of kql/tables.json in DuckDB, queried through duckdb-kql.

``LocalEngine(tables).run(kql)`` answers like the azuremonitorlogs connector does: a list of
``{column: value}`` dicts, datetimes as ISO 8601 UTC strings ending in ``Z``, NaN/inf as None,
Decimal as float, ints as ints.

Tables: every table of kql/tables.json is created, empty unless rows are given; rows come either as
Python dicts (``LocalEngine(tables)``, the sample and API sources) or from a SELECT that DuckDB runs
itself (``insert_select``, the CSV source reading files with DuckDB's CSV reader).

Queries: translated once by duckdb-kql and cached (``securescore.datasources.translation``), then
executed as SQL with the report time bound as a parameter.

Memory: DuckDB may use ``memory_limit`` (default 512 MB) and spills the rest to a temporary folder
removed on ``close()``; insertion order is not kept (a KQL table has none), which lets large
inserts stream instead of buffering.

Loading dicts: duckdb's ``executemany`` inserts about 10k rows a second, far too slow for 500
subscriptions, and a temporary CSV spends seconds in ``csv.writer``. Without pyarrow or pandas the
fast path is columnar: each column bound as one parameter and ``unnest``-ed in a single INSERT with
explicit casts to the schema's types, so nothing is sniffed or guessed (``_bound`` picks the
cheapest form of each column).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import math
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from securescore.datasources.translation import QueryError, TranslationCache, default_cache

__all__ = ["DUCKDB_TYPES", "LocalEngine", "QueryError", "iso_z", "kql_timespan", "table_schemas", "to_json_value"]

TABLES_JSON = Path(__file__).resolve().parent.parent / "kql" / "tables.json"
DEFAULT_MEMORY_LIMIT = "512MB"

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


@cache
def table_schemas(path: Path = TABLES_JSON) -> dict[str, dict[str, str]]:
    """Table name -> {column: KQL type}, from kql/tables.json."""
    return json.loads(path.read_text(encoding="utf-8"))["tables"]


def connect(memory_limit: str = DEFAULT_MEMORY_LIMIT) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """An in-memory DuckDB set up as duckdb-kql expects (UTC), and its spill folder."""
    spill = Path(tempfile.mkdtemp(prefix="securescore-duckdb-"))
    con = duckdb.connect(config={
        "memory_limit": memory_limit,
        "temp_directory": str(spill),
        "preserve_insertion_order": False,
    })
    # KQL datetimes are UTC; DuckDB reads the session zone when it casts text without an offset.
    # GLOBAL, so that every cursor (one per query, see run) starts in UTC too.
    con.execute("SET GLOBAL TimeZone = 'UTC'")
    return con, spill


class LocalEngine:
    """An in-memory workspace holding the tables of ``kql/tables.json``, empty unless rows are given."""

    def __init__(
        self,
        tables: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
        schemas: Mapping[str, Mapping[str, str]] | None = None,
        *,
        translations: TranslationCache | None = None,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
    ) -> None:
        tables = tables or {}
        self.schemas = dict(schemas or table_schemas())
        unknown = set(tables) - set(self.schemas)
        if unknown:
            raise ValueError(f"no schema for table(s) {sorted(unknown)}; known: {sorted(self.schemas)}")
        self.translations = translations or default_cache()
        self.con, spill = connect(memory_limit)
        self._cleanup = weakref.finalize(self, _close, self.con, spill)
        for name, columns in self.schemas.items():
            create = ", ".join(f'"{c}" {DUCKDB_TYPES[t]}' for c, t in columns.items())
            self.con.execute(f'CREATE TABLE "{name}" ({create})')
        # The tables are fixed from here on (rows come and go, columns do not): what the translation
        # cache keys on is their columns, known without asking the catalog.
        self._schema_key = [[t, [[c, DUCKDB_TYPES[k]] for c, k in cols.items()]] for t, cols in self.schemas.items()]
        # Millions of short-lived values and no cycles: the cyclic collector would rescan the
        # caller's row dicts over and over (it more than doubled the load time), so pause it.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for name, rows in tables.items():
                self.insert_rows(name, rows)
        finally:
            if was_enabled:
                gc.enable()

    def close(self) -> None:
        self._cleanup()

    def insert_rows(self, name: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append Python rows (dicts keyed by column; a missing key is null) to a table."""
        columns = self.schemas[name]
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return
        # Column by column, each bound as one parameter and unnest()-ed, the lists zipped into rows.
        # Binding a Python list costs about a microsecond a value (three for a datetime), so:
        # - a column holding one value throughout (the tenant, Type, ...) is bound once, as a scalar
        #   (the first column is always a list: it sets the row count);
        # - numbers, booleans and datetimes (as epoch microseconds) travel as one JSON array text,
        #   which DuckDB parses into a typed list several times faster;
        # - strings and dynamic values (as JSON text) stay lists.
        values: list[Any] = []
        select: list[str] = []
        for column, kql_type in columns.items():
            params, expression = _bound(_column(rows, column, kql_type), kql_type, first=not values)
            for param in params:
                values.append(param)
                expression = expression.replace("$?", f"${len(values)}", 1)
            select.append(expression)
        try:
            self.con.execute(f'INSERT INTO "{name}" SELECT {", ".join(select)}', values)
        except duckdb.Error as exc:
            raise ValueError(f"rows of {name} do not fit its columns ({_column_types(columns)}): {exc}") from exc

    def insert_select(self, name: str, select_sql: str) -> None:
        """Append the rows of a SELECT (one value per column of the table, in its order) that DuckDB runs."""
        columns = ", ".join(f'"{c}"' for c in self.schemas[name])
        self.con.execute(f'INSERT INTO "{name}" ({columns}) {select_sql}')

    def row_count(self, table: str) -> int:
        return self.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]

    def run(self, kql: str) -> list[dict[str, Any]]:
        """Rows of the query's result, as the connector would return them.

        Safe to call from several threads at once (each call has its own cursor), as a runner
        executing the workflow's parallel query actions concurrently would.
        """
        cursor = self.con.cursor()
        try:
            prepared = self.translations.prepare(cursor, kql, self._schema_key)
            try:
                cursor.execute(prepared.sql, prepared.parameters or None)
                columns = [d[0] for d in cursor.description or ()]
                rows = cursor.fetchall()
            except duckdb.Error as exc:
                raise QueryError(f"the translated query failed in DuckDB ({type(exc).__name__}): {exc}") from exc
        finally:
            cursor.close()
        return [{c: to_json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]


def _close(con: duckdb.DuckDBPyConnection, spill: Path) -> None:
    con.close()
    shutil.rmtree(spill, ignore_errors=True)


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


# One encoder for every value: json.dumps with separators builds a new one per call, 3x slower.
_compact_json = json.JSONEncoder(separators=(",", ":")).encode
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
# The Python types a JSON array may carry for a column type (bool is not an int here).
_JSON_TYPES = {"int": (int,), "long": (int,), "real": (int, float), "bool": (bool,)}


def _bound(values: list[Any], kql_type: str, first: bool) -> tuple[list[Any], str]:
    """The parameters for one column and the SELECT expression reading them ("$?" for each, in order)."""
    target = DUCKDB_TYPES[kql_type]
    single = None if first else _single_value(values)
    if single is not None:
        return [single[0]], f"CAST($? AS {target})"
    if kql_type == "datetime" and all(v is None or type(v) is dt.datetime for v in values):
        micros = [None if v is None else (v - _EPOCH) // _MICROSECOND for v in values]
        return [json.dumps(micros)], "make_timestamp(unnest(CAST($? AS BIGINT[])))"
    allowed = _JSON_TYPES.get(kql_type)
    if allowed and all(v is None or type(v) in allowed for v in values):
        try:
            return [json.dumps(values, allow_nan=False)], f"unnest(CAST($? AS {target}[]))"
        except ValueError:
            pass  # NaN or infinity, which JSON has no words for: the list takes them
    if kql_type in ("string", "guid", "dynamic") and all(v is None or type(v) is str for v in values):
        positions: dict[str | None, int] = {}
        indexes = [positions.setdefault(v, len(positions) + 1) for v in values]
        if len(positions) * 4 <= len(values):
            # Few distinct texts (names, ids, a control's resource list): each bound (and parsed) once,
            # the rows as positions in that list.
            return [list(positions), json.dumps(indexes)], \
                f"list_extract(CAST($? AS {target}[]), unnest(CAST($? AS INTEGER[])))"
        if kql_type == "dynamic" and None not in positions:
            # One JSON array text for the whole column: DuckDB splits it faster than it binds a list.
            return ["[" + ",".join(values) + "]"], "unnest(CAST($? AS JSON[]))"
    return [values], f"CAST(unnest($?) AS {target})"


def _single_value(values: list[Any]) -> tuple[Any] | None:
    """(v,) when every value is the same plain scalar v (None included), else None."""
    first = values[0]
    if type(first) not in (str, int, float, bool, type(None)):
        return None
    for v in values:
        if v is not first and (type(v) is not type(first) or v != first):
            return None
    return (first,)


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
            text = memo[id(v)] = _compact_json(v)
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
