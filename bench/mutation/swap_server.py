"""``python -m bench.mutation.swap_server JOB.json``: run the tests against mutated files, one fork per mutant.

Started by bench.mutation with the project copy as its working directory. It runs the tests once
unmutated (they must pass; their durations order the later runs, fastest first), then forgets every
module of the project while keeping pytest and the third-party libraries imported. For each mutant
it writes the mutated file into the copy and forks: the child imports the project afresh, so module
constants and templates are read as mutated, and runs the tests with ``-x``. The parent puts the
file back. Exit code 1 to 4 (tests failed; collection or import failed; internal error; conftest
failed to import, since the control run shows the command line is fine) is a kill; 0 a survivor;
past the time limit, a timeout.

The job is JSON: {"tests": [paths], "pytest_args": [...], "timeout": seconds, "results": path,
"mutants": [{"id", "file", "text", "focus": [parts of node ids run first]}]}. Results are written
as JSON lines {"id", "exit", "status", "seconds"}.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_PACKAGES = ("securescore", "tests", "conftest", "scripts")


class Durations:
    """pytest plugin: every collected test and its duration (setup + call + teardown)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.failed: list[str] = []

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration
        if report.failed:
            self.failed.append(report.nodeid)


def main(job_path: str) -> int:
    import pytest

    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    sys.dont_write_bytecode = True  # a mutated module must never leave a .pyc an unmutated run could pick up
    here = str(Path.cwd())
    sys.path[:] = [here] + [p for p in sys.path if p not in ("", here)]
    args = ["-q", "-p", "no:cacheprovider", "--rootdir=.", *job["pytest_args"]]

    durations = Durations()
    restore_logging = logging_state()
    code = pytest.main([*args, *job["tests"]], plugins=[durations])
    restore_logging()
    if code != 0:
        print(f"the tests fail without any mutant (pytest exit {code}): {durations.failed[:5]}", file=sys.stderr)
        return 1
    _forget_project_modules()
    order = sorted(durations.seconds, key=lambda nodeid: durations.seconds[nodeid])
    total = sum(durations.seconds.values())
    timeout = job["timeout"] or max(60.0, 3 * total + 30)
    print(f"baseline: {len(order)} tests in {total:.1f} s; time limit per mutant {timeout:.0f} s", flush=True)
    if job["mutants"]:  # a control: the unmutated file, forked like a mutant, must pass
        control = Path(job["mutants"][0]["file"])
        exit_code = _run_mutant(control, control.read_text(encoding="utf-8"), [*args, "-x", *order], timeout)
        if exit_code != 0:
            print(f"the unmutated {control} fails when forked (exit {exit_code}): rerun with MUTATION_DEBUG=1",
                  file=sys.stderr)
            return 1

    with open(job["results"], "a", encoding="utf-8") as results:
        for index, mutant in enumerate(job["mutants"], 1):
            focus = mutant.get("focus") or []
            first = [n for n in order if any(part in n for part in focus)]
            chosen = set(first)
            tests = first + [n for n in order if n not in chosen]
            started = time.monotonic()
            exit_code = _run_mutant(Path(mutant["file"]), mutant["text"], [*args, "-x", *tests], timeout)
            seconds = time.monotonic() - started
            status = _status(exit_code)
            results.write(json.dumps({"id": mutant["id"], "exit": exit_code, "status": status,
                                      "seconds": round(seconds, 2)}) + "\n")
            results.flush()
            print(f"[{index}/{len(job['mutants'])}] {status:<8} {seconds:5.1f} s  {mutant['id']}", flush=True)
    return 0


def logging_state() -> Callable[[], None]:
    """The logging module's process-wide state as it is now, and a function that puts it back.

    Forgetting the project's modules does not undo what they installed in the logging module, which
    stays imported. The helpers install a record factory (securescore.cli.common); after the baseline
    it is an instance of the forgotten module's class, so the module the fork imports afresh does not
    recognise it and wraps it, and the stale factory (with the baseline's last redactor) marks every
    record as redacted before the current one sees it: a secret is logged and the unmutated code fails
    when forked. The same goes for the loggers' levels and handlers the baseline's tests set. So the
    fork starts from the logging state a fresh process has, as the baseline did.
    """
    factory = logging.getLogRecordFactory()
    manager = logging.Logger.manager
    root = logging.getLogger()
    saved = {name: (logger.level, logger.disabled, logger.propagate, list(logger.handlers))
             for name, logger in [("", root), *manager.loggerDict.items()] if isinstance(logger, logging.Logger)}

    def restore() -> None:
        logging.setLogRecordFactory(factory)
        for name, logger in [("", root), *manager.loggerDict.items()]:
            if isinstance(logger, logging.Logger):
                level, disabled, propagate, handlers = saved.get(name, (logging.NOTSET, False, True, []))
                logger.setLevel(level)  # also empties the loggers' level caches
                logger.disabled, logger.propagate, logger.handlers = disabled, propagate, handlers

    return restore


def _forget_project_modules() -> None:
    """Every module loaded from the copy (the package, the tests under their own names, conftest), not this one."""
    here = str(Path.cwd()) + os.sep
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if name.split(".")[0] in PROJECT_PACKAGES or (path.startswith(here) and not name.startswith("bench")):
            del sys.modules[name]


def _run_mutant(path: Path, text: str, args: list[str], timeout: float) -> int | None:
    original = path.read_bytes()
    cached = Path(importlib.util.cache_from_source(str(path))) if path.suffix == ".py" else None
    try:
        path.write_text(text, encoding="utf-8")
        if cached is not None:
            cached.unlink(missing_ok=True)
        return _fork_and_test(args, timeout)
    finally:
        path.write_bytes(original)


def _fork_and_test(args: list[str], timeout: float) -> int | None:
    pid = os.fork()
    if pid == 0:  # the child: its own process group, so a timeout also ends what the tests started
        code = 3
        try:
            os.setpgid(0, 0)
            if not os.environ.get("MUTATION_DEBUG"):  # MUTATION_DEBUG=1 shows the tests' output
                quiet = os.open(os.devnull, os.O_WRONLY)
                os.dup2(quiet, 1)
                os.dup2(quiet, 2)
            import pytest

            code = int(pytest.main(args))
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.02)


def _status(exit_code: int | None) -> str:
    if exit_code is None:
        return "timeout"
    if exit_code in (1, 2, 3, 4):  # 4: a conftest or plugin failed to import (the control run had none)
        return "killed"
    if exit_code == 0:
        return "survived"
    if exit_code == 5:
        return "no tests"
    return "error"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
