"""KQL -> DuckDB SQL for the local engine, translated by duckdb-kql once and then cached.

Translating a report query costs 50-200 ms (duckdb-kql parses with ANTLR, and importing its parser
alone takes about 0.2 s), several times what DuckDB needs to run the SQL. The text does not change
between previews except for the report time, so each translation is kept:

- The query text is exactly the deployed text. Its ``datetime(<ISO 8601>)`` literals (outside
  strings and comments) become declared query parameters, ``declare query_parameters(__t0:datetime)``,
  whose values DuckDB binds at execution: the same text at another report time is the same
  translation. What is cached is keyed by that parameterised text, so any other change of the
  query text is a different key.
- The key also holds the versions of duckdb-kql and duckdb, the columns of every table the SQL
  can see, and ``CACHE_FORMAT``: an upgrade, a new column in kql/tables.json or a change of this
  module's format all miss the cache instead of reusing a stale translation.
- Entries live in memory for the process and as one JSON file each under the cache directory
  (``SECURESCORE_CACHE_DIR``, default ``$XDG_CACHE_HOME/securescore-report`` or
  ``~/.cache/securescore-report``; ``off`` keeps them in memory only). A missing, unreadable or
  unwritable cache only costs time: it is translated again.
- A query whose parameterised form does not translate to the same thing (a literal where KQL wants
  a constant) is translated as written and cached under its full text; SQL carrying a value bound
  at translation time (the clock pinned by ``set query_now``) is not cached at all. (``now()`` is
  fine: duckdb-kql translates it to DuckDB's clock, read when the SQL runs.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

CACHE_FORMAT = 1
CACHE_ENV = "SECURESCORE_CACHE_DIR"
CACHE_SUBDIR = "kql-sql"

# Comments and string literals are matched (and left alone) so that a datetime(...) inside them is
# never touched; only the last alternative is a literal to parameterise.
_TOKENS = re.compile(
    r"""//[^\n]*
      | ```.*?``` | ~~~.*?~~~
      | [hH]?@"(?:[^"]|"")*" | [hH]?@'(?:[^']|'')*'
      | [hH]?"(?:[^"\\\n]|\\.)*" | [hH]?'(?:[^'\\\n]|\\.)*'
      | \bdatetime\(\s*(?P<value>\d{4}-\d{2}-\d{2}(?:[T\ ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?Z?)\s*\)
    """,
    re.VERBOSE | re.DOTALL,
)
_PARAM_PREFIX = "__t"
# duckdb-kql reads the schema this way (duckdb_kql.engine.schema); the key uses the same rows.
_SCHEMA_SQL = (
    "SELECT table_catalog, table_name, column_name, data_type, current_database() "
    "FROM information_schema.columns ORDER BY table_catalog, table_name, ordinal_position"
)


class QueryError(RuntimeError):
    """A query the local engine could not run, with the reason in words."""


@dataclass(frozen=True)
class Prepared:
    """SQL ready for ``con.execute(sql, parameters)``."""

    sql: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Parameterised:
    """A query with its datetime literals as declared parameters: the cache key's text."""

    text: str
    values: dict[str, dt.datetime]  # parameter name -> value (naive UTC, as DuckDB binds it)
    literals: dict[str, str]  # parameter name -> the literal's text in the query


def parameterise(kql: str) -> Parameterised:
    """``kql`` with each distinct ``datetime(<ISO 8601>)`` literal outside strings and comments a parameter."""
    names: dict[str, str] = {}  # literal text -> parameter name

    def replace(match: re.Match[str]) -> str:
        text = match.group("value")
        if text is None:
            return match.group(0)
        return names.setdefault(text, f"{_PARAM_PREFIX}{len(names)}")

    body = _TOKENS.sub(replace, kql)
    if not names or any(name in kql for name in names.values()):  # a name already in the text: leave it
        return Parameterised(kql, {}, {})
    declare = ", ".join(f"{name}:datetime" for name in names.values())
    return Parameterised(
        f"declare query_parameters({declare}); {body}",
        {name: _literal_value(text) for text, name in names.items()},
        {name: text for text, name in names.items()},
    )


def _literal_value(text: str) -> dt.datetime:
    text = text.rstrip("Z")
    if "." in text:  # KQL has 100 ns ticks, DuckDB microseconds: keep six digits, as fromisoformat does
        head, fraction = text.split(".")
        text = f"{head}.{fraction[:6]}"
    return dt.datetime.fromisoformat(text)


def default_cache_dir() -> Path | None:
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return None if configured.strip().lower() in ("", "off") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "securescore-report"


def versions() -> dict[str, str]:
    """What a translation depends on besides the text: the two libraries' versions."""
    return {"duckdb": duckdb.__version__, "duckdb-kql": _duckdb_kql_version()}


def _duckdb_kql_version() -> str:
    # Without importing duckdb_kql (its import alone is ~0.2 s): the version file and the
    # dist-info folder of the installed package, or importlib.metadata as the slow fallback.
    spec = importlib.util.find_spec("duckdb_kql")
    if spec is None or not spec.submodule_search_locations:
        raise QueryError("duckdb-kql is not installed; run ./tasks.sh test or pip install -r requirements.lock")
    package = Path(next(iter(spec.submodule_search_locations)))
    parts = sorted(p.name for p in package.parent.glob("duckdb_kql-*.dist-info"))
    version_file = package / "_version.py"
    if version_file.is_file():
        parts.append(hashlib.sha256(version_file.read_bytes()).hexdigest()[:16])
    if not parts:
        from importlib.metadata import version

        parts.append(version("duckdb-kql"))
    return " ".join(parts)


def read_schema_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Every column of every table the SQL can see: part of the cache key."""
    return con.execute(_SCHEMA_SQL).fetchall()


class TranslationCache:
    """Translations by key, in memory and (when ``directory`` is set) one JSON file per entry."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory / CACHE_SUBDIR if directory else None
        self._memory: dict[str, dict[str, Any]] = {}
        self._versions: dict[str, str] | None = None
        self.hits = self.misses = 0

    def prepare(self, con: duckdb.DuckDBPyConnection, kql: str, schema_key: Sequence[Any] | None = None) -> Prepared:
        """The SQL for ``kql`` on ``con`` and the values to bind; QueryError when it cannot translate.

        ``schema_key``: the tables and columns the SQL can see, as JSON-able data; without it the
        catalog is read (``read_schema_rows``). A caller that owns its tables passes them, saving
        the catalog query.
        """
        form = parameterise(kql)
        schema = read_schema_rows(con) if schema_key is None else schema_key
        entry = self._get(self._key(form.text, schema))
        if entry is not None and entry.get("exact"):  # parameterised form refused: look up the text itself
            form = Parameterised(kql, {}, {})
            entry = self._get(self._key(kql, schema))
        values = form.values
        if entry is None:
            self.misses += 1
            entry = self._translate(con, kql, form, schema)
        else:
            self.hits += 1
        parameters = {slot: values[name] for slot, name in entry["slots"].items()}
        return Prepared(entry["sql"], {**parameters, **entry.get("bound", {})})

    def _translate(
        self, con: duckdb.DuckDBPyConnection, kql: str, form: Parameterised, schema: Sequence[Any]
    ) -> dict[str, Any]:
        import duckdb_kql
        from duckdb_kql.engine import schema as kql_tables

        tables = kql_tables(con)
        if form.values:
            entry = _parameterised_entry(duckdb_kql, con, form, tables)
            if entry is not None:
                self._put(self._key(form.text, schema), entry)
                return entry
            self._put(self._key(form.text, schema), {"exact": True})
        result = _to_sql(duckdb_kql, kql, tables, None)
        entry = {"sql": str(result), "slots": {}, "bound": result.parameters}
        if not result.parameters:  # values bound at translation (the clock) must not be reused
            self._put(self._key(kql, schema), {"sql": str(result), "slots": {}})
        return entry

    def _key(self, text: str, schema: Sequence[Any]) -> str:
        if self._versions is None:
            self._versions = versions()
        document = json.dumps([CACHE_FORMAT, self._versions, list(schema), text])
        return hashlib.sha256(document.encode("utf-8")).hexdigest()

    def _get(self, key: str) -> dict[str, Any] | None:
        entry = self._memory.get(key)
        if entry is None and self.directory is not None:
            try:
                entry = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
            if not isinstance(entry, dict) or not (entry.get("exact") or isinstance(entry.get("sql"), str)):
                return None
            entry.setdefault("slots", {})
            self._memory[key] = entry
        return entry

    def _put(self, key: str, entry: dict[str, Any]) -> None:
        self._memory[key] = entry
        if self.directory is None:
            return
        try:  # written whole then renamed: a reader never sees half a file
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.directory, suffix=".tmp",
                                             delete=False) as handle:
                json.dump(entry, handle)
            os.replace(handle.name, self.directory / f"{key}.json")
        except OSError:
            pass  # a read-only or full disk: the cache is only a speed-up


def _parameterised_entry(
    duckdb_kql: Any, con: duckdb.DuckDBPyConnection, form: Parameterised, tables: dict[str, list[str]]
) -> dict[str, Any] | None:
    """The translation of the parameterised text, or None when it is not equivalent to the literal one."""
    try:
        result = duckdb_kql.to_sql(form.text, schema=tables, parameters=form.values)
        # duckdb-kql must read each literal as the value bound in its place, to the microsecond.
        if any(duckdb_kql.kql(con, f"print t = datetime({form.literals[name]})").fetchall() != [(value,)]
               for name, value in form.values.items()):
            return None
    except (duckdb_kql.KqlError, duckdb.Error):
        return None
    slots = {d.slot: d.name for d in result.declarations}
    if result.unbound or set(result.parameters) - set(slots):
        return None  # something else (the clock) was bound at translation time
    return {"sql": str(result), "slots": {slot: slots[slot] for slot in result.parameters}}


def _to_sql(duckdb_kql: Any, kql: str, tables: dict[str, list[str]], parameters: dict[str, Any] | None) -> Any:
    """duckdb_kql.to_sql, its errors told as QueryError (the same words the engine always used)."""
    try:
        result = duckdb_kql.to_sql(kql, schema=tables, parameters=parameters)
    except duckdb_kql.KqlUnsupportedError as exc:
        raise QueryError(f"the local engine (duckdb-kql) does not support this KQL: {exc}") from exc
    except duckdb_kql.KqlSyntaxError as exc:
        details = "; ".join(str(d) for d in exc.diagnostics) or str(exc)
        raise QueryError(f"KQL syntax error: {details}") from exc
    except duckdb_kql.KqlError as exc:
        raise QueryError(f"KQL error ({type(exc).__name__}): {exc}") from exc
    if result.unbound:
        raise QueryError(f"KQL error (KqlSchemaError): declared query parameter(s) {', '.join(result.unbound)} "
                         "have no value and no default")
    return result


_DEFAULT: TranslationCache | None = None


def default_cache() -> TranslationCache:
    """The process-wide cache, in the directory ``SECURESCORE_CACHE_DIR`` names (read on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = TranslationCache(default_cache_dir())
    return _DEFAULT


def reset_default_cache() -> None:
    """Forget the process-wide cache, so that the next use reads ``SECURESCORE_CACHE_DIR`` again."""
    global _DEFAULT
    _DEFAULT = None
