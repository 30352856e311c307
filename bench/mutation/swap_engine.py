"""Module constants and KQL templates: each mutant written into the area's copy, the tests run in a fork.

The forks come from bench.mutation.swap_server, started in the copy; this side sends the job and reads
the verdicts back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.mutation.areas import EXCLUDED_MARKERS
from bench.mutation.model import Mutant


@dataclass
class Swap:
    """One mutant to run: the Mutant it reports as, the file it replaces, the text, the tests to try first."""

    mutant: Mutant
    text: str
    focus: list[str]


def run(swaps: list[Swap], tree: Path, tests: list[str], log: Path, timeout: float | None = None) -> None:
    """Sets each mutant's status (and keeps the server's output in ``log``)."""
    if not swaps:
        return
    results = log.with_suffix(".results.jsonl")
    results.unlink(missing_ok=True)
    job = {
        "tests": tests,
        "pytest_args": ["-m", EXCLUDED_MARKERS],
        "timeout": timeout,
        "results": str(results),
        "mutants": [{"id": s.mutant.id, "file": s.mutant.file, "text": s.text, "focus": s.focus} for s in swaps],
    }
    job_file = log.with_suffix(".job.json")
    job_file.write_text(json.dumps(job), encoding="utf-8")
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen([sys.executable, "-m", "bench.mutation.swap_server", str(job_file)], cwd=tree,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert server.stdout is not None
        for line in server.stdout:
            out.write(line)
            out.flush()
            if _worth_showing(line):
                print(f"    {line.rstrip()}", flush=True)
        code = server.wait()
    if code != 0:
        raise RuntimeError(f"the mutation server failed (exit {code}); see {log}")
    verdicts = {}
    for line in results.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        verdicts[row["id"]] = row["status"]
    for swap in swaps:
        swap.mutant.status = verdicts.get(swap.mutant.id, "error")


def _worth_showing(line: str) -> bool:
    """Progress: the baseline, every mutant not killed, and every 20th."""
    if not line.startswith("["):
        return line.startswith("baseline") or "fail" in line
    index = line[1:].split("/", 1)[0]
    return " killed " not in line or (index.isdigit() and int(index) % 20 == 0)
