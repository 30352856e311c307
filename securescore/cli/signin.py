"""Why a sign-in failed: the real cause, shortened to one line, and what to do about it.

azure-identity reports a DefaultAzureCredential failure as one long message, each credential of the
chain with its reason (azure/identity/_credentials/chained.py, ``_get_error_message``):

    DefaultAzureCredential failed to retrieve a token from the included credentials.
    Attempted credentials:
    \tEnvironmentCredential: EnvironmentCredential authentication unavailable. Environment ...
    Visit https://aka.ms/azsdk/python/identity/environmentcredential/troubleshoot to troubleshoot this issue.
    \tManagedIdentityCredential: ManagedIdentityCredential authentication unavailable, no response ...
    To mitigate this issue, please refer to the troubleshooting guidelines here at https://aka.ms/...

A ClientSecretCredential that cannot reach Entra ID says "Authentication failed: HTTPSConnectionPool(
host=..., port=443): Read timed out." (a ClientAuthenticationError wrapping the transport error).
``explain_sign_in_error`` turns either into one line naming each credential's reason, and picks the
fix from the reason that matters: an AADSTS error code, a network failure, or "nothing configured".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from securescore.arm import NETWORK_FIX, AzureUnreachable, NetworkLimits, host_in, network_cause

# AADSTS codes: Microsoft Entra authentication and authorization error codes (Microsoft Learn,
# "Microsoft Entra authentication and authorization error codes").
AUTH_FIXES: tuple[tuple[str, str], ...] = (
    ("AADSTS7000222", "the client secret has expired: create a new one in the app registration "
     "(Certificates & secrets) and update AZURE_CLIENT_SECRET"),
    ("AADSTS7000215", "the client secret is wrong or expired: use the secret's Value (not its ID); an "
     "expired secret must be re-created in the app registration and AZURE_CLIENT_SECRET updated"),
    ("AADSTS700016", "the client id (AZURE_CLIENT_ID) is unknown in the tenant: check the app "
     "registration's Application (client) ID and that AZURE_TENANT_ID is its tenant"),
    ("AADSTS90002", "the tenant (AZURE_TENANT_ID) is unknown: use the Directory (tenant) ID of your "
     "Entra ID tenant"),
    ("AADSTS900023", "the tenant (AZURE_TENANT_ID) is not a valid tenant id or domain name"),
    ("AADSTS50076", "the tenant requires multi-factor authentication: sign in again with `az login`"),
    ("AADSTS700082", "the refresh token has expired: sign in again with `az login`"),
    ("invalid_client", "the credentials were rejected: check AZURE_TENANT_ID, AZURE_CLIENT_ID and "
     "AZURE_CLIENT_SECRET"),
    ("unauthorized_client", "the credentials were rejected: check AZURE_TENANT_ID, AZURE_CLIENT_ID and "
     "AZURE_CLIENT_SECRET"),
)
NOTHING_CONFIGURED_FIX = ("sign in with `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
                          "AZURE_CLIENT_SECRET for a service principal")
GENERIC_FIX = "check the Azure sign-in (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, or az login)"
REASON_LIMIT = 110  # characters per credential reason
DETAIL_LIMIT = 800

_ATTEMPTED = "Attempted credentials:"
# Each as its source writes it, case and all: azure-identity's troubleshooting links (managed_identity.py and
# environment.py: "Visit ..."; chained.py, azure_cli.py: "To mitigate ..."; workload_identity.py: "See the
# troubleshooting guide for more information: ...") and Entra ID's trace fields in an error_description.
_NOISE = (
    re.compile(r"\s*Visit https?://\S+ to troubleshoot this issue\.?"),
    re.compile(r"\s*To mitigate this issue, please refer to the troubleshooting guidelines here at \S+"),
    re.compile(r"\s*See the troubleshooting guide[^:]*:\s*\S+"),
    re.compile(r"\s*(Trace ID|Correlation ID|Timestamp):\s*\S+( \S+Z)?"),
)
# "EnvironmentCredential authentication unavailable. " / "ClientSecretCredential.get_token failed: ", as
# azure-identity writes them (class name, then lower case); `\b` keeps "Credentials were rejected" whole.
_REDUNDANT_PREFIX = re.compile(
    r"^\w*Credential\b(\.get_token(_info)?)?( authentication)?( unavailable| failed)?[.,:]?\s*")


@dataclass(frozen=True)
class SignInProblem:
    detail: str  # one line: what happened, each credential's reason shortened
    fix: str
    unreachable: AzureUnreachable | None = None  # set when the cause is the network

    def one_line(self) -> str:
        return f"could not sign in to Azure: {self.detail}; fix: {self.fix}"


def credential_reasons(message: str) -> list[tuple[str, str]]:
    """(credential, reason) for each entry after "Attempted credentials:"; [] for other messages."""
    if _ATTEMPTED not in message:
        return []
    entries = message.split(_ATTEMPTED, 1)[1].split("\n\t")
    reasons = []
    for entry in entries:
        name, sep, reason = entry.strip().partition(":")
        if sep and name.strip():
            reasons.append((name.strip(), reason.strip()))
    return reasons


def clean(text: str) -> str:
    """Without troubleshooting links, trace ids and line breaks."""
    for pattern in _NOISE:
        text = pattern.sub("", text)
    return " ".join(text.split())


def shorten(text: str, limit: int = REASON_LIMIT) -> str:
    """One credential's reason: its first sentence, without the credential's name repeated."""
    text = _REDUNDANT_PREFIX.sub("", clean(text)).strip()
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text, maxsplit=1)[0] if text else ""
    sentence = sentence.rstrip(".").strip()
    sentence = sentence[:1].upper() + sentence[1:] if sentence else "No reason given"
    return sentence if len(sentence) <= limit else sentence[: limit - 3].rstrip() + "..."


def _limit(text: str, limit: int = DETAIL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _fix_for(text: str) -> str | None:
    # A whole code only: "AADSTS90002" is the start of "AADSTS900023", another error.
    return next((fix for marker, fix in AUTH_FIXES
                 if re.search(rf"\b{re.escape(marker)}\b", text, re.IGNORECASE)), None)


def _unavailable(reason: str) -> bool:
    """The credential did not try (nothing configured for it): the texts of azure-identity's
    CredentialUnavailableError for each credential of DefaultAzureCredential."""
    return bool(re.search(r"unavailable|not found|not installed|could not be found|not fully configured|"
                          r"please run 'az login'|run az login|run 'azd auth login'|no accounts were found|"
                          r"not configured|requires the '[^']+' package|to be installed|Connect-AzAccount",
                          reason, re.IGNORECASE))


DEFAULT_SIGN_IN_HOST = "login.microsoftonline.com"


def explain_sign_in_error(error: BaseException, limits: NetworkLimits | None = None,
                          host: str = DEFAULT_SIGN_IN_HOST) -> SignInProblem:
    """The real cause of an azure-identity failure (ClientAuthenticationError and subclasses, or a
    transport error raised while getting a token), shortened, with a fix. ``host``: where the
    credential signs in, named when the error text does not say."""
    message = str(getattr(error, "message", None) or error)
    reasons = credential_reasons(message)
    if not reasons:  # a single credential (ClientSecretCredential) or an unexpected error
        detail = _limit(_REDUNDANT_PREFIX.sub("", clean(message)))
        return _classify(detail, message, [message], limits, host, nothing_configured=_is_unavailable_error(error))
    shown = "; ".join(f"{name}: {shorten(reason)}" for name, reason in reasons)
    # The chain goes on past a credential that is not configured and stops at the first that tried
    # and failed: only the last one can have really tried.
    last = reasons[-1][1]
    tried = [] if _unavailable(last) else [last]
    return _classify(_limit(shown), message, tried, limits, host, nothing_configured=not tried)


def _classify(detail: str, message: str, tried: list[str], limits: NetworkLimits | None, host: str,
              nothing_configured: bool) -> SignInProblem:
    fix = _fix_for(message)
    if fix:
        return SignInProblem(detail, fix)
    for reason in tried:
        cause = network_cause(reason)
        if cause:
            unreachable = AzureUnreachable(host_in(reason, host), cause, None, limits)
            limits_text = f" (limits: {limits.describe()})" if limits else ""
            return SignInProblem(f"{unreachable.host}: {cause}{limits_text}", NETWORK_FIX, unreachable)
    if nothing_configured:
        return SignInProblem(detail, NOTHING_CONFIGURED_FIX)
    return SignInProblem(detail, GENERIC_FIX)


def _is_unavailable_error(error: BaseException) -> bool:
    from azure.identity import CredentialUnavailableError

    return isinstance(error, CredentialUnavailableError)
