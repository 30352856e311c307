"""Each way a request to Azure fails on the network is named for what it is, and a token in any text the
helpers print is masked whole.

The failure texts are those urllib3 2.8.0 (the pinned version; connection.py, connectionpool.py,
exceptions.py) and requests put in their errors, as azure-core's RequestsTransport passes them on.
"""

from __future__ import annotations

import base64
import json

import pytest
from azure.identity import AzureAuthorityHosts

from securescore.arm import AzureEndpoints, network_cause
from securescore.cli.common import REDACTED, Redactor

POOL = "HTTPSConnectionPool(host='management.azure.com', port=443): Max retries exceeded with url: /subscriptions"


@pytest.mark.parametrize(("text", "cause"), [
    (f"{POOL} (Caused by ProxyError('Unable to connect to proxy', OSError('Tunnel connection failed: 403')))",
     "the proxy did not let the request through"),
    (f"{POOL} (Caused by NameResolutionError(\"<urllib3.connection.HTTPSConnection object at 0x7f1>: Failed to "
     "resolve 'management.azure.com' ([Errno -2] Name or service not known)\"))",
     "the host name does not resolve (DNS)"),
    (f"{POOL} (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f1>: Failed to "
     "establish a new connection: [Errno 111] Connection refused'))", "the connection was refused"),
    (f"{POOL} (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
     "verify failed: unable to get local issuer certificate (_ssl.c:1006)')))",
     "the TLS certificate is not trusted (a TLS-inspecting proxy? set REQUESTS_CA_BUNDLE to its CA)"),
    ("HTTPSConnectionPool(host='management.azure.com', port=443): Read timed out. (read timeout=30)",
     "no answer within the read timeout"),
    (f"{POOL} (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f1>, "
     "'Connection to management.azure.com timed out. (connect timeout=10)'))",
     "no connection within the connect timeout"),
    ("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))",
     "the connection was closed without an answer"),
])
def test_each_network_failure_is_named(text: str, cause: str) -> None:
    assert network_cause(text) == cause


def test_an_answer_that_is_no_network_failure_has_no_cause() -> None:
    assert network_cause("(AuthorizationFailed) The client does not have authorization") is None


def jwt(signature: str) -> str:
    def part(data: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part({'aud': 'https://management.azure.com'})}.{signature}"


# A signature is base64url (RFC 7515): upper case, lower case, digits, "-" and "_", in any order.
@pytest.mark.parametrize("signature", ["Zm9vYmFy_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abc-_DEF", ""])
def test_a_token_is_masked_whole_whatever_its_signature(signature: str) -> None:
    token = jwt(signature)
    assert Redactor()(f"sent {token} to Azure") == f"sent {REDACTED} to Azure"


# azure-identity's own list of the clouds' authority hosts (azure.identity.AzureAuthorityHosts).
KNOWN_CLOUDS = [AzureAuthorityHosts.AZURE_PUBLIC_CLOUD, AzureAuthorityHosts.AZURE_CHINA,
                AzureAuthorityHosts.AZURE_GOVERNMENT]


@pytest.mark.parametrize("host", KNOWN_CLOUDS)
def test_a_known_clouds_authority_keeps_instance_discovery(host: str) -> None:
    """MSAL discovers a known cloud's authority itself; only another host has discovery switched off."""
    for given in (host, f"https://{host}"):
        assert AzureEndpoints.from_env({"AZURE_AUTHORITY_HOST": given}).credential_kwargs() == {"authority": given}


def test_another_authority_host_switches_instance_discovery_off() -> None:
    kwargs = AzureEndpoints.from_env({"AZURE_AUTHORITY_HOST": "https://login.contoso-sovereign.example"}
                                     ).credential_kwargs()
    assert kwargs == {"authority": "https://login.contoso-sovereign.example", "disable_instance_discovery": True}


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_an_opaque_bearer_token_is_masked_however_the_scheme_is_written(scheme: str) -> None:
    """The authentication scheme is a case-insensitive token (RFC 9110, 11.1)."""
    assert Redactor()(f"Authorization: {scheme} opaqueToken1234567") == f"Authorization: {scheme} {REDACTED}"
