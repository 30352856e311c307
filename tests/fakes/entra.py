"""Microsoft Entra ID's token endpoint, as a ClientSecretCredential (MSAL) reaches it.

Shapes: the OpenID Connect discovery document (``token_endpoint``, ``authorization_endpoint``,
``issuer``) and the error response of the client credentials flow - Microsoft Learn, "Microsoft
identity platform and the OAuth 2.0 client credentials flow", "Error response" (``error``,
``error_description`` with "Trace ID / Correlation ID / Timestamp", ``error_codes``, ``trace_id``,
``correlation_id``). AADSTS codes: Learn, "Microsoft Entra authentication and authorization error codes".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.fakes.transport import Canned, FakeResponse

LOGIN_HOST = "login.microsoftonline.com"


def openid_configuration(tenant: str, host: str = LOGIN_HOST) -> dict[str, Any]:
    base = f"https://{host}/{tenant}"
    return {"token_endpoint": f"{base}/oauth2/v2.0/token", "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "issuer": f"{base}/v2.0", "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout", "token_endpoint_auth_methods_supported": [
                "client_secret_post", "private_key_jwt", "client_secret_basic"]}


def token_error(error: str, code: int, description: str) -> dict[str, Any]:
    trace, correlation, stamp = "255d1aef-8c98-452f-ac51-23d051240864", "fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7", \
        "2026-11-23 07:00:00Z"
    return {"error": error,
            "error_description": f"AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: "
                                 f"{correlation}\r\nTimestamp: {stamp}",
            "error_codes": [code], "timestamp": stamp, "trace_id": trace, "correlation_id": correlation}


class FakeEntraTransport:
    """Discovery answers; the token request answers ``token`` (status, body)."""

    def __init__(self, tenant: str, token: Canned) -> None:
        self.tenant, self.token = tenant, token
        self.urls: list[str] = []

    def send(self, request: Any, **kwargs: Any) -> FakeResponse:
        self.urls.append(request.url)
        path = urlsplit(request.url).path
        if path.endswith("/.well-known/openid-configuration"):
            return FakeResponse(request, 200, openid_configuration(self.tenant))
        if path.endswith("/discovery/instance"):  # MSAL's instance metadata, asked after an error
            aliases = [LOGIN_HOST, "login.windows.net", "login.microsoft.com", "sts.windows.net"]
            return FakeResponse(request, 200, {
                "tenant_discovery_endpoint": f"https://{LOGIN_HOST}/{self.tenant}/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [{"preferred_network": LOGIN_HOST, "preferred_cache": "login.windows.net",
                              "aliases": aliases}]})
        if path.endswith("/oauth2/v2.0/token"):
            return FakeResponse(request, self.token.status, self.token.body)
        return FakeResponse(request, 404, {"error": "not_found"})

    def open(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> FakeEntraTransport:
        return self

    def __exit__(self, *args: Any) -> None: ...
    def sleep(self, duration: float) -> None: ...
