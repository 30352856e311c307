"""URI parsing functions (Microsoft's expression function reference, "URI parsing functions"),
following .NET `System.Uri`: an absolute URI is required, the path is "/" when empty, the query
keeps its "?", and the port defaults to the scheme's."""

from __future__ import annotations

import urllib.parse
from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.errors import ExpressionError
from securescore.emulator.functions.registry import function, str_arg

Json = Any
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}


def _uri(fn: str, args: list[Json]) -> urllib.parse.SplitResult:
    text = str_arg(fn, args, 0)
    parts = urllib.parse.urlsplit(text.strip())
    if not parts.scheme or not parts.netloc:
        raise ExpressionError(f"function '{fn}': '{text}' is not an absolute URI")
    return parts


@function("uriHost", 1, 1)
def _uri_host(args: list[Json], ctx: EvaluationContext) -> Json:
    return _uri("uriHost", args).hostname or ""


@function("uriPath", 1, 1)
def _uri_path(args: list[Json], ctx: EvaluationContext) -> Json:
    return _uri("uriPath", args).path or "/"


@function("uriPathAndQuery", 1, 1)
def _uri_path_and_query(args: list[Json], ctx: EvaluationContext) -> Json:
    parts = _uri("uriPathAndQuery", args)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@function("uriPort", 1, 1)
def _uri_port(args: list[Json], ctx: EvaluationContext) -> Json:
    parts = _uri("uriPort", args)
    try:
        port = parts.port
    except ValueError as exc:
        raise ExpressionError(f"function 'uriPort': {exc}") from exc
    return port if port is not None else _DEFAULT_PORTS.get(parts.scheme.lower(), -1)


@function("uriQuery", 1, 1)
def _uri_query(args: list[Json], ctx: EvaluationContext) -> Json:
    query = _uri("uriQuery", args).query
    return f"?{query}" if query else ""


@function("uriScheme", 1, 1)
def _uri_scheme(args: list[Json], ctx: EvaluationContext) -> Json:
    return _uri("uriScheme", args).scheme.lower()
