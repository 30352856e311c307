"""Item 4: ``python -m scripts.preview`` wall time in a fresh process, and its phases (bench.preview_phases)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPORT_NOW_TEXT, BenchConfig, ItemResult, median
from securescore.settings import PROJECT_ROOT

TARGET_SECONDS = 3.0
PHASES = ("imports", "settings", "sample_generation", "load", "queries", "workflow_and_rendering")


def _python(module: str, out: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", module, "--now", REPORT_NOW_TEXT, "--out", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"python -m {module} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, done.stdout


def measure(repeats: int) -> dict[str, Any]:
    walls: list[float] = []
    phase_runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        for _ in range(repeats):  # interleaved: the preview, then the instrumented phases
            walls.append(_python("scripts.preview", out)[0])
            wall, stdout = _python("bench.preview_phases", out)
            phases = json.loads(stdout)
            phases["interpreter_startup_and_exit"] = wall - phases["in_process_total"]
            phase_runs.append(phases)
    names = [*PHASES, "interpreter_startup_and_exit"]
    return {
        "repeats": repeats,
        "wall_s": walls,
        "median_s": median(walls),
        "phases_median_s": {n: median([p[n] for p in phase_runs]) for n in names},
        "phase_runs": phase_runs,
    }


def run(config: BenchConfig) -> ItemResult:
    m = measure(config.repeats(config.preview_repeats))
    rows = [["preview, fresh process (wall)", f"{m['median_s']:.3f}", str(m["repeats"]),
             "PASS" if m["median_s"] <= TARGET_SECONDS else "MISS"]]
    rows += [[f"  phase: {name.replace('_', ' ')}", f"{seconds:.3f}", str(m["repeats"]), ""]
             for name, seconds in m["phases_median_s"].items()]
    return ItemResult(
        key="preview_time",
        title="Preview wall time (example stack, sample data)",
        target=f"<= {TARGET_SECONDS:.0f} s",
        header=["what", "seconds (median)", "runs", "result"],
        rows=rows,
        passed=m["median_s"] <= TARGET_SECONDS,
        notes=[
            f"`python -m scripts.preview --now {REPORT_NOW_TEXT} --out <tmp>` in a fresh process per run.",
            "Phases from `python -m bench.preview_phases` (same steps, timed inside a fresh process, interleaved "
            "with the preview runs); 'interpreter startup and exit' = its wall time minus the time measured inside.",
        ],
        raw=m,
    )
