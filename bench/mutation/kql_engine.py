"""The KQL templates' mutants: made by bench.mutation.kql_mutants, checked by Kusto's parser, run by the tests.

How a mutant that Kusto would reject is counted: like any other, by the tests. Every mutant is also
rendered for the example stack and given to Microsoft's parser (securescore.kql_check); one with an
error diagnostic is marked "Kusto-invalid" in the report, but it counts as killed only if a test
fails on it. A Kusto-invalid survivor therefore shows a query no test parses.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.mutation.kql_mutants import mutants
from bench.mutation.model import Mutant
from bench.mutation.swap_engine import Swap

REPORT_TIME = "2026-11-23T07:00:00.0000000Z"
KUSTO_INVALID = "Kusto-invalid"


def swaps(templates: list[str], tree: Path) -> list[Swap]:
    made: list[Swap] = []
    for template in templates:
        text = (tree / template).read_text(encoding="utf-8")
        seen: dict[tuple[int, str], int] = {}
        for found in mutants(Path(template).name, text):
            key = (found.line, found.operator)
            seen[key] = seen.get(key, 0) + 1
            mutant = Mutant("kql", f"{template}:{found.line}:{found.operator}:{seen[key]}", template,
                            Path(template).stem, found.operator, found.before, found.after, line=found.line)
            made.append(Swap(mutant, found.text, _focus(template, tree)))
    return made


def _focus(template: str, tree: Path) -> list[str]:
    """Tests to run first: those named after a query that includes the template."""
    name = Path(template).name
    queries = [p.stem for p in (tree / template).parent.glob("*.kql")
               if not p.name.startswith("_") and (p.name == name or f'"{name}"' in p.read_text(encoding="utf-8"))]
    return queries


CHECK_BATCH = 100  # rendered queries per Kusto.Language call (about ten mutants)


def mark_kusto_invalid(made: list[Swap], kql_dir: Path) -> int:
    """Render each mutant for the example stack and parse it; returns how many Kusto rejects."""
    from securescore.kql_check import check_queries
    from securescore.queries import render_queries
    from securescore.settings import settings_from_stack

    settings = settings_from_stack("example")
    queries: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="securescore-kql-mutants-") as tmp:
        for index, swap in enumerate(made):
            directory = Path(tmp) / str(index)
            shutil.copytree(kql_dir, directory)
            (directory / Path(swap.mutant.file).name).write_text(swap.text, encoding="utf-8")
            try:
                rendered = render_queries(settings, REPORT_TIME, kql_dir=directory)
            except Exception as error:  # a template jinja2 cannot render: the tests see the same
                swap.mutant.notes.append(f"does not render: {type(error).__name__}")
                continue
            for name, text in rendered.items():
                queries[f"{index}|{name}"] = text
        invalid: set[str] = set()
        names = sorted(queries)
        for start in range(0, len(names), CHECK_BATCH):  # a few mutants a call: each call stays well inside its timeout
            batch = {name: queries[name] for name in names[start : start + CHECK_BATCH]}
            invalid |= {d.query.split("|")[0] for d in check_queries(batch) if d.severity.lower() == "error"}
    for index, swap in enumerate(made):
        if str(index) in invalid:
            swap.mutant.notes.append(KUSTO_INVALID)
    return len(invalid)
