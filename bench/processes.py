"""Fresh-process measurements: wall time and peak memory (max resident set size) of one command."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from securescore.settings import PROJECT_ROOT

MIB = 1024 * 1024


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_bytes: int  # ru_maxrss of the child: its own peak, not its children's
    stdout: str

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / MIB


def run_process(args: Sequence[str], env: Mapping[str, str] | None = None) -> ProcessRun:
    """Run ``args`` (cwd: the project root) and wait for it with wait4, which reports its rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(args), cwd=PROJECT_ROOT, stdout=out, stderr=err,
                                   env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}): "
                               f"{err.read().decode(errors='replace').strip()[-2000:]}")
        # Linux reports ru_maxrss in KiB (macOS in bytes).
        scale = 1 if sys.platform == "darwin" else 1024
        return ProcessRun(seconds, usage.ru_maxrss * scale, out.read().decode(errors="replace"))


def python(*args: str, env: Mapping[str, str] | None = None) -> ProcessRun:
    """``python <args>`` with this interpreter."""
    return run_process([sys.executable, *args], env)
