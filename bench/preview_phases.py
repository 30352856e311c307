"""Run the preview's phases in this (fresh) process, timing each; prints one JSON object.

    python -m bench.preview_phases --now 2026-11-23T07:00:00Z --out /tmp/report.html

Phases, as ``python -m scripts.preview`` (sample source, example stack) goes through them:
imports (the modules the preview loads), settings (the stack file), sample generation, load into the
local engine, queries (the six query actions, timed inside the run) and workflow (the rest of
run_locally: building the definition, walking the actions, rendering the HTML) plus writing the file.
"""

from __future__ import annotations

import time

_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


class _TimedSource:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.seconds = 0.0

    def run_query(self, kql: str) -> list[dict[str, Any]]:
        start = time.perf_counter()
        try:
            return self.engine.run(kql)
        finally:
            self.seconds += time.perf_counter() - start

    def describe(self) -> str:
        return "sample data"


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench.preview_phases")
    parser.add_argument("--now", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stack", default="example")
    args = parser.parse_args(argv)
    phases: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = now - mark
        mark = now

    import securescore.cli.preview as preview
    from securescore.datasources import sample  # noqa: F401 - the preview imports it for the sample source
    from securescore.datasources.engine import LocalEngine
    from securescore.datasources.sample_data import generate_sample

    lap("imports")
    settings = preview.load_settings(args)
    now = preview.parse_now(args.now)
    lap("settings")
    tables = generate_sample(settings, now)
    lap("sample_generation")
    source = _TimedSource(LocalEngine(tables))
    lap("load")
    result = preview.run_locally(settings, source, now)
    args.out.write_text(result.email.html, encoding="utf-8")
    lap("workflow_and_queries")
    phases["queries"] = source.seconds
    phases["workflow_and_rendering"] = phases.pop("workflow_and_queries") - source.seconds
    phases["in_process_total"] = time.perf_counter() - _START
    return phases


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
