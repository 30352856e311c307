"""Parser and evaluator for the subset of the Logic Apps Workflow Definition Language that we use.

Reference: Microsoft's "Reference guide to workflow expression functions in Azure Logic Apps".
Values are plain JSON (dict, list, str, int, float, bool, None). Three error classes:

- `ExpressionError`: a runtime failure (wrong argument type, missing property, bad timestamp...).
  Logic Apps fails the action with code `InvalidTemplate`; so does `logicapp.runner`.
- `InvalidExpressionError`: what Logic Apps rejects when the definition is saved (syntax, unknown
  function, wrong argument count, undefined parameter or action). The runner raises it.
- `UnsupportedConstructError`: valid Logic Apps, but not implemented here. The runner raises it,
  so a local run never silently differs from the deployed one.
"""

from __future__ import annotations

import json
import math
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from tzlocal.windows_tz import win_tz

Json = Any


class ExpressionError(Exception):
    """An expression failed while being evaluated (Logic Apps: the action fails, `InvalidTemplate`)."""


class InvalidExpressionError(ExpressionError):
    """An expression Logic Apps would reject when the definition is saved."""


class UnsupportedConstructError(ExpressionError):
    """Valid in Logic Apps but not supported by this local evaluator or runner."""


# --------------------------------------------------------------------------------------------------
# Syntax tree and parser
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Json


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Access:
    """`target[key]`, `target?[key]` (null_safe) or `target.key`."""

    target: Node
    key: Node
    null_safe: bool


Node = Literal | Call | Access

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PROPERTY = re.compile(r"[A-Za-z0-9_$@-]+")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")


class _Parser:
    def __init__(self, text: str, pos: int = 0) -> None:
        self.text = text
        self.pos = pos

    def fail(self, what: str) -> InvalidExpressionError:
        return InvalidExpressionError(f"{what} at position {self.pos} in expression '{self.text}'")

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def startswith(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def expect(self, token: str) -> None:
        self.skip_ws()
        if not self.startswith(token):
            raise self.fail(f"expected '{token}'")
        self.pos += len(token)

    def expression(self) -> Node:
        node = self.primary()
        while True:
            self.skip_ws()
            if self.startswith("?["):
                self.pos += 2
                node = Access(node, self.index_key(), null_safe=True)
            elif self.startswith("["):
                self.pos += 1
                node = Access(node, self.index_key(), null_safe=False)
            elif self.startswith("."):
                self.pos += 1
                match = _PROPERTY.match(self.text, self.pos)
                if not match:
                    raise self.fail("expected a property name after '.'")
                self.pos = match.end()
                node = Access(node, Literal(match.group()), null_safe=False)
            else:
                return node

    def index_key(self) -> Node:
        self.skip_ws()
        key = self.expression()
        self.expect("]")
        return key

    def primary(self) -> Node:
        self.skip_ws()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end")
        if self.startswith("'"):
            return Literal(self.string_literal())
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            token = number.group()
            return Literal(float(token) if "." in token else int(token))
        ident = _IDENT.match(self.text, self.pos)
        if not ident:
            raise self.fail(f"unexpected character '{self.text[self.pos]}'")
        self.pos = ident.end()
        self.skip_ws()
        if self.startswith("("):
            self.pos += 1
            return Call(ident.group(), self.arguments())
        word = ident.group().lower()
        if word in ("true", "false", "null"):
            return Literal({"true": True, "false": False, "null": None}[word])
        raise self.fail(f"unknown identifier '{ident.group()}' (functions need parentheses)")

    def arguments(self) -> tuple[Node, ...]:
        self.skip_ws()
        if self.startswith(")"):
            self.pos += 1
            return ()
        args = [self.expression()]
        while True:
            self.skip_ws()
            if self.startswith(")"):
                self.pos += 1
                return tuple(args)
            self.expect(",")
            args.append(self.expression())

    def string_literal(self) -> str:
        self.pos += 1  # opening quote
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "'":
                if self.text.startswith("''", self.pos):  # '' is an escaped quote
                    chars.append("'")
                    self.pos += 2
                    continue
                self.pos += 1
                return "".join(chars)
            chars.append(char)
            self.pos += 1
        raise self.fail("unterminated string literal")


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """Parse one expression (the text after `@`, or inside `@{...}`); validates function names and arity."""
    parser = _Parser(text)
    node = parser.expression()
    parser.skip_ws()
    if parser.pos != len(text):
        raise parser.fail("unexpected text after the expression")
    _validate(node, text)
    return node


def _validate(node: Node, text: str) -> None:
    if isinstance(node, Access):
        _validate(node.target, text)
        _validate(node.key, text)
    elif isinstance(node, Call):
        spec = _FUNCTIONS.get(node.name.lower())
        if spec is None:
            raise InvalidExpressionError(f"unknown function '{node.name}' in expression '{text}'")
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            raise InvalidExpressionError(
                f"function '{node.name}' expects {spec.arity_text()} argument(s) but got {count} in expression '{text}'"
            )
        for arg in node.args:
            _validate(arg, text)


# A parsed definition string: literal text, a whole expression, or interpolation parts.
@dataclass(frozen=True)
class Template:
    kind: str  # "literal" | "expression" | "interpolation"
    literal: str = ""
    expression: str = ""
    parts: tuple[str | tuple[str], ...] = ()  # str = literal text, (expr,) = an @{expr}


@lru_cache(maxsize=4096)
def parse_template(value: str) -> Template:
    """Classify a string from a definition: `@@...` literal, `@expr`, `...@{expr}...`, or plain text."""
    if value.startswith("@@"):
        return Template("literal", literal=value[1:])
    if value.startswith("@") and not value.startswith("@{"):
        parse(value[1:])
        return Template("expression", expression=value[1:])
    if "@{" not in value:
        return Template("literal", literal=value)
    parts: list[str | tuple[str]] = []
    pos = 0
    while (start := value.find("@{", pos)) != -1:
        if start > pos:
            parts.append(value[pos:start])
        parser = _Parser(value, start + 2)
        parser.expression()
        parser.expect("}")
        expr = value[start + 2 : parser.pos - 1].strip()
        parse(expr)
        parts.append((expr,))
        pos = parser.pos
    if pos < len(value):
        parts.append(value[pos:])
    return Template("interpolation", parts=tuple(parts))


def iter_expressions(value: Json) -> Iterator[str]:
    """Every expression text in a JSON value: whole-string `@expr` and each interpolated `@{expr}`."""
    if isinstance(value, dict):
        for item in value.values():
            yield from iter_expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_expressions(item)
    elif isinstance(value, str):
        template = parse_template(value)
        if template.kind == "expression":
            yield template.expression
        elif template.kind == "interpolation":
            yield from (part[0] for part in template.parts if isinstance(part, tuple))


_ACTION_FUNCTIONS = frozenset({"body", "outputs", "actions", "result", "actionbody", "actionoutputs"})


def referenced_actions(text: str) -> set[str]:
    """Action names passed as literals to body()/outputs()/actions()/result() in an expression.

    Accepts an expression (as yielded by `iter_expressions`) or a definition string (`@...`, `..@{..}..`).
    """
    if text.startswith("@"):
        return {name for expr in iter_expressions(text) for name in referenced_actions(expr)}
    names: set[str] = set()
    stack: list[Node] = [parse(text)]
    while stack:
        node = stack.pop()
        if isinstance(node, Access):
            stack += [node.target, node.key]
        elif isinstance(node, Call):
            first = node.args[0] if node.args else None
            if node.name.lower() in _ACTION_FUNCTIONS and isinstance(first, Literal):
                names.add(str(first.value))
            stack += list(node.args)
    return names


# --------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------


@dataclass
class EvaluationContext:
    """Everything an expression can see. The runner fills `actions`/`bodies`/`results` as actions end.

    actions: name -> the `actions(name)` object (name, status, code, startTime, endTime, inputs, outputs, error)
    bodies: name -> what `body(name)` returns
    results: scope name -> the `result(scope)` array
    defined_actions: every action name in the definition (None: don't check)
    guid_factory: makes `guid()` deterministic; without it `guid()` is unsupported
    """

    now: datetime
    parameters: dict[str, Json] = field(default_factory=dict)
    actions: dict[str, dict[str, Json]] = field(default_factory=dict)
    bodies: dict[str, Json] = field(default_factory=dict)
    results: dict[str, list[dict[str, Json]]] = field(default_factory=dict)
    items: list[Json] = field(default_factory=list)
    trigger: dict[str, Json] | None = None
    workflow: dict[str, Json] = field(default_factory=dict)
    defined_actions: set[str] | None = None
    guid_factory: Callable[[], uuid.UUID] | None = None


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
    template = parse_template(value)
    if template.kind == "literal":
        return template.literal
    if template.kind == "expression":
        return evaluate_expression(template.expression, ctx)
    return "".join(
        part if isinstance(part, str) else to_string(evaluate_expression(part[0], ctx)) for part in template.parts
    )


def evaluate_expression(text: str, ctx: EvaluationContext) -> Json:
    """Evaluate one expression text (without the leading `@`); errors name the expression."""
    node = parse(text)
    try:
        return _eval(node, ctx)
    except ExpressionError as exc:
        raise type(exc)(f"{exc} (in expression '{text}')") from exc


def _eval(node: Node, ctx: EvaluationContext) -> Json:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Access):
        return _access(_eval(node.target, ctx), _eval(node.key, ctx), node.null_safe)
    spec = _FUNCTIONS[node.name.lower()]
    if spec.lazy:
        return spec.fn(node.args, ctx)
    return spec.fn([_eval(arg, ctx) for arg in node.args], ctx)


def _access(target: Json, key: Json, null_safe: bool) -> Json:
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
        if not _is_int(key):
            raise ExpressionError(f"an array item must be selected by an integer index, not {type_name(key)}")
        if 0 <= key < len(target):
            return target[key]
        if null_safe:
            return None
        raise ExpressionError(f"index {key} is out of range for an array of length {len(target)}")
    raise ExpressionError(f"property '{to_string(key)}' cannot be selected on a value of type {type_name(target)}")


# --------------------------------------------------------------------------------------------------
# JSON value helpers
# --------------------------------------------------------------------------------------------------


def _is_int(value: Json) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Json) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def type_name(value: Json) -> str:
    """The Logic Apps name of a JSON value's type, for error messages."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    return {float: "Float", str: "String", list: "Array", dict: "Object"}.get(type(value), type(value).__name__)


def _float_text(value: float) -> str:
    """.NET's shortest round-trip text for a double: `2.0` -> `2`, `1e-07` -> `1E-07`."""
    if math.isnan(value) or math.isinf(value):
        raise ExpressionError(f"cannot convert the number {value} to JSON")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa.removesuffix('.0')}E{sign}{exponent.lstrip('+-').rjust(2, '0')}"
    return text


def to_json_text(value: Json) -> str:
    """Compact JSON text, as JSON.NET writes it (non-ASCII kept, `1.0` stays `1.0`)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def to_string(value: Json) -> str:
    """Logic Apps' string conversion (`string()`, `@{...}`).

    null -> "" ; strings as-is ; numbers as .NET prints them ; booleans `True`/`False` (JSON.NET
    `JValue.ToString()`, as Logic Apps shows them) ; objects and arrays as compact JSON text.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    return to_json_text(value)


def _values_equal(left: Json, right: Json) -> bool:
    """`equals()`: deep, numbers by value, `true` == 1 and `false` == 0 (documented), null == ''."""
    left = "" if left is None else left
    right = "" if right is None else right
    if isinstance(left, bool) and _is_number(right):
        left = int(left)
    if isinstance(right, bool) and _is_number(left):
        right = int(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if _is_number(left) and _is_number(right):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_values_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_values_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


# --------------------------------------------------------------------------------------------------
# Function registry and argument checking
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    fn: Callable[..., Json]
    min_args: int
    max_args: int | None
    lazy: bool = False  # receives unevaluated nodes (short-circuit functions)

    def arity_text(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.min_args == self.max_args:
            return str(self.min_args)
        return f"{self.min_args} to {self.max_args}"


_FUNCTIONS: dict[str, _Spec] = {}


def _function(name: str, min_args: int, max_args: int | None, *, lazy: bool = False) -> Callable:
    def register(fn: Callable[..., Json]) -> Callable[..., Json]:
        _FUNCTIONS[name.lower()] = _Spec(fn, min_args, max_args, lazy)
        return fn

    return register


def _bad_arg(fn: str, index: int, expected: str, value: Json) -> ExpressionError:
    return ExpressionError(
        f"function '{fn}' expects its parameter {index + 1} to be {expected}; "
        f"the provided value is of type '{type_name(value)}'"
    )


def _str_arg(fn: str, args: list[Json], index: int) -> str:
    value = args[index]
    if not isinstance(value, str):
        raise _bad_arg(fn, index, "a string", value)
    return value


def _int_arg(fn: str, args: list[Json], index: int) -> int:
    value = args[index]
    if not _is_int(value):
        raise _bad_arg(fn, index, "an integer", value)
    return value


def _num_arg(fn: str, args: list[Json], index: int) -> int | float:
    value = args[index]
    if not _is_number(value):
        raise _bad_arg(fn, index, "an integer or a float", value)
    return value


def _bool_arg(fn: str, value: Json, index: int) -> bool:
    if not isinstance(value, bool):
        raise _bad_arg(fn, index, "a boolean", value)
    return value


def _opt(args: list[Json], index: int) -> Json:
    return args[index] if len(args) > index else None


def _check_locale(fn: str, locale: Json) -> None:
    if locale is None:
        return
    if not isinstance(locale, str):
        raise ExpressionError(f"function '{fn}' expects the locale to be a string")
    if locale.lower() != "en-us":
        raise UnsupportedConstructError(f"function '{fn}': locale '{locale}' is not supported (only en-US)")


# --- workflow functions -----------------------------------------------------------------------------


@_function("parameters", 1, 1)
def _parameters(args: list[Json], ctx: EvaluationContext) -> Json:
    name = _str_arg("parameters", args, 0)
    if name not in ctx.parameters:
        raise InvalidExpressionError(f"the workflow parameter '{name}' is not found")
    return ctx.parameters[name]


def _action_record(fn: str, args: list[Json], ctx: EvaluationContext) -> tuple[str, dict[str, Json]]:
    name = _str_arg(fn, args, 0)
    if ctx.defined_actions is not None and name not in ctx.defined_actions:
        raise InvalidExpressionError(f"function '{fn}' references action '{name}', which is not defined")
    record = ctx.actions.get(name)
    if record is None:
        raise ExpressionError(f"function '{fn}': action '{name}' has not run yet")
    return name, record


def _ran_action(fn: str, args: list[Json], ctx: EvaluationContext) -> tuple[str, dict[str, Json]]:
    name, record = _action_record(fn, args, ctx)
    if record.get("status") == "Skipped":
        raise ExpressionError(f"function '{fn}': action '{name}' was skipped, so it has no outputs")
    return name, record


@_function("body", 1, 1)
def _body(args: list[Json], ctx: EvaluationContext) -> Json:
    name, _ = _ran_action("body", args, ctx)
    return ctx.bodies.get(name)


@_function("outputs", 1, 1)
def _outputs(args: list[Json], ctx: EvaluationContext) -> Json:
    return _ran_action("outputs", args, ctx)[1].get("outputs")


@_function("actions", 1, 1)
def _actions(args: list[Json], ctx: EvaluationContext) -> Json:
    return _action_record("actions", args, ctx)[1]


@_function("result", 1, 1)
def _result(args: list[Json], ctx: EvaluationContext) -> Json:
    name, _ = _action_record("result", args, ctx)
    if name not in ctx.results:
        raise ExpressionError(f"function 'result': action '{name}' is not a scope")
    return ctx.results[name]


@_function("item", 0, 0)
def _item(args: list[Json], ctx: EvaluationContext) -> Json:
    if not ctx.items:
        raise InvalidExpressionError("function 'item' can only be used inside a repeating action")
    return ctx.items[-1]


@_function("items", 1, 1)
def _items(args: list[Json], ctx: EvaluationContext) -> Json:
    raise UnsupportedConstructError("function 'items' (For each loops) is not supported locally")


def _trigger_object(ctx: EvaluationContext) -> dict[str, Json]:
    if ctx.trigger is None:
        raise ExpressionError("no trigger information in this context")
    return ctx.trigger


@_function("trigger", 0, 0)
def _trigger(args: list[Json], ctx: EvaluationContext) -> Json:
    return _trigger_object(ctx)


@_function("triggerOutputs", 0, 0)
def _trigger_outputs(args: list[Json], ctx: EvaluationContext) -> Json:
    return _trigger_object(ctx).get("outputs")


@_function("triggerBody", 0, 0)
def _trigger_body(args: list[Json], ctx: EvaluationContext) -> Json:
    outputs = _trigger_object(ctx).get("outputs")
    return outputs.get("body") if isinstance(outputs, dict) else None


@_function("workflow", 0, 0)
def _workflow(args: list[Json], ctx: EvaluationContext) -> Json:
    return ctx.workflow


# --- string functions -------------------------------------------------------------------------------


@_function("concat", 2, None)
def _concat(args: list[Json], ctx: EvaluationContext) -> Json:
    # Documented for strings; the runtime converts other values like string() does.
    return "".join(to_string(arg) for arg in args)


@_function("string", 1, 1)
def _string(args: list[Json], ctx: EvaluationContext) -> Json:
    return to_string(args[0])


@_function("replace", 3, 3)
def _replace(args: list[Json], ctx: EvaluationContext) -> Json:
    text, old, new = (_str_arg("replace", args, i) for i in range(3))
    if old == "":
        raise ExpressionError("function 'replace' cannot replace an empty string")
    return text.replace(old, new)


@_function("toLower", 1, 1)
def _to_lower(args: list[Json], ctx: EvaluationContext) -> Json:
    return _str_arg("toLower", args, 0).lower()


@_function("toUpper", 1, 1)
def _to_upper(args: list[Json], ctx: EvaluationContext) -> Json:
    return _str_arg("toUpper", args, 0).upper()


@_function("substring", 2, 3)
def _substring(args: list[Json], ctx: EvaluationContext) -> Json:
    text = _str_arg("substring", args, 0)
    start = _int_arg("substring", args, 1)
    length = _int_arg("substring", args, 2) if len(args) > 2 else len(text) - start
    if start < 0 or length < 0 or start + length > len(text):
        raise ExpressionError(
            f"function 'substring': start index {start} and length {length} are outside the string (length {len(text)})"
        )
    return text[start : start + length]


def _fold(text: str) -> str:
    # Ordinal ignore-case, keeping the string length (so indexes still match the original).
    return "".join(upper if len(upper := char.upper()) == 1 else char for char in text)


@_function("indexOf", 2, 2)
def _index_of(args: list[Json], ctx: EvaluationContext) -> Json:
    text, search = _str_arg("indexOf", args, 0), _str_arg("indexOf", args, 1)
    return _fold(text).find(_fold(search))


@_function("lastIndexOf", 2, 2)
def _last_index_of(args: list[Json], ctx: EvaluationContext) -> Json:
    text, search = _str_arg("lastIndexOf", args, 0), _str_arg("lastIndexOf", args, 1)
    if search == "":  # documented: string length minus 1 (0 for an empty string)
        return max(len(text) - 1, 0)
    return _fold(text).rfind(_fold(search))


@_function("split", 2, 2)
def _split(args: list[Json], ctx: EvaluationContext) -> Json:
    text, delimiter = _str_arg("split", args, 0), _str_arg("split", args, 1)
    return text.split(delimiter) if delimiter else [text]


@_function("trim", 1, 1)
def _trim(args: list[Json], ctx: EvaluationContext) -> Json:
    return _str_arg("trim", args, 0).strip()


@_function("startsWith", 2, 2)
def _starts_with(args: list[Json], ctx: EvaluationContext) -> Json:
    text, search = _str_arg("startsWith", args, 0), _str_arg("startsWith", args, 1)
    return _fold(text).startswith(_fold(search))


@_function("endsWith", 2, 2)
def _ends_with(args: list[Json], ctx: EvaluationContext) -> Json:
    text, search = _str_arg("endsWith", args, 0), _str_arg("endsWith", args, 1)
    return _fold(text).endswith(_fold(search))


_GUID_FORMATS = {"N": "{0.hex}", "D": "{0}", "B": "{{{0}}}", "P": "({0})"}


@_function("guid", 0, 1)
def _guid(args: list[Json], ctx: EvaluationContext) -> Json:
    if ctx.guid_factory is None:
        raise UnsupportedConstructError("function 'guid' is random; give the context a guid_factory")
    fmt = _str_arg("guid", args, 0).upper() if args else "D"
    if fmt not in _GUID_FORMATS:
        raise UnsupportedConstructError(f"function 'guid': format '{fmt}' is not supported")
    return _GUID_FORMATS[fmt].format(ctx.guid_factory())


@_function("formatNumber", 2, 3)
def _format_number_fn(args: list[Json], ctx: EvaluationContext) -> Json:
    number = _num_arg("formatNumber", args, 0)
    fmt = _str_arg("formatNumber", args, 1)
    _check_locale("formatNumber", _opt(args, 2))
    return format_number(number, fmt)


def _uri_component(fn: str, args: list[Json]) -> str:
    # Like .NET Uri.EscapeDataString: everything but RFC 3986 unreserved characters is escaped.
    return urllib.parse.quote(_str_arg(fn, args, 0), safe="")


@_function("uriComponent", 1, 1)
def _uri_component_fn(args: list[Json], ctx: EvaluationContext) -> Json:
    return _uri_component("uriComponent", args)


@_function("encodeUriComponent", 1, 1)
def _encode_uri_component(args: list[Json], ctx: EvaluationContext) -> Json:
    return _uri_component("encodeUriComponent", args)


# --- collection functions ---------------------------------------------------------------------------


def _collection(fn: str, args: list[Json], index: int, kinds: tuple[type, ...], expected: str) -> Any:
    value = args[index]
    if not isinstance(value, kinds):
        raise _bad_arg(fn, index, expected, value)
    return value


@_function("length", 1, 1)
def _length(args: list[Json], ctx: EvaluationContext) -> Json:
    return len(_collection("length", args, 0, (str, list), "a string or an array"))


@_function("empty", 1, 1)
def _empty(args: list[Json], ctx: EvaluationContext) -> Json:
    if args[0] is None:
        return True
    return len(_collection("empty", args, 0, (str, list, dict), "a string, an array or an object")) == 0


@_function("first", 1, 1)
def _first(args: list[Json], ctx: EvaluationContext) -> Json:
    collection = _collection("first", args, 0, (str, list), "a string or an array")
    return collection[0] if collection else None


@_function("last", 1, 1)
def _last(args: list[Json], ctx: EvaluationContext) -> Json:
    collection = _collection("last", args, 0, (str, list), "a string or an array")
    return collection[-1] if collection else None


def _count_arg(fn: str, args: list[Json]) -> int:
    count = _int_arg(fn, args, 1)
    if count < 0:
        raise ExpressionError(f"function '{fn}' expects a count of zero or more, got {count}")
    return count


@_function("take", 2, 2)
def _take(args: list[Json], ctx: EvaluationContext) -> Json:
    collection = _collection("take", args, 0, (str, list), "a string or an array")
    return collection[: _count_arg("take", args)]


@_function("skip", 2, 2)
def _skip(args: list[Json], ctx: EvaluationContext) -> Json:
    collection = _collection("skip", args, 0, (list,), "an array")
    return collection[_count_arg("skip", args) :]


@_function("join", 2, 2)
def _join(args: list[Json], ctx: EvaluationContext) -> Json:
    items = _collection("join", args, 0, (list,), "an array")
    return _str_arg("join", args, 1).join(to_string(item) for item in items)


@_function("contains", 2, 2)
def _contains(args: list[Json], ctx: EvaluationContext) -> Json:
    collection, value = args
    if isinstance(collection, str):
        return _str_arg("contains", args, 1) in collection  # case-sensitive, as documented
    if isinstance(collection, list):
        return any(_values_equal(item, value) for item in collection)
    if isinstance(collection, dict):
        return _str_arg("contains", args, 1) in collection
    raise _bad_arg("contains", 0, "a string, an array or an object", collection)


@_function("createArray", 2, None)
def _create_array(args: list[Json], ctx: EvaluationContext) -> Json:
    return list(args)


def _same_kind_collections(fn: str, args: list[Json]) -> type:
    kind = list if isinstance(args[0], list) else dict
    for index, arg in enumerate(args):
        if not isinstance(arg, kind):
            raise _bad_arg(fn, index, "an array" if kind is list else "an object", arg)
    return kind


def _append_unique(items: list[Json], value: Json) -> None:
    if not any(_values_equal(item, value) for item in items):
        items.append(value)


@_function("union", 2, None)
def _union(args: list[Json], ctx: EvaluationContext) -> Json:
    if _same_kind_collections("union", args) is dict:
        return {key: value for arg in args for key, value in arg.items()}
    merged: list[Json] = []
    for arg in args:
        for item in arg:
            _append_unique(merged, item)
    return merged


@_function("intersection", 2, None)
def _intersection(args: list[Json], ctx: EvaluationContext) -> Json:
    first, rest = args[0], args[1:]
    if _same_kind_collections("intersection", args) is dict:
        return {
            key: rest[-1][key]
            for key, value in first.items()
            if all(key in other and _values_equal(other[key], value) for other in rest)
        }
    common: list[Json] = []
    for item in first:
        if all(any(_values_equal(item, other_item) for other_item in other) for other in rest):
            _append_unique(common, item)
    return common


# --- logical functions (if/and/or short-circuit) -----------------------------------------------------


@_function("if", 3, 3, lazy=True)
def _if(nodes: tuple[Node, ...], ctx: EvaluationContext) -> Json:
    # Short-circuit: only the chosen branch is evaluated (current Logic Apps runtime behaviour).
    condition = _bool_arg("if", _eval(nodes[0], ctx), 0)
    return _eval(nodes[1] if condition else nodes[2], ctx)


@_function("and", 2, None, lazy=True)
def _and(nodes: tuple[Node, ...], ctx: EvaluationContext) -> Json:
    return all(_bool_arg("and", _eval(node, ctx), index) for index, node in enumerate(nodes))


@_function("or", 2, None, lazy=True)
def _or(nodes: tuple[Node, ...], ctx: EvaluationContext) -> Json:
    return any(_bool_arg("or", _eval(node, ctx), index) for index, node in enumerate(nodes))


@_function("not", 1, 1)
def _not(args: list[Json], ctx: EvaluationContext) -> Json:
    return not _bool_arg("not", args[0], 0)


@_function("equals", 2, 2)
def _equals(args: list[Json], ctx: EvaluationContext) -> Json:
    return _values_equal(args[0], args[1])


def _comparable(fn: str, args: list[Json]) -> tuple[Any, Any]:
    # Logical comparisons treat null as "" (documented).
    left, right = ("" if arg is None else arg for arg in args)
    if (_is_number(left) and _is_number(right)) or (isinstance(left, str) and isinstance(right, str)):
        return left, right
    raise ExpressionError(
        f"function '{fn}' expects two numbers or two strings; got '{type_name(left)}' and '{type_name(right)}'"
    )


@_function("greater", 2, 2)
def _greater(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _comparable("greater", args)
    return left > right


@_function("greaterOrEquals", 2, 2)
def _greater_or_equals(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _comparable("greaterOrEquals", args)
    return left >= right


@_function("less", 2, 2)
def _less(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _comparable("less", args)
    return left < right


@_function("lessOrEquals", 2, 2)
def _less_or_equals(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _comparable("lessOrEquals", args)
    return left <= right


@_function("coalesce", 1, None)
def _coalesce(args: list[Json], ctx: EvaluationContext) -> Json:
    return next((arg for arg in args if arg is not None), None)


# --- math and conversion functions -------------------------------------------------------------------


def _two_numbers(fn: str, args: list[Json]) -> tuple[int | float, int | float]:
    return _num_arg(fn, args, 0), _num_arg(fn, args, 1)


@_function("add", 2, 2)
def _add(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _two_numbers("add", args)
    return left + right


@_function("sub", 2, 2)
def _sub(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _two_numbers("sub", args)
    return left - right


@_function("mul", 2, 2)
def _mul(args: list[Json], ctx: EvaluationContext) -> Json:
    left, right = _two_numbers("mul", args)
    return left * right


def _nonzero_divisor(fn: str, divisor: int | float) -> None:
    if divisor == 0:
        raise ExpressionError(f"function '{fn}': attempted to divide by zero")


@_function("div", 2, 2)
def _div(args: list[Json], ctx: EvaluationContext) -> Json:
    dividend, divisor = _two_numbers("div", args)
    _nonzero_divisor("div", divisor)
    if _is_int(dividend) and _is_int(divisor):  # integer division truncating toward zero, like C#
        quotient = abs(dividend) // abs(divisor)
        return quotient if (dividend < 0) == (divisor < 0) else -quotient
    return dividend / divisor


@_function("mod", 2, 2)
def _mod(args: list[Json], ctx: EvaluationContext) -> Json:
    dividend, divisor = _two_numbers("mod", args)
    _nonzero_divisor("mod", divisor)
    if _is_int(dividend) and _is_int(divisor):  # C# remainder: the sign follows the dividend
        remainder = abs(dividend) % abs(divisor)
        return remainder if dividend >= 0 else -remainder
    return math.fmod(dividend, divisor)


def _numbers_for(fn: str, args: list[Json]) -> list[int | float]:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    if not values:
        raise ExpressionError(f"function '{fn}' needs at least one number")
    for index, value in enumerate(values):
        if not _is_number(value):
            raise _bad_arg(fn, index, "an integer or a float", value)
    return values


@_function("min", 1, None)
def _min(args: list[Json], ctx: EvaluationContext) -> Json:
    return min(_numbers_for("min", args))


@_function("max", 1, None)
def _max(args: list[Json], ctx: EvaluationContext) -> Json:
    return max(_numbers_for("max", args))


@_function("int", 1, 1)
def _int(args: list[Json], ctx: EvaluationContext) -> Json:
    value = args[0]
    if _is_int(value):
        return value
    text = _str_arg("int", args, 0)
    if not re.fullmatch(r"\s*[-+]?\d+\s*", text):
        raise ExpressionError(f"function 'int' cannot convert '{text}' to an integer")
    return int(text)


@_function("float", 1, 2)
def _float(args: list[Json], ctx: EvaluationContext) -> Json:
    _check_locale("float", _opt(args, 1))
    value = args[0]
    if _is_number(value):
        return float(value)
    text = _str_arg("float", args, 0)
    # en-US number styles: thousands separators allowed, '.' as the decimal point.
    if not re.fullmatch(r"\s*[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?([eE][-+]?\d+)?\s*", text) or not re.search(
        r"\d", text
    ):
        raise ExpressionError(f"function 'float' cannot convert '{text}' to a float")
    return float(text.replace(",", ""))


@_function("bool", 1, 1)
def _bool(args: list[Json], ctx: EvaluationContext) -> Json:
    value = args[0]
    if isinstance(value, bool):
        return value
    if _is_number(value):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ExpressionError(f"function 'bool' cannot convert a value of type '{type_name(value)}' ({value!r})")


@_function("json", 1, 1)
def _json(args: list[Json], ctx: EvaluationContext) -> Json:
    value = args[0]
    if value is None:
        return {}  # documented: null gives an empty object
    if isinstance(value, dict | list):
        return value
    text = _str_arg("json", args, 0)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExpressionError(f"function 'json' cannot parse its argument as JSON: {exc}") from exc


# --------------------------------------------------------------------------------------------------
# Timestamps and .NET date/time formatting
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """A .NET DateTime: wall-clock time, 100 ns ticks of the second, and its kind (Z or unspecified)."""

    wall: datetime  # naive, microsecond == 0
    ticks: int  # 0..9_999_999
    utc: bool

    def shift(self, delta: timedelta) -> Stamp:
        return Stamp(self.wall + delta, self.ticks, self.utc)


_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*([Zz]|[-+]\d{2}:?\d{2})?"
)
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?)?")


def parse_timestamp(text: Json, fn: str = "timestamp") -> Stamp:
    """Parse ISO 8601 or en-US `M/d/yyyy h:mm:ss [AM|PM]`. Offsets convert to UTC; no designator = UTC."""
    if not isinstance(text, str):
        raise ExpressionError(f"function '{fn}' expects a timestamp string, got '{type_name(text)}'")
    try:
        if match := _ISO.fullmatch(text.strip()):
            return _stamp_from_iso(match)
        if match := _US.fullmatch(text.strip()):
            return _stamp_from_us(match)
    except ValueError as exc:
        raise ExpressionError(f"function '{fn}': '{text}' is not a valid timestamp ({exc})") from exc
    raise ExpressionError(f"function '{fn}': the string '{text}' is not a valid timestamp")


def _stamp_from_iso(match: re.Match[str]) -> Stamp:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    wall = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    ticks = int((fraction or "0").ljust(7, "0"))
    if zone and zone not in "Zz":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        wall -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return Stamp(wall, ticks, utc=True)


def _stamp_from_us(match: re.Match[str]) -> Stamp:
    month, day, year, hour, minute, second, meridiem = match.groups()
    hour_value = int(hour or 0)
    if meridiem:
        if not 1 <= hour_value <= 12:
            raise ValueError("hour must be 1..12 with AM/PM")
        hour_value = hour_value % 12 + (12 if meridiem.lower() == "pm" else 0)
    wall = datetime(int(year), int(month), int(day), hour_value, int(minute or 0), int(second or 0))
    return Stamp(wall, 0, utc=True)


def stamp_from_datetime(moment: datetime) -> Stamp:
    """A UTC stamp from a datetime (naive datetimes are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return Stamp(moment.replace(microsecond=0), moment.microsecond * 10, utc=True)


def windows_zone(name: Json, fn: str) -> ZoneInfo:
    """A Windows time zone id (as Logic Apps takes them) as a zoneinfo zone."""
    if not isinstance(name, str):
        raise ExpressionError(f"function '{fn}' expects a time zone name, got '{type_name(name)}'")
    iana = win_tz.get(name)
    if iana is None:
        raise ExpressionError(f"function '{fn}': '{name}' is not a Windows time zone id")
    return ZoneInfo(iana)


def _convert(stamp: Stamp, source: ZoneInfo, destination: ZoneInfo) -> Stamp:
    aware = stamp.wall.replace(tzinfo=source)
    converted = aware.astimezone(destination)
    is_utc = converted.utcoffset() == timedelta(0) and destination.key in ("Etc/UTC", "UTC", "Etc/GMT")
    return Stamp(converted.replace(tzinfo=None), stamp.ticks, utc=is_utc)


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# en-US standard date/time formats as .NET custom patterns.
_STANDARD_DATE_FORMATS = {
    "d": "M/d/yyyy",
    "D": "dddd, MMMM d, yyyy",
    "f": "dddd, MMMM d, yyyy h:mm tt",
    "F": "dddd, MMMM d, yyyy h:mm:ss tt",
    "g": "M/d/yyyy h:mm tt",
    "G": "M/d/yyyy h:mm:ss tt",
    "m": "MMMM d",
    "M": "MMMM d",
    "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "t": "h:mm tt",
    "T": "h:mm:ss tt",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
    "U": "dddd, MMMM d, yyyy h:mm:ss tt",
    "y": "MMMM yyyy",
    "Y": "MMMM yyyy",
}

_DATE_SPECIFIERS = frozenset("dfFghHKmMstyz")


def format_datetime(stamp: Stamp, fmt: str | None) -> str:
    """Format like .NET `DateTime.ToString(format, en-US)`; default format "o"."""
    fmt = fmt or "o"
    if len(fmt) == 1:
        if fmt not in _STANDARD_DATE_FORMATS:
            raise ExpressionError(f"'{fmt}' is not a valid standard date and time format specifier")
        fmt = _STANDARD_DATE_FORMATS[fmt]
    out: list[str] = []
    pos = 0
    while pos < len(fmt):
        pos = _format_date_token(stamp, fmt, pos, out)
    return "".join(out)


def _quoted(fmt: str, pos: int, what: str) -> tuple[str, int]:
    """Literal text of a quoted section starting at `pos` (the quote); returns it and the next position."""
    quote, chars, pos = fmt[pos], [], pos + 1
    while pos < len(fmt) and fmt[pos] != quote:
        if fmt[pos] == "\\" and pos + 1 < len(fmt):
            pos += 1
        chars.append(fmt[pos])
        pos += 1
    if pos >= len(fmt):
        raise ExpressionError(f"unterminated quoted literal in {what} format '{fmt}'")
    return "".join(chars), pos + 1


def _format_date_token(stamp: Stamp, fmt: str, pos: int, out: list[str]) -> int:
    char = fmt[pos]
    if char in "'\"":
        text, pos = _quoted(fmt, pos, "date")
        out.append(text)
        return pos
    if char == "\\":
        if pos + 1 >= len(fmt):
            raise ExpressionError(f"format '{fmt}' ends with an escape character")
        out.append(fmt[pos + 1])
        return pos + 2
    if char == "%":  # '%x' uses x as a custom specifier; only meaningful before a specifier
        if pos + 1 >= len(fmt) or fmt[pos + 1] == "%":
            raise ExpressionError(f"invalid '%' in date format '{fmt}'")
        return pos + 1
    if char not in _DATE_SPECIFIERS:
        out.append(char)  # ':' and '/' are ':' and '/' in en-US; anything else is literal
        return pos + 1
    run = 1
    while pos + run < len(fmt) and fmt[pos + run] == char:
        run += 1
    _format_date_specifier(stamp, char, run, fmt, out)
    return pos + run


def _format_date_specifier(stamp: Stamp, char: str, run: int, fmt: str, out: list[str]) -> None:
    wall = stamp.wall
    if char in "fF":
        if run > 7:
            raise ExpressionError(f"too many '{char}' specifiers in date format '{fmt}'")
        digits = f"{stamp.ticks:07d}"[:run]
        if char == "F":
            digits = digits.rstrip("0")
            if not digits and out and out[-1].endswith("."):  # .NET drops the dot before an empty F
                out[-1] = out[-1][:-1]
        out.append(digits)
        return
    if char == "z":
        # Logic Apps' servers run in UTC: .NET prints the machine offset for non-UTC kinds too.
        out.append({1: "+0", 2: "+00"}.get(run, "+00:00"))
        return
    out.append(_date_field(wall, stamp.utc, char, run))


def _name(name: str, run: int) -> str:
    return name[:3] if run == 3 else name


def _date_field(wall: datetime, utc: bool, char: str, run: int) -> str:
    def number(value: int) -> str:
        return f"{value:0{min(run, 2)}d}"

    hour12 = wall.hour % 12 or 12
    table: dict[str, Callable[[], str]] = {
        "d": lambda: number(wall.day) if run <= 2 else _name(_DAYS[wall.weekday()], run),
        "M": lambda: number(wall.month) if run <= 2 else _name(_MONTHS[wall.month - 1], run),
        "y": lambda: number(wall.year % 100) if run <= 2 else f"{wall.year:0{run}d}",
        "h": lambda: number(hour12),
        "H": lambda: number(wall.hour),
        "m": lambda: number(wall.minute),
        "s": lambda: number(wall.second),
        "t": lambda: ("AM" if wall.hour < 12 else "PM")[: 1 if run == 1 else 2],
        "K": lambda: "Z" if utc else "",
        "g": lambda: "A.D.",
    }  # fmt: skip
    return table[char]()


def _format_arg(fn: str, args: list[Json], index: int) -> str | None:
    value = _opt(args, index)
    if value is not None and not isinstance(value, str):
        raise _bad_arg(fn, index, "a format string", value)
    return value


@_function("utcNow", 0, 1)
def _utc_now(args: list[Json], ctx: EvaluationContext) -> Json:
    return format_datetime(stamp_from_datetime(ctx.now), _format_arg("utcNow", args, 0))


@_function("formatDateTime", 1, 3)
def _format_date_time(args: list[Json], ctx: EvaluationContext) -> Json:
    _check_locale("formatDateTime", _opt(args, 2))
    stamp = parse_timestamp(args[0], "formatDateTime")
    return format_datetime(stamp, _format_arg("formatDateTime", args, 1))


def _add_time(fn: str, unit: str, args: list[Json]) -> str:
    stamp = parse_timestamp(args[0], fn)
    amount = _int_arg(fn, args, 1)
    try:
        shifted = stamp.shift(timedelta(**{unit: amount}))
    except OverflowError as exc:
        raise ExpressionError(f"function '{fn}': the result is out of range") from exc
    return format_datetime(shifted, _format_arg(fn, args, 2))


@_function("addDays", 2, 3)
def _add_days(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add_time("addDays", "days", args)


@_function("addHours", 2, 3)
def _add_hours(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add_time("addHours", "hours", args)


@_function("addMinutes", 2, 3)
def _add_minutes(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add_time("addMinutes", "minutes", args)


@_function("addSeconds", 2, 3)
def _add_seconds(args: list[Json], ctx: EvaluationContext) -> Json:
    return _add_time("addSeconds", "seconds", args)


@_function("startOfDay", 1, 2)
def _start_of_day(args: list[Json], ctx: EvaluationContext) -> Json:
    stamp = parse_timestamp(args[0], "startOfDay")
    midnight = Stamp(stamp.wall.replace(hour=0, minute=0, second=0), 0, stamp.utc)
    return format_datetime(midnight, _format_arg("startOfDay", args, 1))


@_function("convertFromUtc", 2, 3)
def _convert_from_utc(args: list[Json], ctx: EvaluationContext) -> Json:
    stamp = parse_timestamp(args[0], "convertFromUtc")
    converted = _convert(stamp, ZoneInfo("Etc/UTC"), windows_zone(args[1], "convertFromUtc"))
    return format_datetime(converted, _format_arg("convertFromUtc", args, 2))


@_function("convertTimeZone", 3, 4)
def _convert_time_zone(args: list[Json], ctx: EvaluationContext) -> Json:
    stamp = parse_timestamp(args[0], "convertTimeZone")
    source = windows_zone(args[1], "convertTimeZone")
    converted = _convert(stamp, source, windows_zone(args[2], "convertTimeZone"))
    return format_datetime(converted, _format_arg("convertTimeZone", args, 3))


# --------------------------------------------------------------------------------------------------
# .NET numeric formatting (en-US)
# --------------------------------------------------------------------------------------------------


def _to_decimal(number: int | float) -> Decimal:
    # Via the shortest repr, so 2.675 rounds to 2.68 as .NET Framework's formatting does.
    return Decimal(number) if isinstance(number, int) else Decimal(repr(float(number)))


def _round_away(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # ties away from zero


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


def _fixed(value: Decimal, places: int, grouping: bool) -> str:
    """|value| rounded to `places` decimals, optionally with thousands separators."""
    text = f"{abs(_round_away(value, places)):f}"
    whole, _, fraction = text.partition(".")
    whole = _group(whole) if grouping else whole
    return f"{whole}.{fraction}" if places else whole


_STANDARD_NUMBER = re.compile(r"([A-Za-z])(\d{0,9})")


def format_number(number: int | float, fmt: str) -> str:
    """Format like .NET `number.ToString(format, en-US)`: standard C/D/F/N/P, or a custom pattern."""
    if isinstance(number, float) and not math.isfinite(number):
        raise ExpressionError(f"function 'formatNumber' cannot format {number}")
    match = _STANDARD_NUMBER.fullmatch(fmt)
    if match:
        return _format_standard_number(number, match.group(1), match.group(2))
    return _format_custom_number(_to_decimal(number), fmt)


def _format_standard_number(number: int | float, letter: str, precision_text: str) -> str:
    spec = letter.upper()
    value = _to_decimal(number)
    precision = int(precision_text) if precision_text else None
    if spec == "D":
        if not isinstance(number, int):
            raise ExpressionError("format 'D' is only valid for integers")
        return ("-" if number < 0 else "") + str(abs(number)).rjust(precision or 0, "0")
    if spec in ("F", "N"):
        places = 2 if precision is None else precision
        body = _fixed(value, places, grouping=spec == "N")
        return ("-" if value < 0 and _round_away(value, places) != 0 else "") + body
    if spec == "P":
        places = 2 if precision is None else precision
        scaled = value * 100
        body = _fixed(scaled, places, grouping=True) + "%"
        return ("-" if scaled < 0 and _round_away(scaled, places) != 0 else "") + body
    if spec == "C":
        if value < 0:
            raise UnsupportedConstructError("format 'C' for negative numbers is not supported")
        return "$" + _fixed(value, 2 if precision is None else precision, grouping=True)
    if spec in ("E", "G", "R", "X", "B"):
        raise UnsupportedConstructError(f"numeric format '{letter}{precision_text}' is not supported")
    raise ExpressionError(f"'{letter}{precision_text}' is not a valid numeric format")


def _split_sections(fmt: str) -> list[str]:
    sections, current, pos = [], [], 0
    while pos < len(fmt):
        char = fmt[pos]
        if char in "'\"":
            _, end = _quoted(fmt, pos, "numeric")
            current.append(fmt[pos:end])
            pos = end
            continue
        if char == "\\" and pos + 1 < len(fmt):
            current.append(fmt[pos : pos + 2])
            pos += 2
            continue
        if char == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
        pos += 1
    sections.append("".join(current))
    if len(sections) > 3:
        raise ExpressionError(f"numeric format '{fmt}' has more than three sections")
    return sections


@dataclass
class _NumberPattern:
    """A tokenized custom numeric section: tokens are ('0'|'#'|'.'|','|'%'|'lit', text)."""

    tokens: list[tuple[str, str]]
    point: int  # index of the decimal point token, or len(tokens)
    grouping: bool = False
    scale: int = 0  # power of ten applied (percent: +2, each scaling comma: -3)

    @property
    def int_tokens(self) -> list[tuple[str, str]]:
        return self.tokens[: self.point]

    @property
    def frac_placeholders(self) -> list[str]:
        return [kind for kind, _ in self.tokens[self.point + 1 :] if kind in "0#"]


def _tokenize_number_section(section: str) -> _NumberPattern:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(section):
        char = section[pos]
        if char in "'\"":
            text, pos = _quoted(section, pos, "numeric")
            tokens.append(("lit", text))
            continue
        if char == "\\" and pos + 1 < len(section):
            tokens.append(("lit", section[pos + 1]))
            pos += 2
            continue
        if char in "eE" and re.match(r"[eE][-+]?0", section[pos:]):
            raise UnsupportedConstructError(f"scientific notation in numeric format '{section}' is not supported")
        if char == "‰":
            raise UnsupportedConstructError(f"per-mille in numeric format '{section}' is not supported")
        if char == "." and any(kind == "." for kind, _ in tokens):
            pos += 1  # .NET ignores every decimal point after the first
            continue
        tokens.append((char, char) if char in "0#.,%" else ("lit", char))
        pos += 1
    point = next((i for i, (kind, _) in enumerate(tokens) if kind == "."), len(tokens))
    pattern = _NumberPattern(tokens, point)
    _classify_commas(pattern)
    pattern.scale += 2 * sum(1 for kind, _ in tokens if kind == "%")
    return pattern


def _classify_commas(pattern: _NumberPattern) -> None:
    """Commas between digit placeholders group thousands; commas right before the point scale by 1000."""
    int_tokens = pattern.int_tokens
    digit_positions = [i for i, (kind, _) in enumerate(int_tokens) if kind in "0#"]
    if not digit_positions:
        return
    first, last = digit_positions[0], digit_positions[-1]
    pattern.grouping = any(kind == "," and first < i < last for i, (kind, _) in enumerate(int_tokens))
    trailing = 0
    for kind, _ in int_tokens[last + 1 :]:
        if kind != ",":
            break
        trailing += 1
    pattern.scale -= 3 * trailing


def _format_custom_number(value: Decimal, fmt: str) -> str:
    sections = [_tokenize_number_section(section) for section in _split_sections(fmt)]
    pattern, auto_sign = sections[0], value < 0
    if value < 0 and len(sections) > 1 and sections[1].tokens:
        pattern, auto_sign = sections[1], False
    rounded = _round_away(abs(value).scaleb(pattern.scale), len(pattern.frac_placeholders))
    if rounded == 0 and len(sections) > 2 and sections[2].tokens:
        pattern, auto_sign = sections[2], False
        rounded = _round_away(abs(value).scaleb(pattern.scale), len(pattern.frac_placeholders))
    text = _render_number(rounded, pattern)
    return ("-" + text) if auto_sign and rounded != 0 else text


def _render_number(rounded: Decimal, pattern: _NumberPattern) -> str:
    whole_text, _, frac_text = f"{rounded:f}".partition(".")
    frac_kinds = pattern.frac_placeholders
    min_frac = max((i + 1 for i, kind in enumerate(frac_kinds) if kind == "0"), default=0)
    frac_text = frac_text.ljust(len(frac_kinds), "0")[: len(frac_kinds)]
    while len(frac_text) > min_frac and frac_text.endswith("0"):
        frac_text = frac_text[:-1]
    int_kinds = [kind for kind, _ in pattern.int_tokens if kind in "0#"]
    first_zero = next((i for i, kind in enumerate(int_kinds) if kind == "0"), len(int_kinds))
    digits = whole_text.lstrip("0").rjust(len(int_kinds) - first_zero, "0")
    out = _render_integer_part(digits, pattern)
    for kind, text in pattern.tokens[pattern.point :]:
        if kind == ".":
            out.append("." if frac_text else "")
        elif kind in "0#":
            out.append(frac_text[:1])
            frac_text = frac_text[1:]
        elif kind != ",":
            out.append(text)
    return "".join(out)


def _render_integer_part(digits: str, pattern: _NumberPattern) -> list[str]:
    """Right-align digits to the placeholders; the first placeholder takes any extra digits."""
    count = sum(1 for kind, _ in pattern.int_tokens if kind in "0#")
    out: list[str] = []
    remaining = len(digits)  # digits not yet written, counted from the right
    seen = 0
    if count == 0:
        out.append(digits)
    for kind, text in pattern.int_tokens:
        if kind not in "0#":
            if kind != ",":
                out.append(text)
            continue
        seen += 1
        take = remaining - (count - seen) if seen == 1 else (1 if remaining > count - seen else 0)
        for _ in range(max(take, 0)):
            out.append(digits[len(digits) - remaining])
            remaining -= 1
            if pattern.grouping and remaining and remaining % 3 == 0:
                out.append(",")
    return out
