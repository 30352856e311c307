"""``python -m bench.mutation.mutmut_patched run|dump``: mutmut 3.8.1, taught to mutate registered functions.

mutmut skips every decorated function (it copies the function for each mutant, decorators included,
and a decorator that registers would register the copies). Most of the emulator is such functions
(`@function("concat", 1, None)` puts it in the registry), and `@property` methods are common
too. Here those two kinds are mutated: the trampoline keeps the decorators, so the registry and the
class hold the trampoline, while the original and the mutated copies are left undecorated. Functions
with any other decorator (notably `functools.cache`) are still skipped.

Run in a staged copy of the project (bench.mutation.mutmut_engine prepares it); ``dump OUT`` writes
every mutant's verdict, and the diff of those not killed, as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import PositionProvider
from mutmut.mutation import file_mutation
from mutmut.mutation.file_mutation import NEVER_MUTATE_FUNCTION_NAMES, MutationVisitor

from bench.mutation.model import SAMPLE_VARIABLE, sample

REGISTERING_DECORATORS = {"function"}  # securescore.emulator.functions.registry.function(...)
PLAIN_DECORATORS = {"property"}


def _is_handled(decorator: cst.Decorator) -> bool:
    expression = decorator.decorator
    if isinstance(expression, cst.Name):
        return expression.value in PLAIN_DECORATORS
    return (isinstance(expression, cst.Call) and isinstance(expression.func, cst.Name)
            and expression.func.value in REGISTERING_DECORATORS)


def handled(function: cst.FunctionDef) -> bool:
    return bool(function.decorators) and all(_is_handled(d) for d in function.decorators)


_original_skip = MutationVisitor._skip_node_and_children
_original_arrangement = file_mutation.function_trampoline_arrangement


def _skip_node_and_children(self: MutationVisitor, node: cst.CSTNode) -> bool:
    skip = _original_skip(self, node)
    if skip and isinstance(node, cst.FunctionDef) and handled(node):
        # The other reasons mutmut skips a function still hold: a pragma, a name it never mutates.
        position = self.get_metadata(PositionProvider, node, None)
        pragma = position is not None and position.start.line in self._ignored_node_lines
        return pragma or node.name.value in NEVER_MUTATE_FUNCTION_NAMES or node in self._enum_creation_hooks
    return skip


def _function_trampoline_arrangement(function: cst.FunctionDef, mutants: Any, class_name: str | None) -> Any:
    if not handled(function):
        return _original_arrangement(function, mutants, class_name)
    bare = function.with_changes(decorators=[])  # same body nodes: the mutations still find theirs
    declarations, nodes, assignments, names = _original_arrangement(bare, mutants, class_name)
    trampoline = nodes[0]
    nodes = [trampoline.with_changes(decorators=[*function.decorators, *trampoline.decorators]), *nodes[1:]]
    return declarations, nodes, assignments, names


def _sampled(collect: Any, size: int) -> Any:
    """mutmut's mutant collection cut to a fixed random sample; the others stay "not checked"."""
    def collect_sample(*args: Any, **kwargs: Any) -> Any:
        mutants, by_path = collect(*args, **kwargs)
        ordered = sorted(mutants, key=lambda row: row[1])  # by name: the same sample for the same code
        return sample(ordered, size), by_path

    return collect_sample


def install() -> None:
    MutationVisitor._skip_node_and_children = _skip_node_and_children  # type: ignore[method-assign]
    file_mutation.function_trampoline_arrangement = _function_trampoline_arrangement
    if os.environ.get(SAMPLE_VARIABLE):  # N: run only a fixed random sample of N mutants
        import mutmut.__main__ as mutmut_main

        mutmut_main.collect_source_file_mutation_data = _sampled(mutmut_main.collect_source_file_mutation_data,
                                                                int(os.environ[SAMPLE_VARIABLE]))


def mutated_source(name: str, path: Path) -> str:
    """The whole module with this one mutant applied (mutmut's `apply`, without writing, decorators kept)."""
    from mutmut.mutation.diff_apply import read_functions_from_index, read_mutant_function, read_mutants_module
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    function_name, class_name = orig_function_and_class_names_from_key(name)
    module = cst.parse_module(Path(path).read_text(encoding="utf-8"))
    original = _find(module, class_name, function_name)
    pair = read_functions_from_index(name, path)
    mutant = pair[1] if pair else read_mutant_function(read_mutants_module(path), name)
    mutant = mutant.with_changes(name=cst.Name(function_name), decorators=original.decorators,
                                 leading_lines=original.leading_lines)
    return module.deep_replace(original, mutant).code  # type: ignore[union-attr]


def _find(module: cst.Module, class_name: str | None, function_name: str) -> cst.FunctionDef:
    body = module.body
    if class_name:
        owner = next(s for s in body if isinstance(s, cst.ClassDef) and s.name.value == class_name)
        body = owner.body.body  # type: ignore[assignment]
    return next(s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == function_name)


def dump(out: Path) -> None:
    from mutmut.__main__ import walk_mutatable_files
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    rows = []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, exit_code in data.exit_code_by_key.items():
            status = status_by_exit_code[exit_code]
            row = {"name": name, "file": str(path), "status": status, "exit": exit_code, "diff": ""}
            if status != "killed" and not (status == "not checked" and os.environ.get(SAMPLE_VARIABLE)):
                row["diff"] = get_diff_for_mutant(name, path=path)
                row["text"] = mutated_source(name, path)
            rows.append(row)
    stats = Path("mutants/mutmut-stats.json")
    tests = json.loads(stats.read_text()) if stats.is_file() else {}
    out.write_text(json.dumps({"mutants": rows, "stats": tests}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    install()
    if sys.argv[1] == "dump":
        dump(Path(sys.argv[2]))
    else:
        from mutmut.__main__ import cli

        cli(sys.argv[1:])
