"""How the runner asks the outside world: connector callbacks (ApiConnection) and HTTP responders (Http).

A connector is `connector(action_name, inputs) -> {"statusCode": int, "body": ...}` with the
action's evaluated inputs (host, method, path, queries, body).

An HTTP responder is `http(action_name, request) -> {"statusCode": int, "headers": {...}, "body": ...}`
with an `HttpRequest`: the evaluated method, uri, queries, headers, body and authentication of an
Http action. Both may raise `ConnectorError` (the action fails with its message; `retryable=True`
marks a connectivity failure the retry policy retries). Each retry calls the callback again, so a
recorded sequence of answers can play a transient failure followed by a success.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Json = Any
Connector = Callable[[str, dict[str, Json]], dict[str, Json]]


@dataclass(frozen=True)
class HttpRequest:
    method: str  # upper case
    uri: str  # as the action wrote it, without its `queries`
    queries: dict[str, Json] = field(default_factory=dict)
    headers: dict[str, Json] = field(default_factory=dict)
    body: Json = None
    # {"type": "ManagedServiceIdentity", "audience": "...", "identity": "..."} or None
    authentication: dict[str, Json] | None = None

    @property
    def url(self) -> str:
        """The uri with the queries appended (`"queries": {"api-version": "2018-01-01"}` adds
        `?api-version=2018-01-01`, schema reference for trigger and action types, HTTP action)."""
        if not self.queries:
            return self.uri
        separator = "&" if "?" in self.uri else "?"
        return self.uri + separator + urllib.parse.urlencode({k: str(v) for k, v in self.queries.items()})

    @property
    def audience(self) -> str | None:
        return (self.authentication or {}).get("audience")

    def header(self, name: str) -> Json:
        """A request header, looked up case-insensitively."""
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)


HttpResponder = Callable[[str, HttpRequest], dict[str, Json]]
