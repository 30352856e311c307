"""Conversion functions (Microsoft's expression function reference, "Conversion functions").

`createArray` and `array` live with the collection functions. The functions that return *binary*
content (`binary`, `base64ToBinary`, `dataUriToBinary`, `decodeDataUri`, `uriComponentToBinary`)
and `xml` are unsupported: the reference's examples for them contradict each other (a bit string,
"hello", a base64 string) and the emulator has no binary or XML value to give back.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.parse
from decimal import Decimal, InvalidOperation
from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.errors import ExpressionError, cannot_run
from securescore.emulator.functions.registry import check_locale, function, opt, str_arg, unsupported
from securescore.emulator.functions.strings import parse_float_text, parse_int_text
from securescore.emulator.values import is_int, is_number, to_string, type_name

Json = Any

_BINARY = "it returns binary content, which the emulator does not model (the reference's examples disagree on its form)"
for _name in ("binary", "base64ToBinary", "dataUriToBinary", "decodeDataUri", "uriComponentToBinary"):
    unsupported(_name, 1, 1, _BINARY)
unsupported("xml", 1, 1, "the emulator has no XML values")


@function("string", 1, 1)
def _string(args: list[Json], ctx: EvaluationContext) -> Json:
    return to_string(args[0])


@function("int", 1, 1)
def _int(args: list[Json], ctx: EvaluationContext) -> Json:
    value = args[0]
    if is_int(value):
        return value
    text = str_arg("int", args, 0)
    number = parse_int_text(text)
    if number is None:
        raise ExpressionError(f"function 'int' cannot convert '{text}' to an integer")
    return number


@function("float", 1, 2)
def _float(args: list[Json], ctx: EvaluationContext) -> Json:
    check_locale("float", opt(args, 1))
    value = args[0]
    if is_number(value):
        return float(value)
    text = str_arg("float", args, 0)
    number = parse_float_text(text)
    if number is None:
        raise ExpressionError(f"function 'float' cannot convert '{text}' to a float")
    return number


_DECIMAL_TEXT = re.compile(r"\s*[-+]?(\d[\d,]*)?(\.\d*)?\s*")


@function("decimal", 1, 1)
def _decimal(args: list[Json], ctx: EvaluationContext) -> Json:
    text = str_arg("decimal", args, 0)
    if not _DECIMAL_TEXT.fullmatch(text) or not re.search(r"\d", text):
        raise ExpressionError(f"function 'decimal' cannot convert '{text}' to a decimal number")
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ExpressionError(f"function 'decimal' cannot convert '{text}' to a decimal number") from exc


@function("bool", 1, 1)
def _bool(args: list[Json], ctx: EvaluationContext) -> Json:
    value = args[0]
    if isinstance(value, bool):
        return value
    if is_number(value):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, dict):
        raise cannot_run("bool() of an object")
    raise ExpressionError(f"function 'bool' cannot convert a value of type '{type_name(value)}' ({value!r})")


@function("json", 1, 1)
def _json(args: list[Json], ctx: EvaluationContext) -> Json:
    value = args[0]
    if value is None:
        return {}  # reference: "If the string is null, the function returns an empty object"
    if isinstance(value, dict | list):
        return value
    text = str_arg("json", args, 0)
    if text.lstrip().startswith("<"):
        raise cannot_run("json() of XML", "the emulator has no XML values")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExpressionError(f"function 'json' cannot parse its argument as JSON: {exc}") from exc


def _text_arg(fn: str, args: list[Json]) -> str:
    if not isinstance(args[0], str):
        raise cannot_run(f"{fn}() of a value of type {type_name(args[0])}", "the reference documents a string")
    return args[0]


def _decode_base64(fn: str, text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ExpressionError(f"function '{fn}': '{text}' is not base64-encoded UTF-8 text ({exc})") from exc


@function("base64", 1, 1)
def _base64(args: list[Json], ctx: EvaluationContext) -> Json:
    return base64.b64encode(_text_arg("base64", args).encode("utf-8")).decode("ascii")


@function("base64ToString", 1, 1)
def _base64_to_string(args: list[Json], ctx: EvaluationContext) -> Json:
    return _decode_base64("base64ToString", str_arg("base64ToString", args, 0))


@function("decodeBase64", 1, 1)  # deprecated in favour of base64ToString, which it equals
def _decode_base64_fn(args: list[Json], ctx: EvaluationContext) -> Json:
    return _decode_base64("decodeBase64", str_arg("decodeBase64", args, 0))


@function("dataUri", 1, 1)
def _data_uri(args: list[Json], ctx: EvaluationContext) -> Json:
    encoded = base64.b64encode(_text_arg("dataUri", args).encode("utf-8")).decode("ascii")
    return f"data:text/plain;charset=utf-8;base64,{encoded}"


@function("dataUriToString", 1, 1)
def _data_uri_to_string(args: list[Json], ctx: EvaluationContext) -> Json:
    text = str_arg("dataUriToString", args, 0)
    header, comma, data = text.partition(",")
    if not header.lower().startswith("data:") or not comma:
        raise ExpressionError(f"function 'dataUriToString': '{text}' is not a data URI")
    if header.lower().endswith(";base64"):
        return _decode_base64("dataUriToString", data)
    return urllib.parse.unquote(data)


def _uri_component(fn: str, args: list[Json]) -> str:
    # Like .NET Uri.EscapeDataString: everything but RFC 3986 unreserved characters is escaped.
    return urllib.parse.quote(str_arg(fn, args, 0), safe="")


@function("uriComponent", 1, 1)
def _uri_component_fn(args: list[Json], ctx: EvaluationContext) -> Json:
    return _uri_component("uriComponent", args)


@function("encodeUriComponent", 1, 1)
def _encode_uri_component(args: list[Json], ctx: EvaluationContext) -> Json:
    return _uri_component("encodeUriComponent", args)


def _unescape(fn: str, args: list[Json]) -> str:
    return urllib.parse.unquote(str_arg(fn, args, 0))  # '+' stays '+', as .NET Uri.UnescapeDataString


@function("uriComponentToString", 1, 1)
def _uri_component_to_string(args: list[Json], ctx: EvaluationContext) -> Json:
    return _unescape("uriComponentToString", args)


@function("decodeUriComponent", 1, 1)
def _decode_uri_component(args: list[Json], ctx: EvaluationContext) -> Json:
    return _unescape("decodeUriComponent", args)
