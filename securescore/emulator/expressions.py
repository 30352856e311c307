"""Logic Apps expressions, in one import: parse, inspect and evaluate (a facade over the modules).

- `syntax`: definition strings (`@expr`, `@{expr}`, `@@`), tokens and the syntax tree
- `functions`: the function reference, one module per family; `values`: types, JSON, coercion
- `evaluate`: parse with function checks, evaluate values in an `EvaluationContext`
- `dotnet`: the .NET date and number formatting Logic Apps inherits
"""

from securescore.emulator.context import EvaluationContext
from securescore.emulator.dotnet.dates import Stamp, format_datetime, parse_timestamp, stamp_from_datetime
from securescore.emulator.dotnet.numeric import format_number
from securescore.emulator.errors import ExpressionError, InvalidExpressionError, UnsupportedConstructError
from securescore.emulator.evaluate import (
    evaluate_expression,
    evaluate_string,
    evaluate_value,
    iter_expressions,
    parse,
    referenced_actions,
    template_expressions,
)
from securescore.emulator.syntax import Access, Call, Literal, Node, Template, split_template
from securescore.emulator.values import to_string, type_name

__all__ = [
    "Access",
    "Call",
    "EvaluationContext",
    "ExpressionError",
    "InvalidExpressionError",
    "Literal",
    "Node",
    "Stamp",
    "Template",
    "UnsupportedConstructError",
    "evaluate_expression",
    "evaluate_string",
    "evaluate_value",
    "format_datetime",
    "format_number",
    "iter_expressions",
    "parse",
    "parse_timestamp",
    "referenced_actions",
    "split_template",
    "stamp_from_datetime",
    "template_expressions",
    "to_string",
    "type_name",
]
