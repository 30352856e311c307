"""What every helper script shares: exit codes, Azure options, credentials, redacted output.

Azure settings come from the usual environment variables (AZURE_TENANT_ID, AZURE_CLIENT_ID,
AZURE_CLIENT_SECRET, AZURE_SUBSCRIPTION_ID); command-line flags override them. A client secret
credential is used when tenant, client id and secret are all known, DefaultAzureCredential otherwise.

Nothing secret is ever printed: every line goes through a Redactor that knows the client secret,
masks anything shaped like a JWT and the value of ``code=`` in URLs.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from azure.core.credentials import TokenCredential

from securescore.arm import ARM_ENDPOINT, ARM_SCOPE  # noqa: F401  (re-exported for the scripts)
from securescore.settings import Settings, SettingsError, settings_from_stack

EXIT_OK = 0
EXIT_FAILED = 1  # a check or an Azure call failed
EXIT_USAGE = 2  # bad arguments or configuration

REDACTED = "[redacted]"

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_CODE_PARAM = re.compile(r"((?:[?&#]|\b)code=)[^&#\s\"']+", re.IGNORECASE)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


class UsageError(Exception):
    """A problem with the arguments or the environment the user can fix; exit code 2."""


# --- redaction --------------------------------------------------------------------------------


@dataclass
class Redactor:
    """Removes known secrets, bearer tokens and consent codes from any text before it is shown."""

    secrets: set[str] = field(default_factory=set)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            self.secrets.add(secret)

    def __call__(self, text: str) -> str:
        text = _JWT.sub(REDACTED, self.known(text))
        return _CODE_PARAM.sub(lambda m: m.group(1) + REDACTED, text)

    def known(self, text: str) -> str:
        """Only the secrets registered with add() (for links the user must be able to open)."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text


class RedactingFilter(logging.Filter):
    """A logging filter that passes every record's final message through a Redactor."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor(record.getMessage())
        record.args = None
        return True


@dataclass
class Console:
    """stdout/stderr with redaction; scripts print only through this."""

    redactor: Redactor = field(default_factory=Redactor)
    out: TextIO | None = None
    err: TextIO | None = None

    def print(self, text: str = "", *, end: str = "\n") -> None:
        stream = self.out or sys.stdout
        stream.write(self.redactor(text) + end)
        stream.flush()

    def link(self, url: str, indent: str = "  ") -> None:
        """A URL for the user to open (a consent link): only known secrets are masked, so it still works."""
        stream = self.out or sys.stdout
        stream.write(indent + self.redactor.known(url) + "\n")
        stream.flush()

    def error(self, text: str) -> None:
        stream = self.err or sys.stderr
        stream.write(self.redactor(text) + "\n")
        stream.flush()


def configure_logging(verbose: bool, redactor: Redactor) -> None:
    """Warnings only (or debug with --verbose) on stderr, always through the redactor."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter(redactor))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "_securescore", False)]
    handler._securescore = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    if verbose:
        root.setLevel(logging.DEBUG)
    # The SDKs log requests at INFO and sign-in failures at WARNING; the scripts explain those.
    logging.getLogger("azure").setLevel(logging.DEBUG if verbose else logging.ERROR)


# --- arguments --------------------------------------------------------------------------------


def add_azure_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "Azure sign-in",
        "Defaults come from AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET. With all three a "
        "service principal signs in; otherwise DefaultAzureCredential (az login, managed identity, ...).",
    )
    group.add_argument("--tenant-id", help="Entra ID tenant (default: $AZURE_TENANT_ID)")
    group.add_argument("--client-id", help="app (client) id of a service principal (default: $AZURE_CLIENT_ID)")
    group.add_argument(
        "--client-secret",
        help="its client secret (default: $AZURE_CLIENT_SECRET; prefer the variable: "
        "arguments are visible to other processes)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log the Azure SDK's requests (redacted)")


def add_stack_argument(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--stack", required=required, metavar="NAME",
        help="read the settings from stacks/Pulumi.NAME.yaml (e.g. dev, prod)",
    )


@dataclass(frozen=True)
class AzureOptions:
    tenant_id: str | None
    client_id: str | None
    client_secret: str | None

    @property
    def uses_client_secret(self) -> bool:
        return bool(self.tenant_id and self.client_id and self.client_secret)


def azure_options(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> AzureOptions:
    env = os.environ if env is None else env
    return AzureOptions(
        tenant_id=getattr(args, "tenant_id", None) or env.get("AZURE_TENANT_ID") or None,
        client_id=getattr(args, "client_id", None) or env.get("AZURE_CLIENT_ID") or None,
        client_secret=getattr(args, "client_secret", None) or env.get("AZURE_CLIENT_SECRET") or None,
    )


def start_cli(
    args: argparse.Namespace, env: Mapping[str, str] | None, console: Console | None
) -> tuple[Mapping[str, str], Console, AzureOptions]:
    """What every script does first: resolve the environment and the Azure options, and make sure
    the client secret is masked in everything printed or logged from here on."""
    env = os.environ if env is None else env
    console = console or Console()
    options = azure_options(args, env)
    console.redactor.add(options.client_secret)
    configure_logging(args.verbose, console.redactor)
    return env, console, options


def build_credential(options: AzureOptions) -> TokenCredential:
    """Client secret credential when tenant, client id and secret are given; DefaultAzureCredential else."""
    from azure.identity import ClientSecretCredential, DefaultAzureCredential

    if options.uses_client_secret:
        return ClientSecretCredential(options.tenant_id, options.client_id, options.client_secret)
    kwargs: dict[str, Any] = {}
    if options.tenant_id:
        kwargs["additionally_allowed_tenants"] = [options.tenant_id]
    return DefaultAzureCredential(**kwargs)


def default_subscription(args_value: str | None, env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return args_value or env.get("AZURE_SUBSCRIPTION_ID") or None


def check_guid(value: str, what: str) -> str:
    if not _GUID.match(value or ""):
        raise UsageError(f"{what} must be a GUID like 00000000-0000-0000-0000-000000000000, not {value!r}")
    return value.lower()


def load_settings(stack: str) -> Settings:
    return settings_from_stack(stack)


# --- tokens -----------------------------------------------------------------------------------


def token_claims(token: str) -> dict[str, Any]:
    """The (unverified) claims of a JWT access token: only read to learn oid/tid, never shown."""
    parts = token.split(".")
    if len(parts) < 2:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def describe_principal(claims: Mapping[str, Any]) -> str:
    """Who the token belongs to, for 'assign role X to <principal>' messages."""
    oid = claims.get("oid")
    name = claims.get("upn") or claims.get("unique_name") or claims.get("appid")
    if oid and name:
        return f"{name} (object id {oid})"
    return str(oid or name or "the signed-in identity")


# --- running ----------------------------------------------------------------------------------


def run(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> None:
    """Entry point wrapper for ``if __name__ == "__main__"``."""
    sys.exit(main(argv))


def report_usage_error(console: Console, error: SettingsError | UsageError) -> int:
    """SettingsError / UsageError, printed readably; returns exit code 2."""
    console.error(f"error: {error}")
    return EXIT_USAGE


# --- sign-in errors ---------------------------------------------------------------------------

_AUTH_FIXES: tuple[tuple[str, str], ...] = (
    ("AADSTS7000222", "the client secret has expired: create a new one in the app registration "
     "(Certificates & secrets) and update AZURE_CLIENT_SECRET"),
    ("AADSTS7000215", "the client secret is wrong or expired: use the secret's Value (not its ID); an "
     "expired secret must be re-created in the app registration and AZURE_CLIENT_SECRET updated"),
    ("AADSTS700016", "the client id (AZURE_CLIENT_ID) is unknown in the tenant: check the app "
     "registration's Application (client) ID and that AZURE_TENANT_ID is its tenant"),
    ("AADSTS90002", "the tenant (AZURE_TENANT_ID) is unknown: use the Directory (tenant) ID of your "
     "Entra ID tenant"),
    ("AADSTS900023", "the tenant (AZURE_TENANT_ID) is not a valid tenant id or domain name"),
    ("invalid_client", "the credentials were rejected: check AZURE_TENANT_ID, AZURE_CLIENT_ID and "
     "AZURE_CLIENT_SECRET"),
    ("unauthorized_client", "the credentials were rejected: check AZURE_TENANT_ID, AZURE_CLIENT_ID and "
     "AZURE_CLIENT_SECRET"),
)


def explain_auth_error(error: Exception) -> tuple[str, str]:
    """(what happened, how to fix it) for an azure-identity ClientAuthenticationError."""
    from azure.identity import CredentialUnavailableError

    message = str(getattr(error, "message", None) or error)
    first_line = next((line.strip() for line in message.splitlines() if line.strip()), type(error).__name__)
    for marker, fix in _AUTH_FIXES:
        if marker.lower() in message.lower():
            return _shorten(first_line), fix
    if isinstance(error, CredentialUnavailableError):
        return _shorten(first_line), (
            "no credential available: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET "
            "for a service principal, or sign in with `az login`"
        )
    return _shorten(first_line), (
        "check the Azure sign-in (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, or az login)"
    )


def _shorten(text: str, limit: int = 300) -> str:
    text = re.sub(r"\s*(Trace ID|Correlation ID|Timestamp):.*$", "", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
