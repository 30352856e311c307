"""Stand-ins at the Azure SDK's HTTP boundary: a transport with canned responses, a fake credential.

The transport is a real ``azure.core.pipeline.transport.HttpTransport``: requests go through the
whole client pipeline (auth policy, retries, logging) and never leave the process. The bodies it
answers with live in one module per Azure API next to this one, each shaped after the REST spec's
examples and, where known, real responses (cited at each body).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest, HttpResponse
from azure.core.utils import case_insensitive_dict

from tests.fakes import api_versions

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
USER_OID = "9c5e3f0a-1b2c-4d3e-8f4a-5b6c7d8e9f01"
# Secret-looking values that flow through errors and logs in the tests; they must never show.
FAKE_SECRET = "s3cr3t~Value.ThatMustNeverShow_42"
FAKE_CODE = "0.AXEAconsentCodeThatMustNeverShow-123"
ARM_HOST = "management.azure.com"


def fake_jwt(**claims: Any) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    payload = {"oid": USER_OID, "tid": TENANT_ID, "upn": "alice@contoso.example", **claims}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJlX25vdF9jaGVja2Vk"


class FakeCredential:
    """A TokenCredential whose token is a JWT with oid/tid claims, or that raises ``error``."""

    def __init__(self, error: Exception | None = None, **claims: Any) -> None:
        self.error = error
        self.token = fake_jwt(**claims)
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        if self.error is not None:
            raise self.error
        return AccessToken(self.token, int(time.time()) + 3600)


class FakeResponse(HttpResponse):
    """A complete, in-memory azure.core.rest.HttpResponse."""

    def __init__(self, request: HttpRequest, status: int, body: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        self._request = request
        self._status = status
        if body is None:
            self._content = b""
        elif isinstance(body, bytes | str):
            self._content = body.encode() if isinstance(body, str) else body
        else:
            self._content = json.dumps(body).encode()
        self._headers = case_insensitive_dict(headers or {})
        if self._content and "content-type" not in self._headers:
            self._headers["Content-Type"] = "application/json; charset=utf-8"
        self._closed = False

    request = property(lambda self: self._request)
    url = property(lambda self: self._request.url)
    status_code = property(lambda self: self._status)
    reason = property(lambda self: "OK" if self._status < 400 else "Error")
    headers = property(lambda self: self._headers)
    content_type = property(lambda self: self._headers.get("Content-Type"))
    content = property(lambda self: self._content)
    encoding = property(lambda self: "utf-8")
    is_closed = property(lambda self: self._closed)
    is_stream_consumed = property(lambda self: True)

    def text(self, encoding: str | None = None) -> str:
        return self._content.decode(encoding or "utf-8")

    def json(self) -> Any:
        return json.loads(self._content) if self._content else None

    def read(self) -> bytes:
        return self._content

    def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._content

    def iter_raw(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._content

    def raise_for_status(self) -> None:
        if self._status >= 400:
            raise RuntimeError(f"HTTP {self._status}")

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


@dataclass
class Canned:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Sent:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


Route = Canned | list[Canned] | Callable[["Sent"], Canned]


def arm_error(code: str, message: str) -> dict[str, Any]:
    """ARM's ErrorResponse (common-types/resource-management v2 types.json: {error: {code, message}})."""
    return {"error": {"code": code, "message": message}}


class FakeArmTransport(HttpTransport):
    """Routes by (METHOD, path) to canned responses; a list is served in order, its last repeated.

    Paths are compared case-insensitively (ARM compares them so). Unrouted requests answer 404
    ResourceNotFound, like ARM does. ``host`` is where requests must go (ARM unless told).
    """

    def __init__(self, routes: dict[tuple[str, str], Route] | None = None, host: str = ARM_HOST) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.sent: list[Sent] = []
        self.host = host
        for (method, path), route in (routes or {}).items():
            self.add(method, path, route)

    def add(self, method: str, path: str, route: Route) -> None:
        self.routes[(method.upper(), path.lower())] = route

    def send(self, request: Any, **kwargs: Any) -> FakeResponse:
        parts = urlsplit(request.url)
        assert parts.scheme == "https" and parts.netloc == self.host, request.url
        assert request.headers.get("Authorization", "").startswith("Bearer "), "no bearer token"
        body = json.loads(request.content) if request.content else None
        sent = Sent(request.method, parts.path, parse_qs(parts.query), body, dict(request.headers))
        self.sent.append(sent)
        route = self.routes.get((request.method.upper(), parts.path.lower()))
        versions = sent.query.get("api-version")
        refused = api_versions.refusal(parts.path, versions[-1] if versions else None)
        if refused is not None:  # checked before any route: ARM refuses before the provider answers
            canned = Canned(400, arm_error(*refused))
        elif route is None:
            canned = Canned(404, arm_error("ResourceNotFound", f"no fake route for {parts.path}"))
        elif isinstance(route, list):
            canned = route.pop(0) if len(route) > 1 else route[0]
        elif callable(route):
            canned = route(sent)
        else:
            canned = route
        if request.method.upper() == "HEAD":  # HEAD answers carry no body
            canned = Canned(canned.status, None, canned.headers)
        return FakeResponse(request, canned.status, canned.body, canned.headers)

    def requests_to(self, method: str, path_suffix: str) -> list[Sent]:
        return [s for s in self.sent if s.method == method and s.path.lower().endswith(path_suffix.lower())]

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> FakeArmTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        pass

    def sleep(self, duration: float) -> None:  # RetryPolicy waits through the transport
        pass


def paged(path: str, pages: list[list[dict]], api_version: str, host: str = ARM_HOST,
          extra_query: str = "") -> Callable[[Sent], Canned]:
    """A route serving ``pages`` through nextLink ($skipToken=<page index>), like ARM list APIs."""
    def route(sent: Sent) -> Canned:
        index = int(sent.query.get("$skipToken", ["0"])[0])
        body: dict = {"value": pages[index]}
        if index + 1 < len(pages):
            body["nextLink"] = f"https://{host}{path}?api-version={api_version}{extra_query}&$skipToken={index + 1}"
        return Canned(200, body)
    return route


class FakeClock:
    """For scripts.run_now: sleep() advances time instead of waiting."""

    def __init__(self) -> None:
        self.t = 0.0
        self.start = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.t)


# --- the stacks the tests use (stacks/Pulumi.dev.yaml) -----------------------------------------

DEV_SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
DEV_RG = "rg-securescore-dev"
DEV_LOGIC_APP = "securescore-dev"
DEV_WORKFLOW = f"/subscriptions/{DEV_SUB}/resourceGroups/{DEV_RG}/providers/Microsoft.Logic/workflows/{DEV_LOGIC_APP}"
DEV_WORKSPACE = (f"/subscriptions/{DEV_SUB}/resourceGroups/rg-monitoring-dev"
                 "/providers/Microsoft.OperationalInsights/workspaces/law-dev")


def dev_connection(kind: str) -> str:
    """kind: "azuremonitorlogs" or "office365"."""
    return f"/subscriptions/{DEV_SUB}/resourceGroups/{DEV_RG}/providers/Microsoft.Web/connections/" \
        f"{DEV_LOGIC_APP}-{kind}"
