"""The local engine's translation cache: same answers as translating every time, and never a stale entry."""

from __future__ import annotations

import json
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import duckdb
import duckdb_kql
import pytest

from securescore.datasources import translation
from securescore.datasources.engine import LocalEngine, table_schemas, to_json_value
from securescore.datasources.sample_data import generate_sample
from securescore.datasources.translation import TranslationCache, parameterise
from securescore.queries import render_queries
from securescore.settings import settings_from_stack
from tests.conftest import REPORT_NOW

REPORT_TIMES = ("2026-11-23T07:00:00.0000000Z", "2026-11-16T19:30:05.5Z")


def direct(engine: LocalEngine, kql: str) -> list[dict[str, object]]:
    """What the engine answered before the cache: duckdb-kql translating and running the text itself."""
    relation = duckdb_kql.kql(engine.con, kql)
    return [{c: to_json_value(v) for c, v in zip(relation.columns, row, strict=True)} for row in relation.fetchall()]


def sorted_rows(rows: list[dict[str, object]]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


@pytest.fixture(scope="module")
def sample_tables() -> dict[str, list[dict[str, object]]]:
    return generate_sample(settings_from_stack("example"), REPORT_NOW)


def test_every_report_query_answers_as_duckdb_kql_does_at_any_report_time(
    sample_tables: dict[str, list[dict[str, object]]], tmp_path: Path
) -> None:
    settings = settings_from_stack("example")
    cache = TranslationCache(tmp_path)
    engine = LocalEngine(sample_tables, translations=cache)
    for report_time in REPORT_TIMES:
        for name, kql in render_queries(settings, report_time).items():
            cached = engine.run(kql)
            assert sorted_rows(cached) == sorted_rows(direct(engine, kql)), (report_time, name)
            if "order by" in kql.rsplit("\n", 3)[-1]:
                assert cached == direct(engine, kql)
    # One translation per query at the first report time; the second is the same parameterised text.
    count = len(render_queries(settings, REPORT_TIMES[0]))
    assert (cache.misses, cache.hits) == (count, count)


def test_a_new_process_reads_the_translations_from_disk(
    sample_tables: dict[str, list[dict[str, object]]], tmp_path: Path
) -> None:
    queries = render_queries(settings_from_stack("example"), REPORT_TIMES[0])
    first = LocalEngine(sample_tables, translations=TranslationCache(tmp_path))
    answers = {name: first.run(kql) for name, kql in queries.items()}
    again = TranslationCache(tmp_path)  # nothing in memory: what a fresh process starts with
    second = LocalEngine(sample_tables, translations=again)
    assert {name: second.run(kql) for name, kql in queries.items()} == answers
    assert (again.misses, again.hits) == (0, len(queries))
    assert len(list((tmp_path / translation.CACHE_SUBDIR).glob("*.json"))) == len(queries)


def test_a_changed_query_text_is_translated_again(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path)
    engine = LocalEngine({"SecureScores": [{"TimeGenerated": REPORT_NOW, "Weight": 3}]}, translations=cache)
    assert engine.run("SecureScores | summarize n = sum(Weight)") == [{"n": 3}]
    assert engine.run("SecureScores | summarize n = count()") == [{"n": 1}]
    assert engine.run("SecureScores | summarize n = sum(Weight)") == [{"n": 3}]
    assert (cache.misses, cache.hits) == (2, 1)


@pytest.mark.parametrize("change", ["duckdb-kql", "duckdb", "format"])
def test_a_library_upgrade_or_a_new_cache_format_misses_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    kql = "print t = datetime(2026-11-23T07:00:00Z) + 1d"
    warm = TranslationCache(tmp_path)
    LocalEngine(translations=warm).run(kql)
    if change == "format":
        monkeypatch.setattr(translation, "CACHE_FORMAT", translation.CACHE_FORMAT + 1)
    else:
        installed = translation.versions()
        monkeypatch.setattr(translation, "versions", lambda: {**installed, change: installed[change] + ".post1"})
    later = TranslationCache(tmp_path)
    assert LocalEngine(translations=later).run(kql) == [{"t": "2026-11-24T07:00:00Z"}]
    assert (later.misses, later.hits) == (1, 0)


def test_the_version_key_follows_the_installed_packages() -> None:
    # importlib.metadata is the independent source of what is installed.
    assert version("duckdb-kql") in translation.versions()["duckdb-kql"]
    assert translation.versions()["duckdb"] == version("duckdb")


def test_other_table_columns_miss_the_cache(tmp_path: Path) -> None:
    kql = "SecureScores | project Weight"
    cache = TranslationCache(tmp_path)
    LocalEngine(translations=cache).run(kql)
    wider = {name: dict(columns) for name, columns in table_schemas().items()}
    wider["SecureScores"]["NewColumn"] = "string"
    LocalEngine(schemas=wider, translations=cache).run(kql)
    assert (cache.misses, cache.hits) == (2, 0)


def test_a_damaged_or_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    kql = "print x = 41 + 1"
    LocalEngine(translations=TranslationCache(tmp_path)).run(kql)
    (entry,) = (tmp_path / translation.CACHE_SUBDIR).glob("*.json")
    entry.write_text('{"sql": ', encoding="utf-8")
    damaged = TranslationCache(tmp_path)
    assert LocalEngine(translations=damaged).run(kql) == [{"x": 42}]
    assert damaged.misses == 1
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    assert LocalEngine(translations=TranslationCache(blocked)).run(kql) == [{"x": 42}]


def test_datetime_literals_become_parameters_outside_strings_and_comments() -> None:
    kql = ('// since datetime(2020-01-01)\n'
           'let T = datetime(2026-11-23T07:00:00.1234567Z);\n'
           'print a = T, b = datetime(2026-11-23T07:00:00.1234567Z), c = datetime(2026-01-02), '
           'd = "datetime(2026-01-03)", e = @"datetime(2026-01-04)"')
    form = parameterise(kql)
    assert form.text == (
        "declare query_parameters(__t0:datetime, __t1:datetime); // since datetime(2020-01-01)\n"
        "let T = __t0;\nprint a = T, b = __t0, c = __t1, "
        'd = "datetime(2026-01-03)", e = @"datetime(2026-01-04)"'
    )
    # Kusto keeps 100 ns ticks, DuckDB microseconds: the seventh digit goes, as Python's parser drops it.
    assert form.values == {"__t0": datetime(2026, 11, 23, 7, 0, 0, 123456), "__t1": datetime(2026, 1, 2)}
    assert parameterise("print x = 1") == translation.Parameterised("print x = 1", {}, {})


def test_parameterised_queries_answer_with_their_own_time(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path)
    engine = LocalEngine(translations=cache)
    template = 'print t = datetime({}) - 7d, s = "datetime(2000-01-01)"'
    assert engine.run(template.format("2026-11-23T07:00:00Z")) == [
        {"t": "2026-11-16T07:00:00Z", "s": "datetime(2000-01-01)"}]
    assert engine.run(template.format("2027-03-01T00:00:00.5Z")) == [
        {"t": "2027-02-22T00:00:00.5Z", "s": "datetime(2000-01-01)"}]
    assert (cache.misses, cache.hits) == (1, 1)


@pytest.mark.parametrize("kql", [
    "datatable(t: datetime) [datetime(2026-01-01), datetime(2026-01-02T03:04:05Z)] | order by t asc",
    "range t from datetime(2026-01-01) to datetime(2026-01-02) step 1d | order by t asc",
])
def test_literals_in_constant_positions_still_answer_right(tmp_path: Path, kql: str) -> None:
    cache = TranslationCache(tmp_path)
    engine = LocalEngine(translations=cache)
    first = engine.run(kql)
    assert first == direct(engine, kql) and len(first) == 2
    assert engine.run(kql) == first
    assert cache.hits == 1


def test_a_clock_pinned_at_translation_is_never_reused(tmp_path: Path) -> None:
    # duckdb-kql binds `set query_now` as a value at translation time: such SQL must not be cached.
    cache = TranslationCache(tmp_path)
    engine = LocalEngine(translations=cache)
    for day in ("2026-01-01", "2026-01-01", "2026-02-01"):
        kql = f"set query_now = datetime({day}T00:00:00Z); print t = now()"
        assert engine.run(kql) == [{"t": f"{day}T00:00:00Z"}]
    assert cache.hits == 0


def test_translation_errors_are_query_errors_with_the_same_words(tmp_path: Path) -> None:
    engine = LocalEngine(translations=TranslationCache(tmp_path))
    with pytest.raises(translation.QueryError, match="KQL syntax error"):
        engine.run("SecureScores | wherex")
    with pytest.raises(translation.QueryError, match="failed in DuckDB"):
        engine.run("SecureScores | where Nope == 1")
    assert isinstance(engine.con, duckdb.DuckDBPyConnection)


def test_queries_from_several_threads_answer_as_one_at_a_time(
    sample_tables: dict[str, list[dict[str, object]]], tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    queries = list(render_queries(settings_from_stack("example"), REPORT_TIMES[0]).values())
    engine = LocalEngine(sample_tables, translations=TranslationCache(tmp_path))
    alone = [engine.run(kql) for kql in queries]
    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(engine.run, queries * 2)) == alone * 2
