"""One area's mutation run: copy the project, run the engines, match the equivalents, write the report files."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.mutation import constants, kql_engine, model, mutmut_engine, swap_engine, wording
from bench.mutation.areas import Area
from bench.mutation.equivalent import EQUIVALENT, Equivalent
from bench.mutation.model import Mutant
from bench.mutation.staging import ROOT, area_dir, copy_project
from bench.mutation.swap_engine import Swap

ENGINES = ("mutmut", "constants", "kql")


@dataclass
class AreaResult:
    area: str
    mutants: list[Mutant]
    seconds: dict[str, float] = field(default_factory=dict)  # per engine
    unused_equivalents: list[Equivalent] = field(default_factory=list)

    def counts(self, engine: str | None = None) -> Counter[str]:
        return Counter(m.status for m in self.mutants if engine is None or m.engine == engine)


def run_area(area: Area, engines: tuple[str, ...], jobs: int, only: str = "", sample: int | None = None,
             keep: bool = False) -> AreaResult:
    """With ``sample``, each engine runs a fixed random choice of that many of its mutants (the rest are
    "not sampled"): an estimate of the area's kill rate, for areas too large to run whole in one sitting.
    With ``keep``, the last run's results of the engines not run now stay in the report."""
    work = area_dir(area.name)
    work.mkdir(parents=True, exist_ok=True)
    last = _last_results(work) if keep else AreaResult(area.name, [])
    kept = [m for m in last.mutants if m.engine not in engines]
    tree = copy_project(work / "tree")
    # The engines that write mutants into a copy run one server per copy: as many copies as jobs.
    trees = [tree] + [copy_project(work / f"tree-{i}") for i in range(2, jobs + 1)]
    result = AreaResult(area.name, kept, {e: t for e, t in last.seconds.items() if e not in engines})
    stats: dict = {}
    tests = area.test_files(tree)
    python, kql = area.python_files(tree, only), area.kql_files(tree, only)
    print(f"== {area.name}: {len(python)} Python files, {len(kql)} templates, "
          f"{len(tests)} test files", flush=True)

    if "mutmut" in engines and python:
        started = time.monotonic()
        print("-- mutmut (function bodies)", flush=True)
        mutmut_engine.ensure_mutmut()
        found, stats, texts = mutmut_engine.run(area, python, tree, jobs, work / "mutmut.log", sample)
        _print_counts("mutmut", found)
        recheck(found, texts, trees, python, tests, stats, work / "mutmut-recheck.log")
        result.mutants += found
        result.seconds["mutmut"] = time.monotonic() - started
        _print_counts("mutmut + fresh-process recheck", found)
        write_reports(result, work)  # kept if a later engine fails

    if "constants" in engines and python:
        started = time.monotonic()
        print("-- module constants", flush=True)
        swaps = constant_swaps(python, tree, mutmut_engine.tests_by_function(stats))
        swap_engine.run(_sampled(swaps, sample), trees, tests, work / "constants.log")
        result.mutants += [s.mutant for s in swaps]
        result.seconds["constants"] = time.monotonic() - started
        _print_counts("constants", [s.mutant for s in swaps])
        write_reports(result, work)

    if "kql" in engines and kql:
        started = time.monotonic()
        print("-- KQL templates", flush=True)
        swaps = kql_engine.swaps(kql, tree)
        chosen = _sampled(swaps, sample)
        invalid = kql_engine.mark_kusto_invalid(chosen, tree / "securescore" / "kql")
        print(f"    {len(chosen)} of {len(swaps)} mutants run, {invalid} of them rejected by Kusto's parser",
              flush=True)
        swap_engine.run(chosen, trees, tests, work / "kql.log")
        result.mutants += [s.mutant for s in swaps]
        result.seconds["kql"] = time.monotonic() - started
        _print_counts("kql", [s.mutant for s in swaps])

    result.unused_equivalents = mark_equivalents(result.mutants, tree)
    write_reports(result, work)
    return result


def _sampled(swaps: list[Swap], size: int | None) -> list[Swap]:
    """The swaps to run; those left out of the sample are marked "not sampled"."""
    chosen = model.sample(swaps, size)
    if len(chosen) < len(swaps):
        picked = {id(s) for s in chosen}
        for swap in swaps:
            if id(swap) not in picked:
                swap.mutant.status = model.NOT_SAMPLED
    return chosen


def recheck(found: list[Mutant], texts: dict[str, str], trees: list[Path], files: list[str], tests: list[str],
            stats: dict, log: Path) -> None:
    """Survivors in functions that run at import, once more, each in a fresh process.

    mutmut runs a mutant in a fork of a process that has imported everything already, so a mutant of
    a function that only runs at import (`_chars` building the naming rules, the registry's
    `function`) cannot show there. A fresh import can show it.
    """
    at_import = import_time_functions(trees[0], files, tests, log.with_suffix(".functions.json"))
    tests_by = mutmut_engine.tests_by_function(stats)
    swaps = [Swap(m, texts[m.id], sorted(tests_by.get(mutmut_engine.function_key(m.id), ())))
             for m in found
             if m.status in model.MISSED and m.id in texts and mutmut_engine.function_key(m.id) in at_import]
    if not swaps:
        return
    print(f"    rechecking {len(swaps)} survivors in functions that run at import, each in a fresh process", flush=True)
    before = {s.mutant.id: s.mutant.status for s in swaps}
    swap_engine.run(swaps, trees, tests, log)
    for swap in swaps:
        swap.mutant.notes.append(f"runs at import; mutmut: {before[swap.mutant.id]}; fresh process: "
                                 f"{swap.mutant.status}")


def import_time_functions(tree: Path, files: list[str], tests: list[str], out: Path) -> set[str]:
    subprocess.run([sys.executable, "-m", "bench.mutation.import_probe", str(out), *files, "--", *tests],
                   cwd=tree, check=True, stdout=subprocess.DEVNULL)
    return set(json.loads(out.read_text(encoding="utf-8")))


def constant_swaps(files: list[str], tree: Path, tests_by_function: dict[str, set[str]]) -> list[Swap]:
    made: list[Swap] = []
    for file in files:
        text = (tree / file).read_text(encoding="utf-8")
        module = file.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        users = _users_of_names(text)
        seen: Counter[tuple[int, str]] = Counter()
        for found in constants.mutants(file, text):
            seen[(found.line, found.operator)] += 1
            mutant = Mutant("constants", f"{file}:{found.line}:{found.operator}:{seen[(found.line, found.operator)]}",
                            file, found.where, found.operator, found.before, found.after, line=found.line)
            focus = _focus(module, found, text, users, tests_by_function)
            made.append(Swap(mutant, found.text, focus))
    return made


def _users_of_names(text: str) -> dict[str, set[str]]:
    """Each module-level name -> the functions (mangled as mutmut names them) that mention it."""
    users: dict[str, set[str]] = {}
    tree = ast.parse(text)

    def visit(function: ast.AST, key: str) -> None:
        for node in ast.walk(function):
            if isinstance(node, ast.Name):
                users.setdefault(node.id, set()).add(key)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            visit(node, f"x_{node.name}")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    visit(item, f"xǁ{node.name}ǁ{item.name}")
                    users.setdefault(node.name, set()).add(f"xǁ{node.name}ǁ{item.name}")
    return users


def _focus(module: str, found: constants.ConstantMutant, text: str, users: dict[str, set[str]],
           tests_by_function: dict[str, set[str]]) -> list[str]:
    """The tests that call a function using the mutated value: tried first (then every other test of the area)."""
    if not tests_by_function:
        return []
    keys: set[str] = set()
    if found.where.startswith("@"):
        keys.add(f"x_{found.where[1:]}")
    elif found.where != "module":
        keys |= users.get(found.where, set())
    else:
        statement = _statement_at(text, found.line)
        for name in _assigned_names(statement):
            keys |= users.get(name, set())
    tests: set[str] = set()
    for key in keys:
        tests |= tests_by_function.get(f"{module}.{key}", set())
    if not tests:  # no function of the module names it: every test that reaches the module
        for key, found_tests in tests_by_function.items():
            if key.startswith(module + ".x"):
                tests |= found_tests
    return sorted(tests)


def _statement_at(text: str, line: int) -> ast.stmt | None:
    for statement in ast.parse(text).body:
        if statement.lineno <= line <= (statement.end_lineno or statement.lineno):
            return statement
    return None


def _assigned_names(statement: ast.stmt | None) -> list[str]:
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target.id]
    return []


def mark_equivalents(mutants: list[Mutant], tree: Path) -> list[Equivalent]:
    """Survivors that only reword a message (bench/mutation/wording.py) or that an entry of
    bench/mutation/equivalent/ explains become "equivalent"; returns the entries that matched nothing."""
    used: set[Equivalent] = set()
    for mutant in mutants:
        if mutant.status == model.EQUIVALENT:  # classified by an earlier run: start again from the tests' verdict
            mutant.status = mutant.verdict or model.SURVIVED
            mutant.notes = [n for n in mutant.notes if n != wording.REASON and not _is_reason(n)]
        if mutant.status not in model.MISSED:
            continue
        mutant.verdict = mutant.status
        if wording.is_wording(mutant, tree):
            mutant.status = model.EQUIVALENT
            mutant.notes.append(wording.REASON)
            continue
        for entry in EQUIVALENT:
            if entry.matches(mutant):
                mutant.status = model.EQUIVALENT
                mutant.notes.append(entry.reason)
                used.add(entry)
                break
    files = {m.file for m in mutants}
    return [e for e in EQUIVALENT if e.file in files and e not in used]


def _is_reason(note: str) -> bool:
    return any(note == entry.reason for entry in EQUIVALENT) or note.startswith("message wording")


def recheck_survivors(area: Area, jobs: int) -> AreaResult:
    """The last run's mutmut survivors once more, each in a fresh process against every test of the area.

    mutmut runs a mutant with only the tests its stats saw calling the function. A test that reads a
    result another test computed and cached (tests/test_query_results.py renders and runs a case's
    queries once, in whichever test comes first) is not among them, so its mutants can survive there
    and fail here. Uses the last run's project copies (mutants/<area>/tree*), whose sources are unchanged.
    """
    work = area_dir(area.name)
    result = _last_results(work)
    texts = {row["name"]: row["text"] for row in
             json.loads((work / "mutmut.json").read_text(encoding="utf-8"))["mutants"] if row.get("text")}
    stats = json.loads((work / "mutmut.json").read_text(encoding="utf-8"))["stats"]
    tests_by = mutmut_engine.tests_by_function(stats)
    swaps = [Swap(m, texts[m.id], sorted(tests_by.get(mutmut_engine.function_key(m.id), ())))
             for m in result.mutants if m.engine == "mutmut" and m.status in model.MISSED and m.id in texts]
    trees = sorted(p for p in work.glob("tree*") if p.is_dir())[:jobs]
    print(f"== {area.name}: rechecking {len(swaps)} mutmut survivors with every test of the area", flush=True)
    before = {s.mutant.id: s.mutant.status for s in swaps}
    started = time.monotonic()
    swap_engine.run(swaps, trees, area.test_files(trees[0]), work / "recheck-all.log")
    for swap in swaps:
        swap.mutant.notes.append(f"mutmut: {before[swap.mutant.id]}; every test of the area, fresh process: "
                                 f"{swap.mutant.status}")
    result.seconds["mutmut"] = result.seconds.get("mutmut", 0.0) + time.monotonic() - started
    result.unused_equivalents = mark_equivalents(result.mutants, ROOT)
    write_reports(result, work)
    return result


def _last_results(work: Path) -> AreaResult:
    data = json.loads((work / "results.json").read_text(encoding="utf-8"))
    return AreaResult(data["area"], [Mutant(**m) for m in data["mutants"]], data.get("seconds", {}))


def reclassify(area: Area) -> AreaResult:
    """The last run's verdicts with bench/mutation/equivalent/ applied again: no test is run."""
    work = area_dir(area.name)
    result = _last_results(work)
    result.unused_equivalents = mark_equivalents(result.mutants, ROOT)
    write_reports(result, work)
    return result


def write_reports(result: AreaResult, work: Path) -> None:
    survivors = [m for m in result.mutants if m.status in model.MISSED]
    equivalent = [m for m in result.mutants if m.status == model.EQUIVALENT]
    lines = [f"# {result.area}: {len(survivors)} mutants not killed ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", ""]
    lines += [m.describe() for m in sorted(survivors, key=lambda m: (m.file, m.line or 0))]
    lines += ["", f"# equivalent ({len(equivalent)})", ""]
    lines += [m.describe() for m in sorted(equivalent, key=lambda m: (m.file, m.line or 0))]
    if result.unused_equivalents:
        lines += ["", "# entries of bench/mutation/equivalent/ that matched nothing", ""]
        lines += [f"{e.file}: {e.before!r} -> {e.after!r}" for e in result.unused_equivalents]
    (work / "survivors.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (work / "results.json").write_text(json.dumps({
        "area": result.area, "seconds": result.seconds,
        "mutants": [m.to_json() for m in result.mutants],
    }, indent=1), encoding="utf-8")


def _print_counts(engine: str, mutants: list[Mutant]) -> None:
    counts = Counter(m.status for m in mutants)
    rate = model.kill_rate(mutants)
    figure = "n/a" if rate is None else f"{100 * rate:.1f} %"
    print(f"    {engine}: {len(mutants)} mutants, " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
          + f"; caught {figure} (before equivalents)", flush=True)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))
