"""YAML read the way the Pulumi CLI reads it: PyYAML, configured to resolve plain scalars like Go's yaml.v3.

The Pulumi CLI reads stack files with gopkg.in/yaml.v3 (sdk/go/common/encoding/marshal.go), whose
resolver (yaml.v3 resolve.go) follows YAML 1.2's core schema, not PyYAML's YAML 1.1 one:

- booleans are only ``true``/``True``/``TRUE`` and ``false``/``False``/``FALSE``: ``yes``, ``no``,
  ``on``, ``off`` stay strings;
- nulls are ``~``, ``null``, ``Null``, ``NULL`` and the empty scalar;
- integers are what Go's ``strconv.ParseInt(s, 0, 64)`` accepts once every ``_`` is removed
  (decimal, ``0x``/``0o``/``0b`` prefixes, and a leading ``0`` for octal), then ``ParseUint``;
- floats match ``^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$`` (plus ``.inf``, ``.nan``), so
  ``08`` is the float 8.0 (not an octal integer) and ``1:30`` is a string (no base 60); one beyond
  float64 (``1e309``) fails ``strconv.ParseFloat`` with ErrRange and stays a string;
- a plain scalar that looks like a timestamp (``2026-01-01``) is decoded into ``interface{}`` as its
  text: Pulumi sees the string. It is returned here as ``LooksLikeDate`` (a ``str``) so that the
  settings can say "quote it" instead of depending on which YAML reader looks at the file.

A mapping key written twice is an error for yaml.v3 ("mapping key ... already defined at line N"),
so Pulumi refuses the file; PyYAML on its own silently keeps the last value. ``load`` reports them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

PLAIN_TAG = "tag:securescore-report,2026:plain"  # every plain (unquoted) scalar, resolved below
MERGE_TAG = "tag:yaml.org,2002:merge"

_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_MAP = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
}
# Go's time.Parse layouts yaml.v3 tries (allowedTimestampFormats): 2006-1-2T15:4:5.999999999Z07:00,
# the same with a lower-case t, "2006-1-2 15:4:5.999999999" and "2006-1-2". Only the shape matters here.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2}))"
    r"|(?: [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?))?\Z"
)
_INT64 = (-(2**63), 2**63 - 1)


class LooksLikeDate(str):
    """A plain scalar yaml.v3 recognises as a timestamp; Pulumi hands its text to the program."""


@dataclass(frozen=True)
class DuplicateKey:
    """A mapping key written twice; lines are 1-based."""

    key: Any
    first_line: int
    line: int


def _go_parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), falling back to ParseUint, as yaml.v3 resolve() does."""
    sign, digits = "", text
    if digits[:1] in ("+", "-"):
        sign, digits = digits[0], digits[1:]
    base = 10
    if digits[:2].lower() in ("0x", "0o", "0b"):
        base, digits = {"x": 16, "o": 8, "b": 2}[digits[1].lower()], digits[2:]
    elif len(digits) > 1 and digits[0] == "0":
        base = 8
    alphabet = "0123456789abcdef"[:base]
    if not digits or any(c not in alphabet for c in digits.lower()):
        return None
    value = int(digits, base) * (-1 if sign == "-" else 1)
    # ParseUint takes no sign at all ("A sign prefix is not permitted", Go's strconv docs): "+2^63" is a float.
    if _INT64[0] <= value <= _INT64[1] or (not sign and value < 2**64):
        return value
    return None


def _go_parse_float(number: str, text: str = "") -> float | str:
    """strconv.ParseFloat(number, 64): beyond float64 it fails (ErrRange), and yaml.v3 keeps the text."""
    value = float(number)
    return (text or number) if math.isinf(value) else value


def resolve_plain(text: str) -> Any:
    """The value yaml.v3 decodes a plain scalar to (into interface{})."""
    if text in _MAP:
        return _MAP[text]
    first = text[:1]
    if first == ".":
        return _go_parse_float(text) if _YAML_STYLE_FLOAT.match(text) else text
    if first in ("+", "-") or (first.isascii() and first.isdigit()):
        if _TIMESTAMP.match(text):
            return LooksLikeDate(text)
        plain = text.replace("_", "")
        integer = _go_parse_int(plain)
        if integer is not None:
            return integer
        if _YAML_STYLE_FLOAT.match(plain):
            return _go_parse_float(plain, text)
    return text


class PulumiLoader(yaml.SafeLoader):
    """SafeLoader whose implicit resolution is yaml.v3's, and which records duplicate keys."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []

    def construct_plain(self, node: ScalarNode) -> Any:
        return resolve_plain(self.construct_scalar(node))

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            first_seen: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = first_seen.setdefault(key, key_node)
                except TypeError:  # an unhashable key: SafeConstructor reports it below
                    continue
                if earlier is not key_node:
                    self.duplicates.append(DuplicateKey(key, earlier.start_mark.line + 1, key_node.start_mark.line + 1))
        return super().construct_mapping(node, deep=deep)


PulumiLoader.add_implicit_resolver(MERGE_TAG, re.compile(r"<<\Z"), ["<"])
PulumiLoader.add_implicit_resolver(PLAIN_TAG, re.compile(r".*", re.DOTALL), None)
PulumiLoader.add_constructor(PLAIN_TAG, PulumiLoader.construct_plain)


def load(text: str) -> tuple[Any, Node | None, list[DuplicateKey]]:
    """The document's value, its node (for line numbers) and the keys written twice (PyYAML keeps
    the last value; yaml.v3, and so Pulumi, refuses the file). Raises yaml.YAMLError."""
    loader = PulumiLoader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
        return value, node, sorted(loader.duplicates, key=lambda d: d.line)
    finally:
        loader.dispose()


def scalar_key(node: Node) -> Any:
    """The value of a mapping key node (None when it is not a scalar)."""
    if not isinstance(node, ScalarNode):
        return None
    return resolve_plain(node.value) if node.tag == PLAIN_TAG else node.value


__all__ = ["ConstructorError", "DuplicateKey", "LooksLikeDate", "load", "resolve_plain", "scalar_key"]
