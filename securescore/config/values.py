"""Config values by declared type, as the Pulumi CLI accepts them, from a stack file or from pulumi.Config.

The program gets every value as text (``pulumi.Config.get``): strings as written, integers in decimal,
booleans as ``true``/``false``, arrays as JSON. A stack file read directly gives YAML values. Both go
through ``decode``, so the same value gets the same result and the same message.

What the CLI accepts for each type is its ``ValidateConfigValue`` (sdk/go/common/workspace/project.go):
an integer is a whole number or a string ``strconv.Atoi`` parses (optional sign, ASCII digits); a
boolean is true/false or exactly the string "true" or "false"; an array is a list whose items have
the item type.

``file_value_problem`` adds what only a hand-written stack file can get wrong, where Pulumi would
silently turn the value into something else: a float, an octal or hex integer, an unquoted date,
a number or boolean where text is declared, an empty value, an encrypted (``secure:``) value.
"""

from __future__ import annotations

import json
import re
from typing import Any

from yaml.nodes import Node, ScalarNode, SequenceNode

from securescore.config.pulumi_yaml import LooksLikeDate

_ATOI = re.compile(r"[+-]?[0-9]+\Z")
_PLAIN_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)\Z")

ACCEPTED = {
    "string": "a string",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list of strings (a YAML list, or a JSON array through pulumi config)",
}


class Undecodable(Exception):
    """The value does not have the declared type."""


def decode(decl_type: str, raw: Any) -> Any:
    """The value as its declared type; raises Undecodable."""
    if decl_type == "string":
        if isinstance(raw, str) and not isinstance(raw, LooksLikeDate):
            return str(raw)
    elif decl_type == "integer":
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and _ATOI.match(raw):
            return int(raw)
    elif decl_type == "boolean":
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):
            return raw == "true"
    elif decl_type == "array":
        value = raw
        if isinstance(raw, str):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                raise Undecodable from None
        if isinstance(value, list) and all(isinstance(v, str) and not isinstance(v, LooksLikeDate) for v in value):
            return [str(v) for v in value]
    else:
        raise ValueError(f"Pulumi.yaml declares a type this project does not handle: {decl_type}")
    raise Undecodable


def is_secure(value: Any) -> bool:
    """A Pulumi secret in a stack file: a mapping with the single key ``secure`` (config/object.go)."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _kind(value: Any) -> str:
    if isinstance(value, LooksLikeDate):
        return "a date"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _raw(node: Node | None, value: Any) -> str:
    return node.value if isinstance(node, ScalarNode) else json.dumps(value, default=str)


def _scalar_text_problem(value: Any, node: Node | None) -> str | None:
    """A scalar where text is declared (a string key, or an item of a list of strings)."""
    if isinstance(value, str) and not isinstance(value, LooksLikeDate):
        return None
    raw = _raw(node, value)
    if isinstance(value, (LooksLikeDate, bool, int, float)) or value is None:
        return f"YAML reads {raw or 'an empty value'} as {_kind(value)}, not as text: write it in quotes"
    return f"{_kind(value)} is not text"


def file_value_problem(decl_type: str, value: Any, node: Node | None) -> str | None:
    """What is wrong with a YAML value from a stack file for a key of ``decl_type`` (None: decode it)."""
    if is_secure(value) or (isinstance(value, list) and any(is_secure(v) for v in value)):
        return (
            "it is encrypted (secure:), and the scripts read stack files without the Pulumi CLI, so "
            "they cannot decrypt it; no key of this project is a secret: set it in plain text "
            "(pulumi config set without --secret)"
        )
    if value is None:
        return "it has no value (YAML reads an empty value as null): give one, or delete the line to use the default"
    raw = _raw(node, value)
    if decl_type == "string":
        return _scalar_text_problem(value, node)
    if decl_type == "integer":
        if isinstance(value, LooksLikeDate):
            return f"YAML reads {raw} as a date; expected a whole number"
        if isinstance(value, float):
            whole = f": write {int(value)}" if value.is_integer() else ""
            return f"YAML reads {raw} as the decimal number {value!r}; expected a whole number{whole}"
        if isinstance(value, int) and not isinstance(value, bool) and not _PLAIN_DECIMAL.match(raw):
            return f"YAML reads {raw} as {value}: write the number in plain decimal ({value})"
        if not isinstance(value, (dict, list)):
            return None
    if decl_type == "array" and isinstance(value, list):
        items = node.value if isinstance(node, SequenceNode) else [None] * len(value)
        for index, (item, item_node) in enumerate(zip(value, items, strict=False)):
            problem = _scalar_text_problem(item, item_node)
            if problem:
                return f"item {index + 1}: {problem}"
    if decl_type in ("integer", "boolean") and isinstance(value, (dict, list)):  # a string's: _scalar_text_problem
        return f"{_kind(value)} where {ACCEPTED[decl_type]} is expected"
    return None
