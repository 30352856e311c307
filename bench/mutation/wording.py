"""Which surviving mutants only reword a message: equivalent, since no test should pin wording.

mutmut changes string literals three ways: ``"text"`` -> ``"XXtextXX"``, upper case, lower case. In a
message that is rewording. A mutant counts as that when (checked on the source, not guessed from the
text):

- the mutated line differs from the original in exactly one string literal, by one of those three
  changes, and
- that literal only flows into a message: it is inside a call to one of MESSAGE_CALLS (the calls
  that collect or raise problems), inside a ``raise``, or in the value of a name of MESSAGE_NAMES
  (pieces of a message: ``hint``, ``where``...), or returned by a function of MESSAGE_FUNCTIONS
  (whose result is a problem's text), or
- it is the ``help=``, ``description=`` or ``epilog=`` text given to argparse (HELP_CALLS): what
  ``--help`` prints, read by people, never parsed. A ``metavar``, ``dest``, ``choices`` or option
  string is not there, so its mutants still count.

A literal that decides something (a dict key, a choice, an encoding, a separator) is never in one
of those places, so its mutants still count.
"""

from __future__ import annotations

import ast
import io
import tokenize
from functools import cache
from pathlib import Path

from bench.mutation.model import Mutant

# The dotted call names (their last parts) that take message text, with the positions of the arguments
# that are only text (None: all of them); raise statements count too. errors.add(key, value, accepted):
# the key is a rule (every problem names it), only what is accepted is wording.
MESSAGE_CALLS: dict[str, tuple[int, ...] | None] = {
    "errors.add": (2,), "doc.problem": (1,), "errors.problems.append": None, "problems.append": None,
    "read.problems.append": None, "SettingsError": None, "ValueError": None, "TypeError": None, "KeyError": None,
    "RuntimeError": None, "ExpressionError": None, "InvalidExpressionError": None,
    "UnsupportedConstructError": None, "cannot_run": None, "_part_problem": (0,),
    # the emulator's argument checks: `expected` ("a string or an array") only goes into the refusal
    "bad_arg": (2,), "_collection": (4,), "_nonzero_divisor": (0,), "_boolean": (2,),
    # the preview stand-ins' error answers: _error(status, code, message); only the message is text
    "_error": (2,),
}
MESSAGE_NAMES = ("hint", "where", "noun", "what", "column", "listed", "known", "message", "detail", "reason", "why")
MESSAGE_FUNCTIONS = ("problem", "address_problem", "_kind", "_describe", "_scalar_text_problem",
                     "file_value_problem", "describe", "arity_text", "type_name")
# argparse's builders and the keyword arguments of theirs that are only text for --help.
HELP_CALLS = ("add_argument", "ArgumentParser", "add_parser", "add_argument_group", "add_subparsers",
              "add_mutually_exclusive_group")
HELP_KEYWORDS = ("help", "description", "epilog")
REASON = "message wording: the literal only goes into a message text (bench/mutation/wording.py)"


def is_wording(mutant: Mutant, root: Path) -> bool:
    if mutant.engine != "mutmut" or not mutant.line or " / " in mutant.before or " / " in mutant.after:
        return False
    changed = _changed_literal(mutant.before, mutant.after)
    if changed is None:
        return False
    column, original, mutated = changed
    if not _reworded(original, mutated):
        return False
    source = _source(root / mutant.file)
    line_text = source.splitlines()[mutant.line - 1]
    offset = len(line_text) - len(line_text.lstrip())
    return _in_message(source, mutant.line, offset + column)


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    """The line's tokens; a line of a statement that goes on (an open bracket) gives those up to its end."""
    found: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                                  tokenize.DEDENT, tokenize.COMMENT):
                found.append(token)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


def _changed_literal(before: str, after: str) -> tuple[int, str, str] | None:
    """(column in the stripped line, original, mutated) of the one string token that differs."""
    a, b = _tokens(before), _tokens(after)
    if not a or len(a) != len(b):
        return None
    differing = [(x, y) for x, y in zip(a, b, strict=True) if x.string != y.string]
    if len(differing) != 1 or differing[0][0].type != tokenize.STRING or differing[0][1].type != tokenize.STRING:
        return None
    x, y = differing[0]
    return x.start[1], x.string, y.string


def _reworded(original: str, mutated: str) -> bool:
    """The same literal but for one piece wrapped in XX or put in another case."""
    if original == mutated:
        return False
    head = 0
    while head < min(len(original), len(mutated)) and original[head] == mutated[head]:
        head += 1
    tail = 0
    while (tail < min(len(original), len(mutated)) - head
           and original[len(original) - 1 - tail] == mutated[len(mutated) - 1 - tail]):
        tail += 1
    old, new = original[head: len(original) - tail], mutated[head: len(mutated) - tail]
    if old.lower() == new.lower():
        return True
    # "XXtextXX": the shared prefix or suffix may have eaten an X of the wrapper; compare around it.
    for cut in range(0, 3):
        start = max(head - cut, 0)
        piece, wrapped = original[start: len(original) - tail], mutated[start: len(mutated) - tail]
        if wrapped == "XX" + piece + "XX":
            return True
        for end_cut in range(0, 3):
            piece = original[start: len(original) - max(tail - end_cut, 0)]
            wrapped = mutated[start: len(mutated) - max(tail - end_cut, 0)]
            if wrapped == "XX" + piece + "XX":
                return True
    return False


@cache
def _source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def _parents(source: str) -> tuple[ast.Module, dict[int, ast.AST]]:
    tree = ast.parse(source)
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return tree, parents


def _in_message(source: str, line: int, column: int) -> bool:
    tree, parents = _parents(source)
    # The literal whose span holds the position (a string written in parts over several lines is one).
    literals = [n for n in ast.walk(tree) if isinstance(n, (ast.Constant, ast.JoinedStr))
                and isinstance(getattr(n, "value", ""), str) and _contains(source, n, line, column)]
    if not literals:
        return False
    literal = literals[0]  # ast.walk goes outside in: an f-string before its parts
    node: ast.AST = literal
    while id(node) in parents:
        parent = parents[id(node)]
        if isinstance(parent, ast.Raise):
            return True
        if isinstance(parent, ast.keyword) and parent.arg in HELP_KEYWORDS:
            call = parents.get(id(parent))
            if isinstance(call, ast.Call) and _dotted(call.func).split(".")[-1] in HELP_CALLS:
                return True
        if isinstance(parent, ast.Call) and node is not parent.func and _is_message_call(_dotted(parent.func)):
            positions = _message_positions(_dotted(parent.func))
            return positions is None or any(parent.args[i] is node for i in positions if i < len(parent.args))
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return any(isinstance(t, ast.Name) and t.id in MESSAGE_NAMES for t in targets)
        if isinstance(parent, ast.Return):
            function = next((p for p in _ancestors(parent, parents)
                             if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
            return function is not None and function.name in MESSAGE_FUNCTIONS
        if isinstance(parent, (ast.stmt, ast.Lambda, ast.comprehension)) and not isinstance(parent, ast.Expr):
            return False
        node = parent
    return False


def _ancestors(node: ast.AST, parents: dict[int, ast.AST]) -> list[ast.AST]:
    found = []
    while id(node) in parents:
        node = parents[id(node)]
        found.append(node)
    return found


def _dotted(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_dotted(func.value)}.{func.attr}"
    return ""


def _is_message_call(name: str) -> bool:
    return any(name == call or name.endswith("." + call) for call in MESSAGE_CALLS)


def _message_positions(name: str) -> tuple[int, ...] | None:
    return next(MESSAGE_CALLS[c] for c in MESSAGE_CALLS if name == c or name.endswith("." + c))


def _contains(source: str, node: ast.AST, line: int, column: int) -> bool:
    lines = source.splitlines()
    start = (node.lineno, _chars(lines[node.lineno - 1], node.col_offset))  # type: ignore[attr-defined]
    end = (node.end_lineno, _chars(lines[node.end_lineno - 1], node.end_col_offset))  # type: ignore[attr-defined]
    return start <= (line, column) < end


def _chars(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8"))
