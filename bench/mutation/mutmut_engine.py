"""Function bodies: mutmut 3.8.1 (patched, bench.mutation.mutmut_patched) in the area's project copy."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.mutation import model
from bench.mutation.areas import EXCLUDED_MARKERS, Area
from bench.mutation.model import Mutant
from bench.mutation.staging import ROOT

MUTMUT_VERSION = "3.8.1"
REQUIREMENTS = Path(__file__).with_name("requirements.txt")
STATUS = {"killed": model.KILLED, "survived": model.SURVIVED, "no tests": model.NO_TESTS, "timeout": model.TIMEOUT}


def ensure_mutmut() -> None:
    """mutmut is not in requirements.lock (the suite and CI do not need it): installed here, pinned, on first use."""
    try:
        if importlib.metadata.version("mutmut") == MUTMUT_VERSION:
            return
    except importlib.metadata.PackageNotFoundError:
        pass
    print(f"installing mutmut {MUTMUT_VERSION} ({REQUIREMENTS.relative_to(ROOT)}) into {sys.prefix}", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(REQUIREMENTS), "-c", str(ROOT / "requirements.lock")], check=True)


def configure(tree: Path, area: Area, files: list[str]) -> None:
    """mutmut reads its settings from pyproject.toml: the copy's gets a [tool.mutmut] table for the area."""
    top_level = sorted({p.name for p in tree.iterdir()} - {"securescore", "scripts", "mutants", "pyproject.toml"})
    table = {
        "source_paths": ["securescore", "scripts"],
        "only_mutate": files,
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-m", EXCLUDED_MARKERS, "-p", "bench.mutation.fresh_caches"],
        "pytest_add_cli_args_test_selection": area.test_files(tree),
        "also_copy": top_level,
        "use_git_change_detection": False,
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {_toml(value)}" for key, value in table.items()]
    with (tree / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write("\n".join(lines) + "\n")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # a list of strings is the same in JSON and TOML


def run(area: Area, files: list[str], tree: Path, jobs: int, log: Path,
        sample: int | None = None) -> tuple[list[Mutant], dict[str, Any], dict[str, str]]:
    """Every mutant with mutmut's verdict, mutmut's test map, and the mutated module of each one not killed.
    With ``sample``, only that many mutants (a fixed random choice) are run; the others are "not sampled"."""
    configure(tree, area, files)
    shutil.rmtree(tree / "mutants", ignore_errors=True)
    environment = dict(os.environ)
    if sample is not None:
        environment[model.SAMPLE_VARIABLE] = str(sample)
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run([sys.executable, "-m", "bench.mutation.mutmut_patched", "run", "--max-children",
                               str(jobs)], cwd=tree, stdout=out, stderr=subprocess.STDOUT, check=False,
                              env=environment)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"mutmut failed (exit {done.returncode}); the end of {log}:\n{tail}")
    dump = log.with_suffix(".json")
    subprocess.run([sys.executable, "-m", "bench.mutation.mutmut_patched", "dump", str(dump)], cwd=tree, check=True,
                   env=environment)
    data = json.loads(dump.read_text(encoding="utf-8"))
    texts = {row["name"]: row["text"] for row in data["mutants"] if row.get("text")}
    found = [_mutant(row, tree, sampled=sample is not None) for row in data["mutants"]]
    return found, data["stats"], texts


_NAME = re.compile(r"^(?P<module>.+)\.x(?:_|ǁ(?P<cls>[^ǁ]+)ǁ)(?P<function>.+)__mutmut_(?P<n>\d+)$")


def _mutant(row: dict[str, Any], tree: Path, sampled: bool = False) -> Mutant:
    match = _NAME.match(row["name"])
    where = row["name"]
    if match:
        where = f"{match['cls']}.{match['function']}" if match["cls"] else match["function"]
    removed = [line[1:].strip() for line in row["diff"].splitlines()
               if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in row["diff"].splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    status = STATUS.get(row["status"], model.ERROR)
    if sampled and row["status"] == "not checked":
        status = model.NOT_SAMPLED
    mutant = Mutant("mutmut", row["name"], row["file"], where, "mutmut", " / ".join(removed), " / ".join(added),
                    status=status)
    if status not in (model.KILLED, model.NOT_SAMPLED):
        mutant.line = _line_of(tree / row["file"], where, removed[0] if removed else "")
    if status == model.ERROR:
        mutant.notes.append(f"mutmut status {row['status']!r} (exit {row['exit']})")
    return mutant


def _line_of(path: Path, where: str, text: str) -> int | None:
    """The line of the original file the diff changes (mutmut diffs a function on its own)."""
    if not text or not path.is_file():
        return None
    source = path.read_text(encoding="utf-8")
    names = where.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == names[-1]:
            lines = source.splitlines()
            for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                if lines[number - 1].strip() == text:
                    return number
    return None


def function_key(name: str) -> str:
    """`pkg.module.x_function__mutmut_3` -> `pkg.module.x_function`, the key of mutmut's test map."""
    return name.partition("__mutmut_")[0]


def tests_by_function(stats: dict[str, Any]) -> dict[str, set[str]]:
    """mutmut's map of `module.x_function` / `module.xǁClassǁmethod` to the node ids of the tests that call it."""
    return {key: set(tests) for key, tests in stats.get("tests_by_mangled_function_name", {}).items()}
