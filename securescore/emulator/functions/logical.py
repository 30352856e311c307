"""Logical comparison functions (Microsoft's expression function reference).

`if`, `and` and `or` receive unevaluated arguments and evaluate only what they need. The reference
says "Parameters are evaluated from left to right"; that `if` evaluates only the chosen branch, and
that `and`/`or` stop at the first false/true, is the current runtime's behaviour, not documented.
`isInt` and `isFloat`, also listed here by the reference, live with the string functions.
"""

from __future__ import annotations

from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.functions.registry import bool_arg, function
from securescore.emulator.syntax import Node
from securescore.emulator.values import comparable, values_equal

Json = Any


def _evaluate(node: Node, ctx: EvaluationContext) -> Json:
    from securescore.emulator.evaluate import eval_node  # the evaluator imports the registry

    return eval_node(node, ctx)


@function("if", 3, 3, lazy=True)
def _if(nodes: tuple[Node, ...], ctx: EvaluationContext) -> Json:
    condition = bool_arg("if", _evaluate(nodes[0], ctx), 0)
    return _evaluate(nodes[1] if condition else nodes[2], ctx)


@function("and", 2, None, lazy=True)
def _and(nodes: tuple[Node, ...], ctx: EvaluationContext) -> Json:
    return all(bool_arg("and", _evaluate(node, ctx), index) for index, node in enumerate(nodes))


@function("or", 2, None, lazy=True)
def _or(nodes: tuple[Node, ...], ctx: EvaluationContext) -> Json:
    return any(bool_arg("or", _evaluate(node, ctx), index) for index, node in enumerate(nodes))


@function("not", 1, 1)
def _not(args: list[Json], ctx: EvaluationContext) -> Json:
    return not bool_arg("not", args[0], 0)


@function("equals", 2, 2)
def _equals(args: list[Json], ctx: EvaluationContext) -> Json:
    return values_equal(args[0], args[1])


@function("greater", 2, 2)
def _greater(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = comparable("greater", *args)
    return left > right


@function("greaterOrEquals", 2, 2)
def _greater_or_equals(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = comparable("greaterOrEquals", *args)
    return left >= right


@function("less", 2, 2)
def _less(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = comparable("less", *args)
    return left < right


@function("lessOrEquals", 2, 2)
def _less_or_equals(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = comparable("lessOrEquals", *args)
    return left <= right
