"""A small Azure Resource Manager client: JSON in, JSON out, errors as ArmError, pages followed.

Built on azure-mgmt-core's ARMPipelineClient (bearer token, retries, ARM logging policy that
redacts headers). Request bodies are never logged: no network-trace policy is installed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.pipeline.policies import (
    HeadersPolicy,
    RedirectPolicy,
    RequestIdPolicy,
    RetryPolicy,
    UserAgentPolicy,
)
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

from securescore import __version__

ARM_ENDPOINT = "https://management.azure.com"
ARM_SCOPE = "https://management.azure.com/.default"
WEB_API_VERSION = "2016-06-01"  # Microsoft.Web/connections
LOGIC_API_VERSION = "2016-06-01"  # Microsoft.Logic/workflows
SECURITY_API_VERSION = "2020-01-01"  # Microsoft.Security/secureScores, secureScoreControls
MAX_PAGES = 1000  # a guard against a nextLink that never ends


@dataclass
class ArmError(Exception):
    """An ARM call that did not succeed: HTTP status plus ARM's error code and message."""

    status: int
    code: str
    message: str
    method: str = ""
    path: str = ""

    def __str__(self) -> str:
        what = f"{self.method} {self.path}: " if self.method else ""
        return what + self.short()

    def short(self) -> str:
        """Without the request line: "HTTP 403 AuthorizationFailed: ..."."""
        code = f"{self.code}: " if self.code else ""
        return f"HTTP {self.status} {code}{self.message}".rstrip()


# --- resource ids -----------------------------------------------------------------------------


def resource_group_id(subscription_id: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


def connection_id(subscription_id: str, resource_group: str, name: str) -> str:
    return f"{resource_group_id(subscription_id, resource_group)}/providers/Microsoft.Web/connections/{name}"


def workflow_id(subscription_id: str, resource_group: str, name: str) -> str:
    return f"{resource_group_id(subscription_id, resource_group)}/providers/Microsoft.Logic/workflows/{name}"


def secure_scores_path(subscription_id: str) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Security/secureScores"


def secure_score_controls_path(subscription_id: str) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Security/secureScoreControls"


# --- client -----------------------------------------------------------------------------------


def build_pipeline_client(
    credential: TokenCredential, transport: HttpTransport | None = None, retry_total: int = 3
) -> ARMPipelineClient:
    policies = [
        RequestIdPolicy(),
        HeadersPolicy(),
        UserAgentPolicy(sdk_moniker=f"securescore-report/{__version__}"),
        RetryPolicy(retry_total=retry_total),  # retries 429 and 5xx, honouring Retry-After
        RedirectPolicy(),
        ARMChallengeAuthenticationPolicy(credential, ARM_SCOPE),
        ARMHttpLoggingPolicy(),
    ]
    kwargs: dict[str, Any] = {"policies": policies}
    if transport is not None:
        kwargs["transport"] = transport
    return ARMPipelineClient(base_url=ARM_ENDPOINT, **kwargs)


def _error_from_response(status: int, body: Any, text: str) -> tuple[str, str]:
    if isinstance(body, Mapping):
        error = body.get("error") if isinstance(body.get("error"), Mapping) else body
        code = str(error.get("code") or "")
        message = str(error.get("message") or "")
        if code or message:
            return code, message
    return "", (text or "").strip()[:500] or "(no details)"


class ArmClient:
    """JSON calls against management.azure.com; paths are resource paths ("/subscriptions/...")."""

    def __init__(
        self, credential: TokenCredential, transport: HttpTransport | None = None, retry_total: int = 3
    ) -> None:
        self._client = build_pipeline_client(credential, transport, retry_total)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ArmClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self,
        method: str,
        path: str,
        api_version: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> ArmResponse:
        """One request. Raises ArmError unless the status is 2xx.

        ``path`` is a resource path ("/subscriptions/...") or an absolute nextLink, which already
        carries its query string (api-version included).
        """
        if path.startswith("https://"):
            url, query = path, dict(params or {})
        else:
            url, query = ARM_ENDPOINT + path, {"api-version": api_version, **(params or {})}
        request = HttpRequest(method, url, params=query, json=body)
        response = self._client.send_request(request)
        text = response.text() if response.read() else ""
        parsed = _parse_json(text)
        if not 200 <= response.status_code < 300:
            code, message = _error_from_response(response.status_code, parsed, text)
            raise ArmError(response.status_code, code, message, method, urlsplit(url).path)
        return ArmResponse(response.status_code, parsed, dict(response.headers))

    def get(self, path: str, api_version: str, *, params: Mapping[str, str] | None = None) -> Any:
        return self.call("GET", path, api_version, params=params).json

    def post(self, path: str, api_version: str, body: Any = None) -> ArmResponse:
        return self.call("POST", path, api_version, body=body)

    def list(self, path: str, api_version: str, *, params: Mapping[str, str] | None = None) -> Iterator[Any]:
        """Every item of a pageable list (``value`` arrays), following ``nextLink``."""
        page = self.get(path, api_version, params=params)
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            yield from (page or {}).get("value") or []
            next_link = (page or {}).get("nextLink")
            if not next_link:
                return
            if next_link in seen:
                raise ArmError(0, "PagingLoop", "the API returned the same nextLink twice", "GET", path)
            seen.add(next_link)
            page = self.get(next_link, api_version)
        raise ArmError(0, "TooManyPages", f"stopped after {MAX_PAGES} pages", "GET", path)


@dataclass(frozen=True)
class ArmResponse:
    status: int
    json: Any
    headers: dict[str, str]


def _parse_json(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
