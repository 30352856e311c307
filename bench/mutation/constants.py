"""Mutants of module-level values, which mutmut never touches (it mutates function bodies only).

A module's constants are rules too: the regular expressions that validate ids and names, the limits
(`ACS_MAX_RECIPIENTS = 50`), the choices (`ROLE_CHOICES`), the naming rules' lengths, the argument
counts a function is registered with. This module makes one mutant per change:

- numbers one up and one down, booleans flipped (in any module-level or class-level expression,
  decorator arguments included);
- a regular expression (the pattern of an `re` call) with an anchor dropped, a bound of a
  quantifier one off, `+` made `*`, a range of a character class dropped, its flags dropped; only
  patterns that still compile;
- one element dropped from a tuple, list, set or dict (first, middle and last of a long one);
- a string assigned to an UPPER_CASE name changed (a role id, an API version, a user name).

Docstrings, messages and other strings are left alone: changing their wording tells nothing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

LONG_COLLECTION = 12  # beyond this many elements only the first, middle and last are dropped
REGEX_CALLS = {"compile", "match", "fullmatch", "search", "sub", "split", "findall", "finditer"}


@dataclass(frozen=True)
class ConstantMutant:
    file: str
    line: int
    where: str  # "module", or the class / decorated function the value belongs to
    operator: str
    before: str
    after: str
    text: str  # the whole mutated module


class _Source:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.offsets = [0]
        for line in self.lines:
            self.offsets.append(self.offsets[-1] + len(line))

    def position(self, line: int, col_bytes: int) -> int:
        prefix = self.lines[line - 1].encode("utf-8")[:col_bytes].decode("utf-8")
        return self.offsets[line - 1] + len(prefix)

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.position(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                self.position(node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]

    def lines_of(self, start: int, end: int, text: str | None = None) -> str:
        text = self.text if text is None else text
        first = text.rfind("\n", 0, start) + 1
        last = text.find("\n", end)
        return " / ".join(part.strip() for part in text[first: len(text) if last < 0 else last].split("\n"))


def mutants(path: str, text: str) -> list[ConstantMutant]:
    source = _Source(text)
    tree = ast.parse(text)
    found: list[ConstantMutant] = []
    for where, node in _module_level_nodes(tree):
        for operator, start, end, replacement in _edits(node, source):
            mutated = source.text[:start] + replacement + source.text[end:]
            if mutated == source.text:
                continue
            try:
                ast.parse(mutated)
            except SyntaxError:
                continue
            before = source.lines_of(start, end)
            after = source.lines_of(start, start + len(replacement), mutated)
            line = source.text.count("\n", 0, start) + 1
            found.append(ConstantMutant(path, line, where, operator, before, after, mutated))
    return found


def _module_level_nodes(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """Statements that run at import: module and class bodies (not methods), decorators' arguments."""
    for statement in tree.body:
        yield from _statement_nodes(statement, "module")


def _statement_nodes(statement: ast.stmt, where: str) -> Iterator[tuple[str, ast.AST]]:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return  # a docstring
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for decorator in statement.decorator_list:
            yield f"@{statement.name}", decorator
        return
    if isinstance(statement, ast.ClassDef):
        for item in statement.body:
            yield from _statement_nodes(item, statement.name)
        return
    if isinstance(statement, ast.If) and _is_type_checking(statement.test):
        return
    if isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                 for t in statement.targets):
        return  # only `from module import *` reads it
    yield where, statement


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


Edit = tuple[str, int, int, str]  # operator, start, end, replacement


def _edits(root: ast.AST, source: _Source) -> Iterator[Edit]:
    regex_nodes = {id(n) for n in _regex_patterns(root)}
    named_strings = {id(n) for n in _named_strings(root)}
    skip: set[int] = set()
    for node in ast.walk(root):
        if isinstance(node, ast.JoinedStr):  # f-strings: messages
            skip.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.AnnAssign):  # annotations are not values
            skip.update(id(n) for n in ast.walk(node.annotation))
    for node in ast.walk(root):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant):
            yield from _constant_edits(node, source, id(node) in regex_nodes, id(node) in named_strings)
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            yield from _drop_elements(node, source, node.elts)
        elif isinstance(node, ast.Dict):
            yield from _drop_entries(node, source)
        elif isinstance(node, ast.Call) and _regex_call(node) and len(node.args) >= 2:
            flags = node.args[-1]
            if not isinstance(flags, ast.Constant):
                start, _ = source.span(node.args[-2])
                _, end = source.span(flags)
                yield "regex flags dropped", start, end, source.text[start: source.span(node.args[-2])[1]]
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            skip.add(id(node.operand))  # -1 is one number: mutate it as such
            value = node.operand.value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                start, end = source.span(node)
                for changed in (-value + 1, -value - 1):
                    yield "number", start, end, repr(changed)


def _constant_edits(node: ast.Constant, source: _Source, regex: bool, named: bool) -> Iterator[Edit]:
    start, end = source.span(node)
    value = node.value
    if isinstance(value, bool):
        yield "boolean", start, end, repr(not value)
    elif isinstance(value, (int, float)):
        for changed in (value + 1, value - 1):
            yield "number", start, end, repr(changed)
    elif isinstance(value, str) and regex:
        for operator, pattern in regex_mutants(value):
            yield operator, start, end, repr(pattern)
    elif isinstance(value, str) and named:
        yield "string", start, end, repr(value + "X" if value else "X")


def _regex_call(node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr in REGEX_CALLS
            and isinstance(func.value, ast.Name) and func.value.id == "re")


def _regex_patterns(root: ast.AST) -> Iterator[ast.Constant]:
    for node in ast.walk(root):
        if isinstance(node, ast.Call) and _regex_call(node) and node.args:
            pattern = node.args[0]
            if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str):
                yield pattern
        # a pattern piece kept in a name (`_DOMAIN_LABEL = r"[A-Za-z0-9]..."`) and used in an f-string
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                and _looks_like_regex(node.value.value)):
            yield node.value


def _looks_like_regex(text: str) -> bool:
    return bool(re.search(r"\[[^\]]+\]|\\[dswAZ]|\(\?[:P]|\{\d+(,\d*)?\}", text))


def _named_strings(root: ast.AST) -> Iterator[ast.Constant]:
    if isinstance(root, (ast.Assign, ast.AnnAssign)):
        targets = root.targets if isinstance(root, ast.Assign) else [root.target]
        value = root.value
        if (all(isinstance(t, ast.Name) and t.id.lstrip("_").isupper() for t in targets)
                and isinstance(value, ast.Constant) and isinstance(value.value, str)):
            yield value


def _indices(count: int) -> list[int]:
    if count <= LONG_COLLECTION:
        return list(range(count))
    return sorted({0, count // 2, count - 1})


def _drop_elements(node: ast.AST, source: _Source, elements: list[ast.expr]) -> Iterator[Edit]:
    if len(elements) < 2 or any(isinstance(e, ast.Starred) for e in elements):
        return
    start, end = source.span(node)
    for i in _indices(len(elements)):
        kept = elements[:i] + elements[i + 1:]
        pieces = ", ".join(source.text[slice(*source.span(e))] for e in kept)
        if isinstance(node, ast.Tuple):
            text = f"({pieces},)" if len(kept) == 1 else f"({pieces})"
        elif isinstance(node, ast.List):
            text = f"[{pieces}]"
        else:
            text = f"{{{pieces}}}"
        yield "element dropped", start, end, text


def _drop_entries(node: ast.Dict, source: _Source) -> Iterator[Edit]:
    if len(node.keys) < 2 or any(k is None for k in node.keys):
        return
    start, end = source.span(node)
    pairs = [(source.text[slice(*source.span(k))], source.text[slice(*source.span(v))])  # type: ignore[arg-type]
             for k, v in zip(node.keys, node.values, strict=True)]
    for i in _indices(len(pairs)):
        kept = pairs[:i] + pairs[i + 1:]
        yield "entry dropped", start, end, "{" + ", ".join(f"{k}: {v}" for k, v in kept) + "}"


# --- regular expressions ---------------------------------------------------------------------------------------

_QUANTIFIER = re.compile(r"(?<!\\)\{(\d+)(?:(,)(\d*))?\}")


def regex_mutants(pattern: str) -> Iterator[tuple[str, str]]:
    """Small changes to a pattern that still compile: each a rule loosened or tightened."""
    candidates: list[tuple[str, str]] = []
    if pattern.startswith("^"):
        candidates.append(("regex anchor", pattern[1:]))
    if pattern.startswith("\\A"):
        candidates.append(("regex anchor", pattern[2:]))
    for anchor in ("\\Z", "$"):
        if pattern.endswith(anchor) and not pattern.endswith("\\" + anchor):
            candidates.append(("regex anchor", pattern[: -len(anchor)]))
    for match in _QUANTIFIER.finditer(pattern):
        low, comma, high = int(match.group(1)), match.group(2), match.group(3)
        if comma is None:
            bounds = [f"{{{low + 1}}}", f"{{{low - 1}}}"] if low > 0 else [f"{{{low + 1}}}"]
        else:
            bounds = [f"{{{low + 1},{high}}}"] + ([f"{{{low - 1},{high}}}"] if low > 0 else [])
            if high:
                bounds += [f"{{{low},{int(high) + 1}}}"] + ([f"{{{low},{int(high) - 1}}}"] if int(high) > low else [])
        for bound in bounds:
            candidates.append(("regex bound", pattern[: match.start()] + bound + pattern[match.end():]))
    for match in _unescaped(pattern, "+"):
        candidates.append(("regex quantifier", pattern[:match] + "*" + pattern[match + 1:]))
    for start, end in _class_ranges(pattern):
        candidates.append(("regex class", pattern[:start] + pattern[end:]))
    for operator, mutated in candidates:
        try:
            re.compile(mutated)
        except re.error:
            continue
        if mutated != pattern:
            yield operator, mutated


def _unescaped(pattern: str, char: str) -> Iterator[int]:
    """Positions of `char` outside character classes and not escaped."""
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == char and not in_class:
            yield i
        i += 1


def _class_ranges(pattern: str) -> Iterator[tuple[int, int]]:
    """The a-z style ranges of each character class that has something besides them."""
    for match in re.finditer(r"(?<!\\)\[(\^?)((?:\\.|[^\]\\])+)\]", pattern):
        body_start = match.start(2)
        body = match.group(2)
        ranges = [(m.start(), m.end()) for m in re.finditer(r"(?:\\.|[^\\])-(?:\\.|[^\\\]])", body)]
        if len(ranges) >= 2 or (ranges and len(body) > 3):
            for start, end in ranges:
                yield body_start + start, body_start + end
