"""Item: ``python -m scripts.preview`` wall time in a fresh process against the bare interpreter start.

Per repeat, interleaved: the bare start (``python -c "import duckdb, jinja2, yaml"``: the interpreter
with the preview's main libraries), the preview with its translation cache warm, and the instrumented
phases (bench.preview_phases). The cold preview (an empty translation cache: every query translated
by duckdb-kql, as on the first preview after installing or changing a query) is measured apart.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.common import REPORT_NOW_TEXT, BenchConfig, ItemResult, median
from bench.processes import python
from securescore.datasources.translation import CACHE_ENV

TARGET_RATIO = 4.0
BARE_IMPORTS = "import duckdb, jinja2, yaml"
PHASES = ("imports", "settings", "sample_generation", "load", "queries", "workflow_and_rendering")


def _preview(module: str, out: Path, cache: Path) -> Any:
    return python("-m", module, "--now", REPORT_NOW_TEXT, "--out", str(out), env={CACHE_ENV: str(cache)})


def measure(repeats: int) -> dict[str, Any]:
    bare: list[float] = []
    warm: list[float] = []
    cold: list[float] = []
    phase_runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        out, cache = Path(tmp) / "report.html", Path(tmp) / "cache"
        for _ in range(repeats):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(_preview("scripts.preview", out, cache).seconds)  # fills the cache again
            bare.append(python("-c", BARE_IMPORTS).seconds)
            warm.append(_preview("scripts.preview", out, cache).seconds)
            run = _preview("bench.preview_phases", out, cache)
            phases = json.loads(run.stdout)
            phases["interpreter_startup_and_exit"] = run.seconds - phases["in_process_total"]
            phase_runs.append(phases)
    names = [*PHASES, "interpreter_startup_and_exit"]
    return {
        "repeats": repeats,
        "bare_s": bare,
        "wall_s": warm,
        "cold_s": cold,
        "bare_median_s": median(bare),
        "median_s": median(warm),
        "cold_median_s": median(cold),
        "ratio": median(warm) / median(bare),
        "cold_ratio": median(cold) / median(bare),
        "phases_median_s": {n: median([p[n] for p in phase_runs]) for n in names},
        "phase_runs": phase_runs,
    }


def run(config: BenchConfig) -> ItemResult:
    m = measure(config.repeats(config.preview_repeats))
    verdict = "PASS" if m["ratio"] <= TARGET_RATIO else "MISS"
    runs = str(m["repeats"])
    rows = [
        [f"bare start: python -c \"{BARE_IMPORTS}\"", f"{m['bare_median_s']:.3f}", "1.00", runs, ""],
        ["preview, fresh process (translations cached)", f"{m['median_s']:.3f}", f"{m['ratio']:.2f}", runs, verdict],
        ["preview, fresh process, empty translation cache", f"{m['cold_median_s']:.3f}", f"{m['cold_ratio']:.2f}",
         runs, ""],
    ]
    rows += [[f"  phase: {name.replace('_', ' ')}", f"{seconds:.3f}", "", runs, ""]
             for name, seconds in m["phases_median_s"].items()]
    return ItemResult(
        key="preview_time",
        title="Preview wall time (example stack, sample data) against the bare interpreter start",
        target=f"preview <= {TARGET_RATIO:.0f}x the bare start",
        header=["what", "seconds (median)", "x bare start", "runs", "result"],
        rows=rows,
        passed=m["ratio"] <= TARGET_RATIO,
        notes=[
            f"`python -m scripts.preview --now {REPORT_NOW_TEXT} --out <tmp>` in a fresh process per run, "
            f"interleaved with the bare start, each repeat: cold (empty {CACHE_ENV}), bare, warm, phases.",
            "Phases from `python -m bench.preview_phases` (same steps, timed inside a fresh process); 'interpreter "
            "startup and exit' = its wall time minus the time measured inside.",
        ],
        raw=m,
    )
