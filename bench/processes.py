"""Fresh-process measurements: wall time and peak memory (max resident set size) of one command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from securescore.settings import PROJECT_ROOT

MIB = 1024 * 1024


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_bytes: int  # ru_maxrss of the command (forked from bench.measure_child, so its own peak)
    stdout: str

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / MIB


def run_process(args: Sequence[str], env: Mapping[str, str] | None = None) -> ProcessRun:
    """Run ``args`` (cwd: the project root) through bench.measure_child, which times it and reads its rusage."""
    with tempfile.TemporaryDirectory() as tmp, open(f"{tmp}/out", "w+b") as out, open(f"{tmp}/err", "w+b") as err:
        result = f"{tmp}/result.json"
        done = subprocess.run([sys.executable, "-m", "bench.measure_child", result, "--", *args], cwd=PROJECT_ROOT,
                              stdout=out, stderr=err, env={**os.environ, **(env or {})}, check=False)
        out.seek(0)
        err.seek(0)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): "
                               f"{err.read().decode(errors='replace').strip()[-2000:]}")
        measured = json.loads(Path(result).read_text(encoding="utf-8"))
        # Linux reports ru_maxrss in KiB (macOS in bytes).
        scale = 1 if sys.platform == "darwin" else 1024
        return ProcessRun(measured["seconds"], measured["maxrss"] * scale, out.read().decode(errors="replace"))


def python(*args: str, env: Mapping[str, str] | None = None) -> ProcessRun:
    """``python <args>`` with this interpreter."""
    return run_process([sys.executable, *args], env)
