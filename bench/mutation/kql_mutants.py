"""Mutation operators for the KQL templates (securescore/kql/*.kql), which mutmut and cosmic-ray do not mutate.

Each operator makes one small change to one line of a template, the kind of slip a reviewer would miss:
a window bound off by one (`>` for `>=`, `7d` for `8d`), a filter or a conjunct dropped, a sort
reversed, a join widened or narrowed, a case-insensitive comparison made case-sensitive. String
literals (except the anchors of `extract` patterns), comments and `{% %}` tags are never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MASK = "\0"  # stands in for string contents and comments, so no operator matches inside them

# Values the templates receive from queries.template_values(): integers, so `{{ v }}` -> `{{ v + 1 }}` is a mutant.
NUMERIC_VALUES = ("lookback_days", "history_days", "drop_alert_points", "trend_weeks", "top_controls")


@dataclass(frozen=True)
class TemplateMutant:
    template: str  # file name, e.g. "_prelude.kql"
    line: int  # 1-based, in the original template
    operator: str
    before: str  # the original line (or lines), stripped
    after: str  # what replaces it ("" when dropped)
    text: str  # the whole mutated template


def mask(line: str) -> str:
    """The line with string contents and a trailing comment replaced by MASK (same length, same positions)."""
    out: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "/" and line.startswith("//", i):
            out.append(MASK * (len(line) - i))
            break
        if ch in "\"'":
            end = i + 1
            while end < len(line) and line[end] != ch:
                end += 2 if line[end] == "\\" else 1
            end = min(end, len(line) - 1)
            out.append(ch + MASK * (end - i - 1) + line[end])
            i = end + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


Edit = tuple[int, int, str]  # replace line[start:end] with text
LineOperator = Callable[[str, str], Iterator[Edit]]  # (line, masked line) -> edits


def _swaps(pattern: str, replacements: dict[str, list[str]]) -> LineOperator:
    compiled = re.compile(pattern)

    def operator(line: str, masked: str) -> Iterator[Edit]:
        for match in compiled.finditer(masked):
            for replacement in replacements.get(match.group(0), []):
                yield match.start(), match.end(), replacement

    return operator


comparison = _swaps(r">=|<=|==|!=|=~|!~|<|>", {
    ">": [">="], ">=": [">"], "<": ["<="], "<=": ["<"], "==": ["!="], "!=": ["=="],
    "=~": ["==", "!~"], "!~": ["=~"],
})
logical = _swaps(r"\band\b|\bor\b", {"and": ["or"], "or": ["and"]})
sort_order = _swaps(r"\basc\b|\bdesc\b|\barray_sort_asc\b", {
    "asc": ["desc"], "desc": ["asc"], "array_sort_asc": ["array_sort_desc"],
})
arithmetic = _swaps(r" [-+*/] ", {" + ": [" - "], " - ": [" + "], " * ": [" / "], " / ": [" * "]})
aggregate = _swaps(r"\barg_max\(|\barg_min\(|\bmax\(|\bmin\(|\bsum\(", {
    "arg_max(": ["arg_min("], "arg_min(": ["arg_max("], "max(": ["min("], "min(": ["max("], "sum(": ["max("],
})
join_kind = _swaps(r"\bkind=\w+|\bisfuzzy=true\b", {
    "kind=leftouter": ["kind=inner"], "kind=inner": ["kind=leftouter"], "kind=leftanti": ["kind=leftsemi"],
    "isfuzzy=true": ["isfuzzy=false"],
})
null_check = _swaps(r"\bisnotnull\(|\bisnull\(", {"isnotnull(": ["isnull("], "isnull(": ["isnotnull("]})


def negation(line: str, masked: str) -> Iterator[Edit]:
    for match in re.finditer(r"\bnot\(", masked):  # not(x) -> (x)
        yield match.start(), match.end(), "("
    for match in re.finditer(r"(?<=[=<>(,] )-(?=[A-Za-z({])", masked):  # unary minus dropped: = -x, < -{{ n }}
        yield match.start(), match.end(), ""


def tolower_removed(line: str, masked: str) -> Iterator[Edit]:
    for match in re.finditer(r"\btolower\((\w+)\)", masked):
        yield match.start(), match.end(), match.group(1)


def constant(line: str, masked: str) -> Iterator[Edit]:
    """Every number (7d, 100.0, 2, 0) one up and one down."""
    for match in re.finditer(r"(?<![\w.])(\d+)(\.\d+)?(?=d?\b)", masked):
        whole, fraction = int(match.group(1)), match.group(2) or ""
        for changed in (whole + 1, whole - 1):
            yield match.start(), match.end(), f"{changed}{fraction}"


def template_value(line: str, masked: str) -> Iterator[Edit]:
    """A numeric value from the settings used one off: {{ lookback_days }} -> {{ lookback_days + 1 }}."""
    for match in re.finditer(r"\{\{ (\w+) \}\}", masked):
        if match.group(1) in NUMERIC_VALUES:
            for sign in ("+", "-"):
                yield match.start(), match.end(), f"{{{{ {match.group(1)} {sign} 1 }}}}"


def key_dropped(line: str, masked: str) -> Iterator[Edit]:
    """One key of a `by a, b` or `on a, b` list dropped (summarize groups, join keys)."""
    for match in re.finditer(r"\b(by|on) (\w+(?: = \w+)?(?:, \w+(?: = \w+)?)+)(?=[);]?\s*$)", masked):
        keys = match.group(2).split(", ")
        start = match.start(2)
        for i in range(len(keys)):
            yield start, match.end(2), ", ".join(keys[:i] + keys[i + 1:])


def conjunct_dropped(line: str, masked: str) -> Iterator[Edit]:
    """`where a and b` -> `where a`, `where b`: one bound of a window, one half of a filter."""
    match = re.match(r"(\s*\| where )(.*?)(;?)\s*$", masked)
    if not match or " and " not in match.group(2):
        return
    body_start, body_end = match.start(2), match.end(2)
    parts = _split_top_level(line[body_start:body_end], masked[body_start:body_end], " and ")
    if len(parts) < 2:
        return
    for i in range(len(parts)):
        yield body_start, body_end, " and ".join(parts[:i] + parts[i + 1:])


def regex_anchor(line: str, masked: str) -> Iterator[Edit]:
    """The anchors of an extract() pattern dropped: "^/subscriptions/..." matches anywhere then."""
    for match in re.finditer(r'extract\("', masked):
        start = match.end()
        end = line.index('"', start)
        if line[start] == "^":
            yield start, start + 1, ""
        if line[end - 1] == "$":
            yield end - 1, end, ""


def _split_top_level(text: str, masked: str, separator: str) -> list[str]:
    parts, depth, last, i = [], 0, 0, 0
    while i < len(masked):
        ch = masked[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and masked.startswith(separator, i):
            parts.append(text[last:i])
            last = i + len(separator)
            i = last
            continue
        i += 1
    parts.append(text[last:])
    return parts


LINE_OPERATORS: dict[str, LineOperator] = {
    "comparison": comparison,
    "logical": logical,
    "negation": negation,
    "sort order": sort_order,
    "arithmetic": arithmetic,
    "constant": constant,
    "template value": template_value,
    "aggregate": aggregate,
    "join kind": join_kind,
    "null check": null_check,
    "tolower removed": tolower_removed,
    "key dropped": key_dropped,
    "conjunct dropped": conjunct_dropped,
    "regex anchor": regex_anchor,
}

# Whole operator lines dropped: a filter, a row limit, a sort.
DROPPED_LINE = re.compile(r"\s*\| (where|take|order by) ")


def mutants(template: str, text: str) -> list[TemplateMutant]:
    lines = text.split("\n")
    found: list[TemplateMutant] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("//") or stripped.startswith("{%"):
            continue
        masked = mask(line)
        for name, operator in LINE_OPERATORS.items():
            for start, end, replacement in operator(line, masked):
                changed = line[:start] + replacement + line[end:]
                if changed != line:
                    found.append(_mutant(template, lines, index, name, [changed]))
        if DROPPED_LINE.match(masked):
            found.append(_dropped(template, lines, index))
    return found


def _mutant(template: str, lines: list[str], index: int, operator: str, replacement: list[str]) -> TemplateMutant:
    mutated = lines[:index] + replacement + lines[index + 1:]
    after = " / ".join(r.strip() for r in replacement)
    return TemplateMutant(template, index + 1, operator, lines[index].strip(), after, "\n".join(mutated))


def _dropped(template: str, lines: list[str], index: int) -> TemplateMutant:
    mutated = lines[:index] + lines[index + 1:]
    if lines[index].rstrip().endswith(";"):  # the let statement still ends: the `;` moves up a line
        previous = index - 1
        mutated[previous] = mutated[previous].rstrip() + ";"
    return TemplateMutant(template, index + 1, "line dropped", lines[index].strip(), "", "\n".join(mutated))
