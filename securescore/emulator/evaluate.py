"""Parsing with the function checks, and evaluating expressions and definition values."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.errors import ExpressionError
from securescore.emulator.functions import FUNCTIONS, check_call
from securescore.emulator.syntax import Access, Call, Literal, Node, parse_syntax, split_template, walk
from securescore.emulator.values import is_int, to_plain, to_string, type_name

Json = Any


@lru_cache(maxsize=8192)
def parse(text: str) -> Node:
    """Parse one expression (the text after `@`, or inside `@{...}`) and check its function calls.

    Raises InvalidExpressionError for what Logic Apps refuses (syntax, length), and
    UnsupportedConstructError for what the emulator cannot run (unknown or unsupported functions,
    argument counts outside the reference's signatures).
    """
    node = parse_syntax(text)
    for part in walk(node):
        if isinstance(part, Call):
            try:
                check_call(part.name, len(part.args))
            except ExpressionError as exc:
                raise type(exc)(f"{exc} (in expression '{text}')") from exc
    return node


def template_expressions(value: str) -> tuple[str, ...]:
    """The expressions of one definition string, each parsed and checked."""
    expressions = split_template(value).expressions
    for expression in expressions:
        parse(expression)
    return expressions


def iter_expressions(value: Json) -> Iterator[str]:
    """Every expression text in a JSON value: whole-string `@expr` and each interpolated `@{expr}`."""
    if isinstance(value, dict):
        for item in value.values():
            yield from iter_expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_expressions(item)
    elif isinstance(value, str):
        yield from template_expressions(value)


# Functions whose first argument names an action; a literal name must exist in the definition
# (Logic Apps refuses the save: "The action(s) 'X' referenced by 'inputs' in action 'Y' are not
# defined in the template", quoted in Microsoft Graph's Power Automate training). The older
# actionBody()/actionOutputs() are not here: parse() refuses them before any name is read.
_ACTION_FUNCTIONS = frozenset({"body", "outputs", "actions", "result"})


def referenced_actions(text: str) -> set[str]:
    """Action names passed as literals to body()/outputs()/actions()/result() in an expression.

    Accepts an expression (as yielded by `iter_expressions`) or a definition string (`@...`, `..@{..}..`).
    """
    if text.startswith("@"):
        return {name for expr in iter_expressions(text) for name in referenced_actions(expr)}
    names: set[str] = set()
    for node in walk(parse(text)):
        if isinstance(node, Call) and node.name.lower() in _ACTION_FUNCTIONS and node.args:
            first = node.args[0]
            if isinstance(first, Literal):
                names.add(str(first.value))
    return names


# --------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------


def evaluate_value(value: Json, ctx: EvaluationContext) -> Json:
    """Evaluate every expression in a JSON value (object keys are never expressions)."""
    if isinstance(value, dict):
        return {key: evaluate_value(item, ctx) for key, item in value.items()}
    if isinstance(value, list):
        return [evaluate_value(item, ctx) for item in value]
    if isinstance(value, str):
        return evaluate_string(value, ctx)
    return value


def evaluate_string(value: str, ctx: EvaluationContext) -> Json:
    template = split_template(value)
    if template.kind == "literal":
        return template.literal
    if template.kind == "expression":
        return to_plain(evaluate_expression(template.expression, ctx))
    return "".join(
        part if isinstance(part, str) else to_string(evaluate_expression(part[0], ctx)) for part in template.parts
    )


def evaluate_expression(text: str, ctx: EvaluationContext) -> Json:
    """Evaluate one expression text (without the leading `@`); errors name the expression."""
    node = parse(text)
    try:
        return eval_node(node, ctx)
    except ExpressionError as exc:
        raise type(exc)(f"{exc} (in expression '{text}')") from exc


def eval_node(node: Node, ctx: EvaluationContext) -> Json:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Access):
        return access(eval_node(node.target, ctx), eval_node(node.key, ctx), node.null_safe)
    spec = FUNCTIONS[node.name.lower()]
    if spec.lazy:
        return spec.fn(node.args, ctx)
    return spec.fn([eval_node(arg, ctx) for arg in node.args], ctx)


def access(target: Json, key: Json, null_safe: bool) -> Json:
    """`target[key]` / `target?[key]`; object properties are selected case-insensitively."""
    if target is None:
        if null_safe:
            return None
        raise ExpressionError(f"property '{to_string(key)}' cannot be selected: the value is null (use '?[]')")
    if isinstance(target, dict):
        if not isinstance(key, str):
            raise ExpressionError(f"an object property must be selected by a string, not {type_name(key)}")
        if key in target:
            return target[key]
        # Logic Apps (JSON.NET JObject lookups) selects object properties case-insensitively.
        folded = key.casefold()
        for name, item in target.items():
            if name.casefold() == folded:
                return item
        if null_safe:
            return None
        raise ExpressionError(f"property '{key}' doesn't exist; available properties: {', '.join(target)}")
    if isinstance(target, list):
        if not is_int(key):
            raise ExpressionError(f"an array item must be selected by an integer index, not {type_name(key)}")
        if 0 <= key < len(target):
            return target[key]
        if null_safe:
            return None
        raise ExpressionError(f"index {key} is out of range for an array of length {len(target)}")
    raise ExpressionError(f"property '{to_string(key)}' cannot be selected on a value of type {type_name(target)}")
