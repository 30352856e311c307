"""Every valid initiative name gives KQL that Microsoft's parser accepts and no "@{" in the workflow."""

from __future__ import annotations

import json

import duckdb_kql
import pytest

from securescore.kql_check import check_queries
from securescore.logicapp.definition import build_definition
from securescore.queries import kql_string, render_queries
from tests.conftest import REPORT_TIME, make_settings

pytestmark = pytest.mark.node

# Valid initiativeName values (1-100 characters, no control characters), chosen to break escaping.
HOSTILE_NAMES = [
    "@{" * 50,  # 50 interpolation openers: 51 pieces
    "@" * 100,
    "{" * 100,
    "\\" * 100,
    '"' * 100,
    "'" * 100,
    "@{utcNow()}",
    "@@{x}",
    "}@{@{",
    "a@{b}@{c}" * 11,
    '"); SecureScores | take 1 //',
    "ASC score */ let x = 1;",
    "安全 @{score} 🚀 ü",
    "x" * 100,
    "@",
    "{",
    "a @{ b",
]


def strcat_argument_counts(text: str) -> list[int]:
    """Arguments of every strcat( ... ) call, by a small scan that respects string literals."""
    counts: list[int] = []
    stack: list[int] = []
    in_string = escaped = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith("strcat(", index):
            stack.append(1)
            index += len("strcat(")
            continue
        elif char == "," and stack:
            stack[-1] += 1
        elif char == ")" and stack:
            counts.append(stack.pop())
        index += 1
    return counts


def test_hostile_names_render_queries_kusto_accepts() -> None:
    batch: dict[str, str] = {}
    for i, name in enumerate(HOSTILE_NAMES):
        settings = make_settings(initiativeName=name)
        for query, text in render_queries(settings, REPORT_TIME).items():  # the deployed form: below
            batch[f"name {i} / {query}"] = text
    assert [d.describe(batch[d.query]) for d in check_queries(batch)] == []
    for text in batch.values():
        assert all(n <= 64 for n in strcat_argument_counts(text))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_literal_means_the_name_and_never_opens_an_interpolation(name: str) -> None:
    literal = kql_string(name)
    assert "@{" not in literal
    assert duckdb_kql.kql(duckdb_kql.connect(), f"print v = {literal}").fetchall() == [(name,)]


def test_many_pieces_nest_strcat_within_kustos_64_arguments() -> None:
    # kql_string takes any text; 150 "@{" give 151 pieces: three strcat of at most 64 inside a fourth.
    literal = kql_string("@{" * 150)
    assert strcat_argument_counts(literal) == [64, 64, 23, 3] and "@{" not in literal
    assert check_queries({"long": f"print v = {literal}"}) == []
    # (No duckdb-kql run here: a valid initiativeName has at most 51 pieces, and its parser is slow on more.)


def test_a_plain_at_sign_needs_no_strcat() -> None:
    assert kql_string("a@b") == '"a@b"' and kql_string("@") == '"@"'
    assert kql_string("@{x}") == 'strcat("@", "{x}")'


@pytest.mark.parametrize("char", ["\n", "\x00", "\x85", "\u2028"])
def test_control_characters_are_refused(char: str) -> None:
    with pytest.raises(ValueError, match="control characters"):
        kql_string(f"a{char}b")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_name_adds_no_interpolation_to_the_deployed_definition(name: str) -> None:
    """The definition's own expressions are the same with a hostile name as with a plain one."""
    plain = build_definition(make_settings(initiativeName="ASC score"))
    hostile = build_definition(make_settings(initiativeName=name))
    assert json.dumps(hostile).count("@{") == json.dumps(plain).count("@{")
    assert _expressions(hostile) == _expressions(plain)  # strings Logic Apps evaluates: those starting with @
    queries = [a["inputs"]["body"] for a in _query_actions(build_definition(make_settings(initiativeName=name)))]
    # The seven queries of a stack without assessments (docs/design.md, "Query contracts").
    assert len(queries) == 7 and all(q.count("@{") == 1 and "@{utcNow()}" in q for q in queries)


def _expressions(value: object) -> list[str]:
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in _expressions(k) + _expressions(v)]
    if isinstance(value, list):
        return [e for v in value for e in _expressions(v)]
    return [value] if isinstance(value, str) and value.startswith("@") else []


def _query_actions(definition: dict) -> list[dict]:
    scope = next(a for a in definition["actions"].values() if a["type"] == "Scope")
    return [a for a in scope["actions"].values() if a["type"] == "ApiConnection"
            and a["inputs"].get("path") == "/queryData"]
