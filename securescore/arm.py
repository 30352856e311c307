"""Azure over HTTP for the helpers: the network limits every Azure client gets, the one ARM client
(JSON in, JSON out, errors as ArmError, pages followed) and what a dead network looks like.

Built on azure-mgmt-core's ARMPipelineClient (bearer token, retries, ARM logging policy that
redacts headers). Request bodies are never logged: no network-trace policy is installed.

Every Azure client of the project (this one, the Log Analytics query client, the sign-in
credentials) is built with the same ``NetworkLimits``, so a network that accepts connections and
never answers ends each request within ``NetworkLimits.worst_case()`` seconds, and the helpers stop
at the first such failure (``AzureUnreachable``) instead of trying every remaining call.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
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
LOGS_ENDPOINT = "https://api.loganalytics.io"
WEB_API_VERSION = "2016-06-01"  # Microsoft.Web/connections
LOGIC_API_VERSION = "2016-06-01"  # Microsoft.Logic/workflows
SECURITY_API_VERSION = "2020-01-01"  # Microsoft.Security/secureScores, secureScoreControls
RESOURCES_API_VERSION = "2021-04-01"  # resource groups, resource providers
AUTHORIZATION_API_VERSION = "2022-04-01"  # role assignments, role definitions
WORKSPACE_API_VERSION = "2022-10-01"  # Microsoft.OperationalInsights/workspaces
MAX_PAGES = 1000  # a guard against a nextLink that never ends

# Environment variables that point the helpers at another cloud (or, in tests, a loopback server).
# AZURE_AUTHORITY_HOST is azure-identity's own variable; the two others are this project's.
ARM_ENDPOINT_VARIABLE = "SECURESCORE_ARM_ENDPOINT"
LOGS_ENDPOINT_VARIABLE = "SECURESCORE_LOGS_ENDPOINT"
AUTHORITY_HOST_VARIABLE = "AZURE_AUTHORITY_HOST"
# Hosts azure-identity knows (azure.identity.AzureAuthorityHosts); for any other authority host
# MSAL's instance discovery would ask login.microsoftonline.com about it, so it is switched off.
KNOWN_AUTHORITY_HOSTS = ("login.microsoftonline.com", "login.chinacloudapi.cn", "login.microsoftonline.us")

# --- network limits ---------------------------------------------------------------------------
# The defaults, documented in the README ("Operating the report"). A request that gets no answer
# is tried RETRY_TOTAL more times, but never started again once OPERATION_TIMEOUT has passed, so
# one request costs at most OPERATION_TIMEOUT + READ_TIMEOUT (and the helper stops there).
CONNECT_TIMEOUT = 10.0  # seconds to open the TCP + TLS connection
READ_TIMEOUT = 20.0  # seconds of silence while waiting for the answer
RETRY_TOTAL = 2  # retries after the first try: connection errors, 408, 429, 5xx
RETRY_BACKOFF = 0.8  # azure-core's backoff factor: waits 0 s, then 1.6 s between tries
OPERATION_TIMEOUT = 20.0  # no new try of one request after this many seconds
PROCESS_TIMEOUT = 10  # seconds for `az`, `azd` or `pwsh` to hand DefaultAzureCredential a token
LOGS_SERVER_TIMEOUT = 15  # seconds Log Analytics may run a query (its `Prefer: wait=`), < READ_TIMEOUT


@dataclass(frozen=True)
class NetworkLimits:
    """Timeouts and retries for one helper run; the same for every Azure client it builds."""

    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    retry_total: int = RETRY_TOTAL
    retry_backoff: float = RETRY_BACKOFF
    operation_timeout: float = OPERATION_TIMEOUT
    process_timeout: int = PROCESS_TIMEOUT
    logs_server_timeout: int = LOGS_SERVER_TIMEOUT

    def transport_kwargs(self) -> dict[str, Any]:
        """The azure-core keywords every SDK client and azure-identity credential accepts."""
        return {
            "connection_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "retry_total": self.retry_total,
            "retry_backoff_factor": self.retry_backoff,
            "timeout": self.operation_timeout,
        }

    def retry_policy(self) -> RetryPolicy:
        # retries 408, 429 and 5xx (honouring Retry-After) and connection errors
        return RetryPolicy(retry_total=self.retry_total, retry_backoff_factor=self.retry_backoff,
                           timeout=self.operation_timeout)

    def worst_case(self) -> float:
        """Seconds one request can take on a network that never answers."""
        return self.operation_timeout + max(self.read_timeout, self.connect_timeout)

    def describe(self) -> str:
        retries = "1 retry" if self.retry_total == 1 else f"{self.retry_total} retries"
        return (f"connect {self.connect_timeout:g} s, read {self.read_timeout:g} s, "
                f"{retries} within {self.operation_timeout:g} s")


DEFAULT_LIMITS = NetworkLimits()


@dataclass(frozen=True)
class AzureEndpoints:
    """Where the helpers send their requests: public Azure unless the environment says otherwise."""

    arm: str = ARM_ENDPOINT
    logs: str = LOGS_ENDPOINT
    authority_host: str | None = None  # None: azure-identity's default (or its AZURE_AUTHORITY_HOST)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AzureEndpoints:
        return cls(
            arm=(env.get(ARM_ENDPOINT_VARIABLE) or ARM_ENDPOINT).rstrip("/"),
            logs=(env.get(LOGS_ENDPOINT_VARIABLE) or LOGS_ENDPOINT).rstrip("/"),
            authority_host=(env.get(AUTHORITY_HOST_VARIABLE) or None),
        )

    @property
    def arm_scope(self) -> str:
        return f"{self.arm}/.default"

    def credential_kwargs(self) -> dict[str, Any]:
        if not self.authority_host:
            return {}
        kwargs: dict[str, Any] = {"authority": self.authority_host}
        if urlsplit(_with_scheme(self.authority_host)).hostname not in KNOWN_AUTHORITY_HOSTS:
            kwargs["disable_instance_discovery"] = True
        return kwargs


PUBLIC_AZURE = AzureEndpoints()


def _with_scheme(url: str) -> str:
    return url if "://" in url else "https://" + url


# --- a network that does not answer -------------------------------------------------------------

_HOST_PORT = re.compile(r"host='([^']+)', port=(\d+)")
# (pattern in the error text, what happened) - the texts requests/urllib3 put in their errors
_CAUSES: tuple[tuple[str, str], ...] = (
    (r"ProxyError|Unable to connect to proxy|Tunnel connection failed", "the proxy did not let the request through"),
    (r"Failed to resolve|Name or service not known|getaddrinfo failed|nodename nor servname|NameResolution",
     "the host name does not resolve (DNS)"),
    (r"Connection refused|Errno 111|actively refused|WinError 10061", "the connection was refused"),
    (r"CERTIFICATE_VERIFY_FAILED|SSLError|certificate verify failed",
     "the TLS certificate is not trusted (a TLS-inspecting proxy? set REQUESTS_CA_BUNDLE to its CA)"),
    (r"Read timed out|read timeout|Response timeout|ReadTimeout", "no answer within the read timeout"),
    (r"timed out|ConnectTimeout|connect timeout|Request timeout", "no connection within the connect timeout"),
    (r"Connection aborted|RemoteDisconnected|Connection reset|ConnectionResetError|IncompleteRead",
     "the connection was closed without an answer"),
)
NETWORK_FIX = "check the network connection, the proxy (HTTPS_PROXY, NO_PROXY) and the firewall, then try again"


class AzureUnreachable(Exception):
    """A request that got no usable answer from the network (timeout, refused, DNS, proxy, TLS).

    The helpers stop at the first one: every later request would wait just as long.
    """

    def __init__(self, host: str, cause: str, seconds: float | None = None, limits: NetworkLimits | None = None):
        self.host, self.cause, self.seconds, self.limits = host, cause, seconds, limits
        super().__init__(self.one_line())

    def one_line(self) -> str:
        details = []
        if self.seconds is not None:
            details.append(f"gave up after {self.seconds:.0f} s")
        if self.limits is not None:
            details.append(f"limits: {self.limits.describe()}")
        extra = f" ({'; '.join(details)})" if details else ""
        return f"Azure did not answer: {self.host}: {self.cause}{extra}; fix: {NETWORK_FIX}"


def network_cause(text: str) -> str | None:
    """What went wrong, when ``text`` (an exception's text) describes a network failure."""
    for pattern, cause in _CAUSES:
        if re.search(pattern, text, re.IGNORECASE):
            return cause
    return None


def host_in(text: str, default: str = "Azure") -> str:
    match = _HOST_PORT.search(text)
    if not match:
        return default
    host, port = match.groups()
    return host if port == "443" else f"{host}:{port}"


def unreachable_from(error: BaseException, url: str = "", seconds: float | None = None,
                     limits: NetworkLimits | None = None) -> AzureUnreachable:
    """An azure-core ServiceRequestError / ServiceResponseError as AzureUnreachable."""
    text = _chain_text(error)
    parts = urlsplit(url) if url else None
    default = parts.netloc if parts and parts.netloc else "Azure"
    cause = network_cause(text) or _first_line(text)
    return AzureUnreachable(host_in(text, default), cause, seconds, limits)


def _chain_text(error: BaseException) -> str:
    texts, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return " | ".join(texts)


def _first_line(text: str, limit: int = 200) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "no answer")
    return line if len(line) <= limit else line[: limit - 3] + "..."


# --- errors -------------------------------------------------------------------------------------


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


def _get_ci(mapping: Mapping[str, Any], key: str) -> Any:
    """A key compared case-insensitively: ARM answers ``error`` / ``code`` / ``message`` in the
    spec's common-types ErrorResponse, but some resource providers answer ``Error`` / ``Code`` /
    ``Message`` (Microsoft.Security's 404, Azure/Microsoft-Defender-for-Cloud issues #202, #720)."""
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    return next((value for name, value in mapping.items() if str(name).lower() == lowered), None)


def _error_from_response(body: Any, text: str) -> tuple[str, str]:
    if isinstance(body, Mapping):
        inner = _get_ci(body, "error")
        error = inner if isinstance(inner, Mapping) else body
        code = str(_get_ci(error, "code") or "")
        message = str(_get_ci(error, "message") or "")
        if code or message:
            return code, message
    return "", (text or "").strip()[:500] or "(no details)"


# --- resource ids -------------------------------------------------------------------------------


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


def provider_path(subscription_id: str, namespace: str) -> str:
    return f"/subscriptions/{subscription_id}/providers/{namespace}"


def role_assignments_path(scope: str) -> str:
    return f"{scope.rstrip('/')}/providers/Microsoft.Authorization/roleAssignments"


# --- client -------------------------------------------------------------------------------------


def build_pipeline_client(
    credential: TokenCredential,
    transport: HttpTransport | None = None,
    limits: NetworkLimits = DEFAULT_LIMITS,
    endpoints: AzureEndpoints = PUBLIC_AZURE,
) -> ARMPipelineClient:
    policies = [
        RequestIdPolicy(),
        HeadersPolicy(),
        UserAgentPolicy(sdk_moniker=f"securescore-report/{__version__}"),
        limits.retry_policy(),
        RedirectPolicy(),
        ARMChallengeAuthenticationPolicy(credential, endpoints.arm_scope),
        ARMHttpLoggingPolicy(),
    ]
    kwargs: dict[str, Any] = {"policies": policies}
    if transport is not None:
        kwargs["transport"] = transport
    else:  # the RequestsTransport the client builds takes the timeouts
        kwargs["connection_timeout"] = limits.connect_timeout
        kwargs["read_timeout"] = limits.read_timeout
    return ARMPipelineClient(base_url=endpoints.arm, **kwargs)


class ArmClient:
    """JSON calls against Azure Resource Manager; paths are resource paths ("/subscriptions/...")."""

    def __init__(
        self,
        credential: TokenCredential,
        transport: HttpTransport | None = None,
        limits: NetworkLimits = DEFAULT_LIMITS,
        endpoints: AzureEndpoints = PUBLIC_AZURE,
    ) -> None:
        self.limits, self.endpoints = limits, endpoints
        self._client = build_pipeline_client(credential, transport, limits, endpoints)

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
        ok: tuple[int, ...] = (),
    ) -> ArmResponse:
        """One request. Raises ArmError unless the status is 2xx (or in ``ok``), AzureUnreachable
        when the network gives no answer.

        ``path`` is a resource path ("/subscriptions/...") or an absolute nextLink, which already
        carries its query string (api-version included).
        """
        if path.startswith(("https://", "http://")):
            url, query = path, dict(params or {})
        else:
            url, query = self.endpoints.arm + path, {"api-version": api_version, **(params or {})}
        request = HttpRequest(method, url, params=query, json=body)
        started = time.monotonic()
        try:
            response = self._client.send_request(request)
            text = response.text() if response.read() else ""
        except (ServiceRequestError, ServiceResponseError) as error:
            raise unreachable_from(error, url, time.monotonic() - started, self.limits) from error
        parsed = _parse_json(text)
        if not (200 <= response.status_code < 300 or response.status_code in ok):
            code, message = _error_from_response(parsed, text)
            raise ArmError(response.status_code, code, message, method, urlsplit(url).path)
        return ArmResponse(response.status_code, parsed, dict(response.headers))

    def get(self, path: str, api_version: str, *, params: Mapping[str, str] | None = None) -> Any:
        return self.call("GET", path, api_version, params=params).json

    def post(self, path: str, api_version: str, body: Any = None) -> ArmResponse:
        return self.call("POST", path, api_version, body=body)

    def exists(self, path: str, api_version: str) -> bool:
        """HEAD: 204 when the resource exists, 404 when not (ResourceGroups_CheckExistence)."""
        return self.call("HEAD", path, api_version, ok=(404,)).status != 404

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
