"""The syntax of Workflow Definition Language expressions: definition strings, tokens, syntax tree.

Sources (cited in docs/design.md, "The Logic Apps emulator"):
- Microsoft Learn, "Schema reference guide for the Workflow Definition Language" (Expressions and
  Operators): `@expr` makes a whole-string expression, `@{expr}` interpolates, `@@` escapes, string
  literals use single quotes only, `[]` indexes, `.` selects a property, `?` makes it null-safe
  (`trigger().outputs?.body?.<someProperty>`).
- Microsoft's designer parser, Azure/LogicAppsUX `libs/logic-apps-shared/src/parsers/lib/expression/
  scanner.ts` and `parser.ts`: the token rules the portal enforces before saving (identifier
  characters, numbers, `''` inside strings, `?` only before `.` or `[`, double quotes refused), and
  `helpers/expression.ts` `isTemplateExpression` (a one-character "@" is not an expression).

Only syntax that both refuse raises `InvalidExpressionError`. Where the two disagree the emulator
never says "invalid": `.3` (the reference writes `sub(10.3, .3)`) parses; array literals
(`length([1, 2, 3])` in the reference, refused by the designer) and object literals are unsupported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from securescore.emulator.errors import InvalidExpressionError, UnsupportedConstructError, cannot_run

Json = Any

# Limits and configuration reference for Azure Logic Apps: "Expression character limit: 8,192
# characters" (also Azure/LogicAppsUX parsers/lib/common/constants.ts maxExpressionLimit 8192).
MAX_EXPRESSION_LENGTH = 8192


@dataclass(frozen=True)
class Literal:
    value: Json


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Access:
    """`target[key]`, `target.key`, or their null-safe forms `target?[key]`, `target?.key`."""

    target: Node
    key: Node
    null_safe: bool


Node = Literal | Call | Access

# Characters that end an identifier (designer scanner: `[.,(){}@[\]?']` and whitespace).
_IDENTIFIER = re.compile(r"[^.,(){}@\[\]?'\s]+")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?")
_LITERAL_WORDS = {"true": True, "false": False, "null": None}


class _Parser:
    def __init__(self, text: str, pos: int = 0) -> None:
        self.text = text
        self.pos = pos

    def fail(self, what: str) -> InvalidExpressionError:
        return InvalidExpressionError(f"{what} at position {self.pos} in expression '{self.text}'")

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, token: str) -> bool:
        self.skip_ws()
        return self.text.startswith(token, self.pos)

    def expect(self, token: str) -> None:
        if not self.peek(token):
            raise self.fail(f"expected '{token}'")
        self.pos += len(token)

    def expression(self) -> Node:
        node = self.primary()
        while True:
            null_safe = self.peek("?")
            if null_safe:
                self.pos += 1
            if self.peek("["):
                self.pos += 1
                key = self.expression()
                self.expect("]")
                node = Access(node, key, null_safe)
            elif self.peek("."):
                self.pos += 1
                self.skip_ws()
                match = _IDENTIFIER.match(self.text, self.pos)
                if not match:
                    raise self.fail("expected a property name after '.'")
                self.pos = match.end()
                node = Access(node, Literal(match.group()), null_safe)
            elif null_safe:
                raise self.fail("expected '.' or '[' after '?'")
            else:
                return node

    def primary(self) -> Node:
        self.skip_ws()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end")
        char = self.text[self.pos]
        if char == "'":
            return Literal(self.string_literal())
        if char == "[":
            raise cannot_run("array literals ([...]) in an expression", "Microsoft's designer refuses them")
        if char == "{":
            raise cannot_run("object literals ({...}) in an expression")
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            if self.pos < len(self.text) and _IDENTIFIER.match(self.text[self.pos]) and self.text[self.pos] not in "+-":
                raise self.fail(f"unexpected character '{self.text[self.pos]}' after a number")
            token = number.group()
            return Literal(float(token) if any(c in token for c in ".e") else int(token))
        ident = _IDENTIFIER.match(self.text, self.pos)
        if not ident:
            raise self.fail(f"unexpected character '{char}'")
        word = ident.group()
        if word.startswith('"'):
            raise self.fail("double quotes are not string delimiters (use single quotes)")
        self.pos = ident.end()
        if self.peek("("):
            self.pos += 1
            return Call(word, self.arguments())
        if word.lower() in _LITERAL_WORDS:
            return Literal(_LITERAL_WORDS[word.lower()])
        raise self.fail(f"unknown identifier '{word}' (functions need parentheses)")

    def arguments(self) -> tuple[Node, ...]:
        if self.peek(")"):
            self.pos += 1
            return ()
        args = [self.expression()]
        while not self.peek(")"):
            self.expect(",")
            args.append(self.expression())
        self.pos += 1
        return tuple(args)

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


@lru_cache(maxsize=8192)
def parse_syntax(text: str) -> Node:
    """The syntax tree of one expression (the text after `@`, or inside `@{...}`); syntax only."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise InvalidExpressionError(
            f"the expression is {len(text)} characters long; Logic Apps allows {MAX_EXPRESSION_LENGTH}"
        )
    parser = _Parser(text)
    node = parser.expression()
    parser.skip_ws()
    if parser.pos != len(text):
        raise parser.fail("unexpected text after the expression")
    return node


# --------------------------------------------------------------------------------------------------
# Definition strings
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A definition string: literal text, one whole expression, or literal parts and `@{}` expressions."""

    kind: str  # "literal" | "expression" | "interpolation"
    literal: str = ""
    expression: str = ""
    parts: tuple[str | tuple[str], ...] = ()  # str = literal text, (expr,) = an @{expr}

    @property
    def expressions(self) -> tuple[str, ...]:
        if self.kind == "expression":
            return (self.expression,)
        return tuple(part[0] for part in self.parts if isinstance(part, tuple))


@lru_cache(maxsize=8192)
def split_template(value: str) -> Template:
    """Classify a definition string (WDL reference, Expressions).

    "@@..." -> the literal "@..." ; "@expr" -> expression ; "...@{expr}..." -> interpolation, where
    "@@{" is the literal "@{" ; a one-character "@" and anything else -> literal text.
    """
    if len(value) < 2 or ("@" not in value):
        return Template("literal", literal=value)
    if value.startswith("@@"):
        return Template("literal", literal=value[1:])  # the designer's parseTemplateExpression does the same
    if value.startswith("@") and not value.startswith("@{"):
        return Template("expression", expression=value[1:])
    return _interpolation(value)


def _interpolation(value: str) -> Template:
    parts: list[str | tuple[str]] = []
    literal: list[str] = []
    pos = 0
    while (start := value.find("@{", pos)) != -1:
        if start > 0 and value[start - 1] == "@":  # "@@{" is the literal text "@{"
            literal.append(value[pos : start - 1] + "@{")
            pos = start + 2
            continue
        literal.append(value[pos:start])
        end = _closing_brace(value, start + 2)
        if literal and "".join(literal):
            parts.append("".join(literal))
        literal = []
        parts.append((value[start + 2 : end].strip(),))
        pos = end + 1
    literal.append(value[pos:])
    if "".join(literal):
        parts.append("".join(literal))
    if not any(isinstance(part, tuple) for part in parts):
        return Template("literal", literal="".join(p for p in parts if isinstance(p, str)))
    return Template("interpolation", parts=tuple(parts))


def _closing_brace(value: str, pos: int) -> int:
    """The '}' closing an '@{' (outside single-quoted literals), as the designer finds it."""
    in_string = False
    for index in range(pos, len(value)):
        char = value[index]
        if char == "'":
            in_string = not in_string
        elif char == "}" and not in_string:
            return index
    raise InvalidExpressionError(f"'@{{' is not closed by '}}' in '{value}'")


def walk(node: Node):
    """Every node of a tree, parents first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Access):
            stack += [current.key, current.target]
        elif isinstance(current, Call):
            stack += list(reversed(current.args))


__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "Access",
    "Call",
    "InvalidExpressionError",
    "Literal",
    "Node",
    "Template",
    "UnsupportedConstructError",
    "parse_syntax",
    "split_template",
    "walk",
]
