"""What every helper script shares: exit codes, Azure options, credentials, redacted output, and
the session a helper runs in (logging, network limits, one-line errors for a dead network).

Azure settings come from the usual environment variables (AZURE_TENANT_ID, AZURE_CLIENT_ID,
AZURE_CLIENT_SECRET, AZURE_SUBSCRIPTION_ID); command-line flags override them. A client secret
credential is used when tenant, client id and secret are all known, DefaultAzureCredential otherwise.
Both get the run's NetworkLimits (securescore.arm), so a sign-in against a dead network gives up
like every other request.

Nothing secret is ever printed or logged: every line, every log record (its message, its exception
text and traceback, its stack) goes through a Redactor that knows the client secret and the consent
code, masks anything shaped like a JWT, the value of ``code=`` / ``client_secret=`` in URLs and forms,
and the user:password of a proxy URL.
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
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError, ClientAuthenticationError

from securescore.arm import (  # noqa: F401  (ARM_ENDPOINT re-exported for the scripts)
    ARM_ENDPOINT,
    DEFAULT_LIMITS,
    AzureEndpoints,
    AzureUnreachable,
    NetworkLimits,
)
from securescore.cli.signin import DEFAULT_SIGN_IN_HOST, SignInProblem, explain_sign_in_error
from securescore.cli.stack_args import (  # noqa: F401  (re-exported: the helpers import them from here)
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    STACK_COMPLETION,
    UsageError,
    add_stack_argument,
    check_guid,
    load_settings,
    optional_settings,
    run,
)
from securescore.settings import SettingsError

REDACTED = "[redacted]"

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_CODE_PARAM = re.compile(r"((?:[?&#]|\b)(?:code|client_secret|client_assertion|refresh_token|access_token)=)"
                         r"[^&#\s\"']+", re.IGNORECASE)
_BEARER = re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
_URL_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s:@]*:[^/\s@]+@", re.IGNORECASE)  # user may be empty



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
        text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
        text = _URL_USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", text)
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
        redact_record(record, self.redactor)
        return True


def redact_record(record: logging.LogRecord, redactor: Redactor) -> logging.LogRecord:
    """Everything a record can print, redacted in place: the message with its arguments, the
    exception attached (its text and traceback, kept as ``exc_text``) and the stack."""
    if getattr(record, "_securescore_redacted", False):
        return record
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the format: show them raw
        message = f"{record.msg} {record.args!r}"
    record.msg = redactor(message)
    record.args = None
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_info = None  # a formatter would format the live exception again, unredacted
    if record.exc_text:
        record.exc_text = redactor(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor(record.stack_info)
    record._securescore_redacted = True  # type: ignore[attr-defined]
    return record


class _RedactingRecordFactory:
    """Installed once as the logging record factory: every record any handler sees (ours, pytest's,
    a user's) is redacted when it is created, with the redactor of the current helper run."""

    redactor: Redactor | None = None

    def __init__(self, previous: Callable[..., logging.LogRecord]) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        return redact_record(record, self.redactor) if self.redactor is not None else record


def _install_record_factory(redactor: Redactor) -> None:
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingRecordFactory):
        factory = _RedactingRecordFactory(factory)
        logging.setLogRecordFactory(factory)
    factory.redactor = redactor


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


OWN_LOGGERS = ("securescore", "scripts")
LIBRARY_LOGGERS = ("azure", "msal", "urllib3")


class HelperLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr, redacted. Library records that report a problem (a warning or worse, or one carrying
    a traceback) are held back until ``flush_held()``: the helper prints its own explanation first,
    so a library traceback never stands in front of it (with -v they follow it, under "details")."""

    _securescore = True

    def __init__(self, redactor: Redactor, stream: TextIO | None = None) -> None:
        super().__init__(stream or sys.stderr)
        self.redactor = redactor
        self.held: list[logging.LogRecord] = []
        self.addFilter(RedactingFilter(redactor))
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        own = record.name.split(".", 1)[0] in OWN_LOGGERS
        if not own and (record.levelno >= logging.WARNING or record.exc_text):
            self.held.append(record)
            return
        super().emit(record)

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor(super().format(record))

    def flush_held(self) -> None:
        held, self.held = self.held, []
        if held:
            self.stream.write("details (-v), from the Azure libraries:\n")
        for record in held:
            super().emit(record)


def configure_logging(verbose: bool, redactor: Redactor, stream: TextIO | None = None) -> HelperLogHandler:
    """Our warnings (or, with --verbose, everything including the SDK's redacted request log) on
    stderr. Without --verbose the Azure libraries stay silent: the helper explains failures itself."""
    _install_record_factory(redactor)
    handler = HelperLogHandler(redactor, stream)
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "_securescore", False)]
    root.addHandler(handler)
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    if verbose:
        root.setLevel(logging.DEBUG)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.CRITICAL + 1)
    return handler


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


def build_credential(
    options: AzureOptions,
    limits: NetworkLimits = DEFAULT_LIMITS,
    endpoints: AzureEndpoints | None = None,
) -> TokenCredential:
    """Client secret credential when tenant, client id and secret are given; DefaultAzureCredential
    else. Either way with the run's timeouts and retries (azure-identity passes them to its
    transport), and `az` / `azd` / `pwsh` limited to ``limits.process_timeout`` seconds."""
    from azure.identity import ClientSecretCredential, DefaultAzureCredential

    kwargs: dict[str, Any] = {**limits.transport_kwargs(), **(endpoints or AzureEndpoints()).credential_kwargs()}
    if options.uses_client_secret:
        return ClientSecretCredential(options.tenant_id, options.client_id, options.client_secret, **kwargs)
    if options.tenant_id:
        kwargs["additionally_allowed_tenants"] = [options.tenant_id]
    return DefaultAzureCredential(process_timeout=limits.process_timeout, **kwargs)


def default_credential(limits: NetworkLimits = DEFAULT_LIMITS) -> TokenCredential:
    """DefaultAzureCredential with the network limits, for code that has no helper options
    (the preview's live data sources)."""
    return build_credential(AzureOptions(None, None, None), limits, AzureEndpoints.from_env(os.environ))


def default_subscription(args_value: str | None, env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return args_value or env.get("AZURE_SUBSCRIPTION_ID") or None


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


def report_usage_error(console: Console, error: SettingsError | UsageError) -> int:
    """SettingsError / UsageError, printed readably; returns exit code 2."""
    console.error(f"error: {error}")
    return EXIT_USAGE


# --- sign-in errors ---------------------------------------------------------------------------


def explain_auth_error(error: Exception) -> tuple[str, str]:
    """(what happened, how to fix it) for an azure-identity error: see securescore.cli.signin."""
    problem = explain_sign_in_error(error)
    return problem.detail, problem.fix


class SignInFailed(Exception):
    """No token: the problem says why (each credential's reason, shortened) and how to fix it."""

    def __init__(self, problem: SignInProblem) -> None:
        super().__init__(problem.one_line())
        self.problem = problem


# --- a helper run -----------------------------------------------------------------------------


@dataclass
class Session:
    """One helper run: its console, Azure options, endpoints and network limits, and the log
    handler whose held-back library records are printed after the helper's own explanation.

    ``run(body)`` turns what every helper can meet into an exit code and one line on stderr:
    bad arguments or config (2), a dead network (1), a failed sign-in (1).
    """

    args: argparse.Namespace
    env: Mapping[str, str]
    console: Console
    options: AzureOptions
    limits: NetworkLimits
    endpoints: AzureEndpoints
    log: HelperLogHandler

    @classmethod
    def start(
        cls,
        args: argparse.Namespace,
        env: Mapping[str, str] | None = None,
        console: Console | None = None,
        limits: NetworkLimits | None = None,
    ) -> Session:
        env = os.environ if env is None else env
        console = console or Console()
        options = azure_options(args, env)
        console.redactor.add(options.client_secret)
        log = configure_logging(getattr(args, "verbose", False), console.redactor, console.err)
        return cls(args, env, console, options, limits or DEFAULT_LIMITS, AzureEndpoints.from_env(env), log)

    def credential(self, given: TokenCredential | None = None) -> TokenCredential:
        return given or build_credential(self.options, self.limits, self.endpoints)

    def sign_in(self, credential: TokenCredential) -> dict[str, Any]:
        """The token's claims (oid, tid, upn...), or SignInFailed with the real cause and a fix."""
        try:
            token = credential.get_token(self.endpoints.arm_scope)
        except (ClientAuthenticationError, AzureError) as error:
            raise SignInFailed(explain_sign_in_error(error, self.limits, self.sign_in_host)) from error
        return token_claims(token.token)

    @property
    def sign_in_host(self) -> str:
        host = self.endpoints.authority_host
        return urlsplit(host if "://" in host else f"https://{host}").netloc if host else DEFAULT_SIGN_IN_HOST

    def run(self, body: Callable[[], int]) -> int:
        try:
            return body()
        except (SettingsError, UsageError) as error:
            return report_usage_error(self.console, error)
        except AzureUnreachable as error:
            self.console.error(f"error: {error.one_line()}")
            return EXIT_FAILED
        except SignInFailed as error:
            self.console.error(f"error: {error.problem.one_line()}")
            return EXIT_FAILED
        except ClientAuthenticationError as error:  # a token refresh inside an SDK call
            self.console.error(f"error: {explain_sign_in_error(error, self.limits, self.sign_in_host).one_line()}")
            return EXIT_FAILED
        finally:
            self.finish()

    def finish(self) -> None:
        self.log.flush_held()
