"""Test doubles for the helper scripts: an ARM transport with canned responses, a fake credential.

The transport is a real ``azure.core.pipeline.transport.HttpTransport``: requests go through the
whole ARMPipelineClient pipeline (auth policy, retries, logging) and never leave the process.
Canned bodies are shaped like the REST specs (Microsoft.Web 2016-06-01, Microsoft.Logic 2016-06-01,
Microsoft.Security 2020-01-01).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest, HttpResponse
from azure.core.utils import case_insensitive_dict

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
USER_OID = "9c5e3f0a-1b2c-4d3e-8f4a-5b6c7d8e9f01"
FAKE_SECRET = "s3cr3t~Value.ThatMustNeverShow_42"
FAKE_CODE = "0.AXEAconsentCodeThatMustNeverShow-123"


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


class FakeArmTransport(HttpTransport):
    """Routes by (METHOD, path) to canned responses; a list is served in order, its last repeated.

    Paths are compared case-insensitively. Unrouted requests answer 404 like ARM does.
    """

    def __init__(self, routes: dict[tuple[str, str], Route] | None = None) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.sent: list[Sent] = []
        for (method, path), route in (routes or {}).items():
            self.add(method, path, route)

    def add(self, method: str, path: str, route: Route) -> None:
        self.routes[(method.upper(), path.lower())] = route

    def send(self, request: Any, **kwargs: Any) -> FakeResponse:
        parts = urlsplit(request.url)
        assert parts.scheme == "https" and parts.netloc == "management.azure.com", request.url
        assert request.headers.get("Authorization", "").startswith("Bearer "), "no bearer token"
        body = json.loads(request.content) if request.content else None
        sent = Sent(request.method, parts.path, parse_qs(parts.query), body, dict(request.headers))
        self.sent.append(sent)
        route = self.routes.get((request.method.upper(), parts.path.lower()))
        if route is None:
            canned = Canned(404, arm_error("ResourceNotFound", f"no fake route for {parts.path}"))
        elif isinstance(route, list):
            canned = route.pop(0) if len(route) > 1 else route[0]
        elif callable(route):
            canned = route(sent)
        else:
            canned = route
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


# --- bodies shaped like the REST specs ---------------------------------------------------------


def arm_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def connection_body(conn_id: str, status: str = "Connected", managed_identity: bool = False) -> dict[str, Any]:
    """Microsoft.Web/connections GET (ApiConnectionDefinition, 2016-06-01)."""
    name = conn_id.rsplit("/", 1)[-1]
    api = "azuremonitorlogs" if "azuremonitorlogs" in name else "office365"
    statuses: list[dict[str, Any]] = [{"status": "Connected"}]
    if status != "Connected":
        statuses = [{
            "status": status,
            "target": "token",
            "error": {"code": "Unauthenticated", "message": "This connection is not authenticated."},
        }]
    properties: dict[str, Any] = {
        "displayName": name,
        "statuses": statuses,
        "overallStatus": status,
        "createdTime": "2024-05-01T10:00:00.0000000Z",
        "api": {
            "name": api,
            "displayName": api,
            "id": f"/subscriptions/x/providers/Microsoft.Web/locations/westeurope/managedApis/{api}",
            "type": "Microsoft.Web/locations/managedApis",
        },
    }
    if managed_identity:
        properties["parameterValueSet"] = {"name": "managedIdentityAuth", "values": {}}
    return {
        "id": conn_id, "name": name, "type": "Microsoft.Web/connections",
        "location": "westeurope", "kind": "V1", "properties": properties,
    }


def consent_links_body(link: str = "https://logic-apis-westeurope.consent.azure-apim.net/login?data=abc") -> dict:
    return {"value": [{"link": link, "firstPartyLoginUri": "", "displayName": "Office 365 Outlook",
                       "status": "Unauthenticated"}]}


def run_body(name: str, status: str, start: str, error: dict[str, Any] | None = None,
             trigger: str = "Weekly_schedule", end: str | None = None) -> dict[str, Any]:
    """Microsoft.Logic/workflows/runs item (WorkflowRun, 2016-06-01)."""
    properties: dict[str, Any] = {
        "waitEndTime": start,
        "startTime": start,
        "status": status,
        "correlation": {"clientTrackingId": name},
        "workflow": {"name": "08585000000000000000", "type": "Microsoft.Logic/workflows/versions"},
        "trigger": {"name": trigger, "startTime": start, "status": "Succeeded"},
        "outputs": {},
    }
    if end:
        properties["endTime"] = end
    if error:
        properties["error"] = error
    return {"id": f"/subscriptions/x/workflows/runs/{name}", "name": name,
            "type": "Microsoft.Logic/workflows/runs", "properties": properties}


def action_body(name: str, status: str, error: dict[str, Any] | None = None) -> dict[str, Any]:
    """Microsoft.Logic/workflows/runs/actions item (WorkflowRunAction, 2016-06-01)."""
    properties: dict[str, Any] = {
        "startTime": "2024-05-06T07:00:01Z", "endTime": "2024-05-06T07:00:05Z",
        "status": status, "code": "OK" if status == "Succeeded" else "BadRequest",
        "correlation": {"actionTrackingId": "t-" + name, "clientTrackingId": "c"},
    }
    if error:
        properties["error"] = error
    return {"id": f"/x/actions/{name}", "name": name, "type": "Microsoft.Logic/workflows/runs/actions",
            "properties": properties}


def secure_score_body(sub: str, current: float = 31.5, maximum: int = 58) -> dict[str, Any]:
    """Microsoft.Security/secureScores item (SecureScoreItem, 2020-01-01)."""
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Security/secureScores/ascScore",
        "name": "ascScore",
        "type": "Microsoft.Security/secureScores",
        "properties": {
            "displayName": "ASC score",
            "score": {"max": maximum, "current": current, "percentage": round(current / maximum, 4)},
            "weight": 120,
        },
    }


def secure_score_control_body(sub: str, control: str, unhealthy: int = 3) -> dict[str, Any]:
    """Microsoft.Security/secureScoreControls item with $expand=definition (2020-01-01)."""
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Security/secureScores/ascScore/"
              f"secureScoreControls/{control}",
        "name": control,
        "type": "Microsoft.Security/secureScores/secureScoreControls",
        "properties": {
            "displayName": f"Control {control}",
            "healthyResourceCount": 4,
            "unhealthyResourceCount": unhealthy,
            "notApplicableResourceCount": 1,
            "score": {"max": 6, "current": 2.5, "percentage": 0.4167},
            "weight": 12,
            "definition": {
                "id": f"/providers/Microsoft.Security/secureScoreControlDefinitions/{control}",
                "name": control,
                "type": "Microsoft.Security/secureScoreControlDefinitions",
                "properties": {
                    "displayName": f"Control {control}",
                    "maxScore": 6,
                    "source": {"sourceType": "BuiltIn"},
                    "assessmentDefinitions": [{"id": "/providers/Microsoft.Security/assessmentMetadata/a1"}],
                },
            },
        },
    }


# --- the stacks the tests use ------------------------------------------------------------------

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


class FakeClock:
    """For scripts.run_now: sleep() advances time instead of waiting."""

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.t = 0.0
        self.start = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def monotonic(self) -> float:
        return self.t

    def now(self) -> Any:
        from datetime import timedelta

        return self.start + timedelta(seconds=self.t)
