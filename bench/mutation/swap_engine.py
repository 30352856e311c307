"""Module constants and KQL templates: each mutant written into the area's copy, the tests run in a fork.

The forks come from bench.mutation.swap_server, started in the copy; this side sends the job and reads
the verdicts back.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
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


def run(swaps: list[Swap], trees: list[Path], tests: list[str], log: Path, timeout: float | None = None) -> None:
    """Sets each mutant's status. One server per tree (a copy of the project each), the mutants dealt out
    between them; each server's output is kept in ``log`` (``log.N`` for the N-th extra one)."""
    if not swaps:
        return
    trees = trees[: max(1, min(len(trees), len(swaps) // 10))]  # a few mutants are not worth a second baseline
    chunks = [swaps[i:: len(trees)] for i in range(len(trees))]
    servers = []
    for index, (tree, chunk) in enumerate(zip(trees, chunks, strict=True)):
        name = log if index == 0 else log.with_name(f"{log.name}.{index}")
        servers.append(_start(chunk, tree, tests, name, timeout, prefix=f"{index + 1}:" if len(trees) > 1 else ""))
    threads = [threading.Thread(target=_follow, args=server[:3]) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    verdicts: dict[str, str] = {}
    for process, _, name, results in servers:
        if process.returncode != 0:
            raise RuntimeError(f"the mutation server failed (exit {process.returncode}); see {name}")
        for line in results.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            verdicts[row["id"]] = row["status"]
    for swap in swaps:
        swap.mutant.status = verdicts.get(swap.mutant.id, "error")


def _start(swaps: list[Swap], tree: Path, tests: list[str], log: Path, timeout: float | None,
           prefix: str) -> tuple[subprocess.Popen[str], str, Path, Path]:
    results = log.with_name(log.name + ".results.jsonl")
    results.unlink(missing_ok=True)
    job = {
        "tests": tests,
        "pytest_args": ["-m", EXCLUDED_MARKERS],
        "timeout": timeout,
        "results": str(results),
        "mutants": [{"id": s.mutant.id, "file": s.mutant.file, "text": s.text, "focus": s.focus} for s in swaps],
    }
    job_file = log.with_name(log.name + ".job.json")
    job_file.write_text(json.dumps(job), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "bench.mutation.swap_server", str(job_file)], cwd=tree,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return process, prefix, log, results


def _follow(process: subprocess.Popen[str], prefix: str, log: Path) -> None:
    assert process.stdout is not None
    with log.open("w", encoding="utf-8") as out:
        for line in process.stdout:
            out.write(line)
            out.flush()
            if _worth_showing(line):
                print(f"    {prefix}{line.rstrip()}", flush=True)
    process.wait()


def _worth_showing(line: str) -> bool:
    """Progress: the baseline, every mutant not killed, and every 20th."""
    if not line.startswith("["):
        return line.startswith("baseline") or "fail" in line
    index = line[1:].split("/", 1)[0]
    return " killed " not in line or (index.isdigit() and int(index) % 20 == 0)
