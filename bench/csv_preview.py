"""Item: the preview over large CSV exports (``--data DIR``) against DuckDB reading the same files.

For each size, bench.export_data writes SecureScores.csv and SecureScoreControls.csv as the portal
exports them (every column) into a temporary folder. Then, each in a fresh process and interleaved:
- the reference, ``python -m bench.duckdb_read <files>``: DuckDB's own read_csv into two tables;
- the preview, ``python -m bench.csv_preview_run`` (``scripts.preview --data DIR`` with N subscriptions).
The first preview of a size translates its queries (a new subscription list is a new query text)
and is reported apart as "cold"; the timed runs find them in the translation cache.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.common import REPORT_NOW, REPORT_NOW_TEXT, BenchConfig, ItemResult, make_settings, median
from bench.export_data import TABLES, write_exports
from bench.processes import MIB, python

TARGET_TIME_RATIO = 3.0
TARGET_MEMORY_RATIO = 2.0
TARGET_PEAK_BYTES = 1_000_000_000  # "under 1 GB" at the largest size


def _preview(subscriptions: int, data: Path, out: Path) -> Any:
    return python("-m", "bench.csv_preview_run", "--subscriptions", str(subscriptions), "--data", str(data),
                  "--now", REPORT_NOW_TEXT, "--out", str(out))


def measure(subscriptions: int, days: int, repeats: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="securescore-bench-csv-"))
    try:
        files = write_exports(tmp / "data", make_settings(subscriptions), REPORT_NOW, days)
        paths = [str(tmp / "data" / f"{t}.csv") for t in TABLES]
        out = tmp / "report.html"
        cold = _preview(subscriptions, tmp / "data", out)
        runs: dict[str, list[Any]] = {"duckdb": [], "preview": []}
        for i in range(repeats):  # interleaved, the order alternating
            order = [("duckdb", lambda: python("-m", "bench.duckdb_read", *paths)),
                     ("preview", lambda: _preview(subscriptions, tmp / "data", out))]
            for name, run in order if i % 2 == 0 else order[::-1]:
                runs[name].append(run())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    duck_s, prev_s = median([r.seconds for r in runs["duckdb"]]), median([r.seconds for r in runs["preview"]])
    duck_b = median([r.peak_bytes for r in runs["duckdb"]])
    prev_b = median([r.peak_bytes for r in runs["preview"]])
    return {
        "subscriptions": subscriptions, "days": days, "repeats": repeats,
        "rows": files.rows, "bytes": files.bytes,
        "duckdb_s": [r.seconds for r in runs["duckdb"]], "preview_s": [r.seconds for r in runs["preview"]],
        "duckdb_peak_bytes": [r.peak_bytes for r in runs["duckdb"]],
        "preview_peak_bytes": [r.peak_bytes for r in runs["preview"]],
        "duckdb_median_s": duck_s, "preview_median_s": prev_s, "time_ratio": prev_s / duck_s,
        "duckdb_median_peak_bytes": duck_b, "preview_median_peak_bytes": prev_b, "memory_ratio": prev_b / duck_b,
        "cold_preview_s": cold.seconds, "cold_preview_peak_bytes": cold.peak_bytes,
    }


def _passed(m: dict[str, Any], largest: bool) -> bool:
    ok = m["time_ratio"] <= TARGET_TIME_RATIO and m["memory_ratio"] <= TARGET_MEMORY_RATIO
    return ok and (not largest or max(m["preview_peak_bytes"]) < TARGET_PEAK_BYTES)


def _row(m: dict[str, Any], largest: bool) -> list[str]:
    return [
        f"{m['subscriptions']} x {m['days']} d",
        f"{sum(m['rows'].values()):,}",
        f"{sum(m['bytes'].values()) / 1e6:.0f} MB",
        f"{m['duckdb_median_s']:.2f}",
        f"{m['preview_median_s']:.2f}",
        f"{m['time_ratio']:.2f}",
        f"{m['duckdb_median_peak_bytes'] / MIB:.0f}",
        f"{m['preview_median_peak_bytes'] / MIB:.0f}",
        f"{m['memory_ratio']:.2f}",
        f"{m['cold_preview_s']:.2f}",
        str(m["repeats"]),
        "PASS" if _passed(m, largest) else "MISS",
    ]


def run(config: BenchConfig) -> ItemResult:
    sizes = [measure(n, config.csv_days, config.repeats(config.csv_repeats.get(n, 1))) for n in config.csv_sizes]
    largest = max(config.csv_sizes)
    return ItemResult(
        key="csv_preview",
        title="Preview over the portal's CSV exports (--data DIR) vs DuckDB reading the same files",
        target=(f"time <= {TARGET_TIME_RATIO:.0f}x and peak memory <= {TARGET_MEMORY_RATIO:.0f}x DuckDB's at every "
                f"size; peak < 1 GB at {largest} subscriptions"),
        header=["size", "rows", "CSV", "DuckDB s", "preview s", "time ratio", "DuckDB MiB", "preview MiB",
                "memory ratio", "cold preview s", "runs each", "result"],
        rows=[_row(m, m["subscriptions"] == largest) for m in sizes],
        passed=all(_passed(m, m["subscriptions"] == largest) for m in sizes),
        notes=[
            "Files from `python -m bench.export_data` (every column of kql/tables.json, portal header names, "
            "datetimes and quoting; 25 controls, a third of them changing per 8-hour recalculation).",
            "DuckDB = `python -m bench.duckdb_read <files>` (CREATE TABLE AS SELECT * FROM read_csv, sniffed); "
            f"preview = `python -m scripts.preview --data DIR --now {REPORT_NOW_TEXT}` with the stack's subscriptions "
            "replaced by N (`python -m bench.csv_preview_run`). Each a fresh process, interleaved; medians. "
            "Memory = the process's peak resident set size (wait4 ru_maxrss).",
            "Cold = the first preview of the size, translating its queries (then cached); not part of the ratios.",
        ],
        raw={"sizes": sizes},
    )
