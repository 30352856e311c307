"""Item 5: each report query on the local engine over N subscriptions x D days (one-off generation and load apart)."""

from __future__ import annotations

from typing import Any

from bench.common import REPORT_NOW, REPORT_NOW_TEXT, BenchConfig, ItemResult, make_settings, median, timed
from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample
from securescore.queries import render_queries


def measure(subscriptions: int, days: int, controls: int, repeats: int) -> dict[str, Any]:
    settings = make_settings(subscriptions)
    generation_s, tables = timed(lambda: generate_sample(settings, REPORT_NOW, days=days, controls=controls))
    load_s, engine = timed(lambda: LocalEngine(tables))
    table_rows = {table: len(rows) for table, rows in tables.items()}
    tables.clear()  # the engine holds its own copy; the row dicts would only slow the collections in timed()
    texts = render_queries(settings, REPORT_NOW_TEXT)
    per_query: dict[str, list[float]] = {name: [] for name in texts}  # the queries this stack runs
    first: dict[str, float] = {}
    result_rows: dict[str, int] = {}
    try:
        for name in texts:  # new texts: duckdb-kql translates each once, then the cache answers
            first[name] = timed(lambda n=name: engine.run(texts[n]))[0]
        for _ in range(repeats):  # round-robin over the queries, so drift spreads evenly
            for name in texts:
                seconds, rows = timed(lambda n=name: engine.run(texts[n]))
                per_query[name].append(seconds)
                result_rows[name] = len(rows)
    finally:
        engine.close()
    return {
        "subscriptions": subscriptions,
        "days": days,
        "controls": controls,
        "repeats": repeats,
        "rows": table_rows,
        "generation_s": generation_s,
        "load_s": load_s,
        "first_run_s": first,
        "query_s": per_query,
        "query_median_s": {name: median(times) for name, times in per_query.items()},
        "result_rows": result_rows,
    }


def run(config: BenchConfig) -> ItemResult:
    m = measure(config.query_subscriptions, config.query_days, config.query_controls,
                config.repeats(config.query_repeats))
    rows = [[f"query {name}", f"{m['query_median_s'][name]:.3f}", f"{m['first_run_s'][name]:.3f}",
             str(m["result_rows"][name]), str(m["repeats"])] for name in m["query_median_s"]]
    rows.append(["all queries (sum)", f"{sum(m['query_median_s'].values()):.3f}",
                 f"{sum(m['first_run_s'].values()):.3f}", "", ""])
    rows.append(["one-off: generate_sample", f"{m['generation_s']:.3f}", "", "", "1"])
    rows.append(["one-off: load into LocalEngine", f"{m['load_s']:.3f}", "", "", "1"])
    total_rows = ", ".join(f"{count:,} {table}" for table, count in m["rows"].items())
    return ItemResult(
        key="queries",
        title=f"Report queries on the local engine ({m['subscriptions']} subscriptions x {m['days']} days)",
        target="none (measurement)",
        header=["what", "seconds (median, cached)", "first run (translated)", "result rows", "runs"],
        rows=rows,
        passed=None,
        notes=[f"{m['controls']} controls per subscription: {total_rows} rows. Queries rendered by render_queries "
               "at the report time; each first run translates it with duckdb-kql (the bench starts with an empty "
               "translation cache), then the runs round-robin with the translation cached."],
        raw=m,
    )
