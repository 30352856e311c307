"""securescore.cli.common, .signin and securescore.arm: redaction of everything printed or logged,
sign-in failures explained once with the real cause, the held-back library log, the ARM client."""

from __future__ import annotations

import argparse
import io
import logging

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential, CredentialUnavailableError, DefaultAzureCredential

from securescore.arm import (
    ArmClient,
    ArmError,
    AzureEndpoints,
    AzureUnreachable,
    NetworkLimits,
    network_cause,
)
from securescore.cli.common import (
    REDACTED,
    Console,
    Redactor,
    Session,
    SignInFailed,
    azure_options,
    build_credential,
    configure_logging,
    describe_principal,
    token_claims,
)
from securescore.cli.signin import NOTHING_CONFIGURED_FIX, credential_reasons, explain_sign_in_error
from tests.fakes.entra import FakeEntraTransport, token_error
from tests.fakes.transport import (
    FAKE_CODE,
    FAKE_SECRET,
    TENANT_ID,
    USER_OID,
    Canned,
    FakeArmTransport,
    FakeCredential,
    Sent,
    arm_error,
    fake_jwt,
)

PATH = "/subscriptions/s/providers/Microsoft.Security/secureScores"
# The message format of azure-identity's ChainedTokenCredential (_credentials/chained.py,
# _get_error_message): each credential on its own tab-indented line, troubleshooting links between.
DAC_MESSAGE = (
    "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
    "Attempted credentials:\n"
    "\tEnvironmentCredential: EnvironmentCredential authentication unavailable. Environment variables are not "
    "fully configured.\nVisit https://aka.ms/azsdk/python/identity/environmentcredential/troubleshoot to "
    "troubleshoot this issue.\n"
    "\tManagedIdentityCredential: ManagedIdentityCredential authentication unavailable, no response from the "
    "IMDS endpoint.\n"
    "\tAzureCliCredential: Azure CLI not found on path\n"
    "\tAzurePowerShellCredential: PowerShell is not installed\n"
    "To mitigate this issue, please refer to the troubleshooting guidelines here at "
    "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot."
)


# --- redaction --------------------------------------------------------------------------------


def test_redactor_masks_secrets_tokens_codes_and_proxy_passwords() -> None:
    redact = Redactor()
    redact.add(FAKE_SECRET)
    token = fake_jwt()
    text = (f"secret={FAKE_SECRET} bearer {token} https://portal.azure.com/?code={FAKE_CODE}&state=1 "
            f"client_secret=abc123def&x=1 proxy http://bob:hunter2@proxy.contoso.example:8080 "
            f"Authorization: Bearer opaqueToken1234567")
    shown = redact(text)
    for secret in (FAKE_SECRET, token, FAKE_CODE, "abc123def", "hunter2", "opaqueToken1234567"):
        assert secret not in shown
    assert "&state=1" in shown and "&x=1" in shown and "proxy.contoso.example:8080" in shown


def test_known_only_keeps_a_link_usable() -> None:
    redact = Redactor()
    redact.add(FAKE_CODE)
    link = "https://logic-apis-westeurope.consent.azure-apim.net/login?data=eyJhbGciOi.eyJzdGF0ZSI6.c2ln"
    assert redact.known(link) == link and redact.known(f"x {FAKE_CODE}") == f"x {REDACTED}"


def _logged(handler_stream: io.StringIO) -> str:
    return handler_stream.getvalue()


@pytest.mark.parametrize("verbose", [True, False])
def test_every_part_of_a_log_record_is_redacted(verbose: bool, caplog: pytest.LogCaptureFixture) -> None:
    """The message, its arguments, the exception text and traceback attached, and the stack: in our
    handler and in every other handler (pytest's here)."""
    caplog.set_level(logging.DEBUG)
    redact = Redactor()
    redact.add(FAKE_SECRET)
    stream = io.StringIO()
    handler = configure_logging(verbose, redact, stream)
    log = logging.getLogger("securescore.test")
    try:
        raise ValueError(f"boom with {FAKE_SECRET} and token {fake_jwt()}")
    except ValueError:
        log.warning("failed for %s", FAKE_SECRET, exc_info=True, stack_info=True)
    logging.getLogger("azure.identity").warning("library says %s", FAKE_SECRET, exc_info=ValueError(FAKE_SECRET))
    handler.flush_held()
    everything = _logged(stream) + caplog.text
    assert FAKE_SECRET not in everything and fake_jwt() not in everything
    assert "failed for [redacted]" in _logged(stream)
    assert "ValueError: boom with [redacted]" in _logged(stream)  # the traceback is shown, redacted
    assert ("library says [redacted]" in _logged(stream)) is verbose  # quiet libraries without -v


def test_library_tracebacks_come_after_the_helpers_explanation() -> None:
    stream = io.StringIO()
    console = Console(out=io.StringIO(), err=stream)
    session = Session.start(argparse.Namespace(verbose=True), {}, console)

    def body() -> int:
        logging.getLogger("azure.identity").debug("Request URL: 'https://login.microsoftonline.com/x'")
        try:
            raise ClientAuthenticationError(message="Authentication failed: AADSTS7000215: Invalid client secret")
        except ClientAuthenticationError as error:
            logging.getLogger("azure.identity").warning("get_token failed", exc_info=True)
            raise SignInFailed(explain_sign_in_error(error)) from error

    assert session.run(body) == 1
    err = stream.getvalue()
    assert err.index("Request URL") < err.index("error: could not sign in") < err.index("Traceback")
    assert err.count("client secret is wrong or expired") == 1


# --- options and credentials ------------------------------------------------------------------


def test_options_come_from_env_and_flags_override() -> None:
    env = {"AZURE_TENANT_ID": "t-env", "AZURE_CLIENT_ID": "c-env", "AZURE_CLIENT_SECRET": "s-env"}
    args = argparse.Namespace(tenant_id=None, client_id="c-flag", client_secret=None)
    options = azure_options(args, env)
    assert (options.tenant_id, options.client_id, options.client_secret) == ("t-env", "c-flag", "s-env")


def test_client_secret_credential_only_with_all_three() -> None:
    full = azure_options(argparse.Namespace(tenant_id=TENANT_ID, client_id=USER_OID, client_secret=FAKE_SECRET), {})
    assert isinstance(build_credential(full), ClientSecretCredential)
    partial = azure_options(argparse.Namespace(tenant_id=TENANT_ID, client_id=USER_OID, client_secret=None), {})
    assert isinstance(build_credential(partial, NetworkLimits(process_timeout=3)), DefaultAzureCredential)


def test_endpoints_from_the_environment() -> None:
    assert AzureEndpoints.from_env({}).arm == "https://management.azure.com"
    assert AzureEndpoints.from_env({}).credential_kwargs() == {}
    endpoints = AzureEndpoints.from_env({"SECURESCORE_ARM_ENDPOINT": "https://management.chinacloudapi.cn/",
                                         "AZURE_AUTHORITY_HOST": "https://login.chinacloudapi.cn"})
    assert endpoints.arm_scope == "https://management.chinacloudapi.cn/.default"
    assert endpoints.credential_kwargs() == {"authority": "https://login.chinacloudapi.cn"}  # a known cloud
    loopback = AzureEndpoints.from_env({"AZURE_AUTHORITY_HOST": "https://127.0.0.1:8443"})
    assert loopback.credential_kwargs()["disable_instance_discovery"] is True


def test_token_claims_and_principal() -> None:
    claims = token_claims(fake_jwt())
    assert claims["oid"] == USER_OID and claims["tid"] == TENANT_ID
    assert describe_principal(claims) == f"alice@contoso.example (object id {USER_OID})"
    assert token_claims("not-a-jwt") == {}
    assert token_claims("a.!!!.c") == {}


# --- sign-in failures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "description", "expected"),
    [
        (7000215, "Invalid client secret provided.", "client secret is wrong or expired"),
        (7000222, "The provided client secret keys for app 'x' are expired.", "client secret has expired"),
        (700016, "Application with identifier 'x' was not found in the directory", "client id (AZURE_CLIENT_ID)"),
        (90002, "Tenant 'x' not found.", "tenant (AZURE_TENANT_ID) is unknown"),
    ],
)
def test_entra_errors_from_a_real_client_secret_credential(code: int, description: str, expected: str) -> None:
    """MSAL and azure-identity really run; only Entra's HTTP answers are canned."""
    transport = FakeEntraTransport(TENANT_ID, Canned(401, token_error("invalid_client", code, description)))
    credential = ClientSecretCredential(TENANT_ID, USER_OID, FAKE_SECRET, transport=transport)
    with pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token("https://management.azure.com/.default")
    problem = explain_sign_in_error(caught.value)
    assert expected in problem.fix
    assert f"AADSTS{code}" in problem.detail and "Trace ID" not in problem.detail and "\n" not in problem.detail
    assert problem.unreachable is None


def test_the_credential_chain_is_listed_once_shortened() -> None:
    assert [name for name, _ in credential_reasons(DAC_MESSAGE)] == [
        "EnvironmentCredential", "ManagedIdentityCredential", "AzureCliCredential", "AzurePowerShellCredential"]
    problem = explain_sign_in_error(ClientAuthenticationError(message=DAC_MESSAGE))
    assert problem.detail == ("EnvironmentCredential: Environment variables are not fully configured; "
                              "ManagedIdentityCredential: No response from the IMDS endpoint; "
                              "AzureCliCredential: Azure CLI not found on path; "
                              "AzurePowerShellCredential: PowerShell is not installed")
    assert problem.fix == NOTHING_CONFIGURED_FIX and "aka.ms" not in problem.detail


def test_the_chain_stops_at_a_credential_that_tried_and_failed() -> None:
    message = DAC_MESSAGE.replace(
        "\tAzureCliCredential: Azure CLI not found on path\n\tAzurePowerShellCredential: PowerShell is not "
        "installed\n", "\tAzureCliCredential: AADSTS700082: The refresh token has expired due to inactivity.\n")
    problem = explain_sign_in_error(ClientAuthenticationError(message=message))
    assert "az login" in problem.fix and "refresh token has expired" in problem.detail


def test_a_real_default_credential_with_nothing_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_USERNAME",
                     "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, azd or pwsh
    credential = DefaultAzureCredential(exclude_managed_identity_credential=True, process_timeout=2)
    with pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token("https://management.azure.com/.default")
    problem = explain_sign_in_error(caught.value)
    assert problem.detail.startswith("EnvironmentCredential: ") and "AzureCliCredential: " in problem.detail
    assert problem.fix == NOTHING_CONFIGURED_FIX


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ("Authentication failed: HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Read timed out. "
         "(read timeout=20)", "no answer within the read timeout"),
        ("Authentication failed: Response timeout", "no answer within the read timeout"),
        ("Authentication failed: HTTPSConnection(host='login.microsoftonline.com', port=443): Failed to resolve "
         "'login.microsoftonline.com' ([Errno -2] Name or service not known)", "does not resolve (DNS)"),
        ("Authentication failed: HTTPSConnectionPool(host='127.0.0.1', port=8443): Max retries exceeded (Caused by "
         "NewConnectionError(': Failed to establish a new connection: [Errno 111] Connection refused'))",
         "connection was refused"),
        ("Authentication failed: ... (Caused by ProxyError('Unable to connect to proxy', ...))", "proxy"),
    ],
)
def test_a_sign_in_that_meets_a_dead_network_says_so(message: str, cause: str) -> None:
    problem = explain_sign_in_error(ClientAuthenticationError(message=message))
    assert problem.unreachable is not None and cause in problem.detail
    assert "network" in problem.fix and "AZURE_CLIENT_SECRET" not in problem.fix


def test_no_credential_at_all_suggests_az_login() -> None:
    problem = explain_sign_in_error(CredentialUnavailableError(message="EnvironmentCredential authentication "
                                                               "unavailable. Environment variables are not fully "
                                                               "configured."))
    assert "az login" in problem.fix


def test_network_cause_is_none_for_other_errors() -> None:
    assert network_cause("AADSTS7000215: Invalid client secret provided.") is None


# --- the ARM client ---------------------------------------------------------------------------


def test_arm_client_follows_next_links_and_keeps_their_query() -> None:
    next_link = f"https://management.azure.com{PATH}?api-version=2020-01-01&$skipToken=page2"
    transport = FakeArmTransport({("GET", PATH): lambda sent: (
        Canned(200, {"value": [2], "nextLink": None}) if "$skipToken" in sent.query
        else Canned(200, {"value": [1], "nextLink": next_link}))})
    items = list(ArmClient(FakeCredential(), transport).list(PATH, "2020-01-01", params={"$expand": "definition"}))
    assert items == [1, 2]
    assert transport.sent[0].query == {"api-version": ["2020-01-01"], "$expand": ["definition"]}
    assert transport.sent[1].query == {"api-version": ["2020-01-01"], "$skipToken": ["page2"]}


def test_arm_client_stops_when_a_next_link_repeats() -> None:
    loop = f"https://management.azure.com{PATH}?api-version=2020-01-01&$skipToken=same"
    transport = FakeArmTransport({("GET", PATH): Canned(200, {"value": [1], "nextLink": loop})})
    with pytest.raises(ArmError, match="same nextLink"):
        list(ArmClient(FakeCredential(), transport).list(PATH, "2020-01-01"))


def _numbered_pages(count: int) -> FakeArmTransport:
    """``count`` pages of one item each, chained by nextLink ($skipToken=<next page's index>)."""
    def page(sent: Sent) -> Canned:
        index = int(sent.query.get("$skipToken", ["1"])[0])
        more = f"https://management.azure.com{PATH}?api-version=2020-01-01&$skipToken={index + 1}"
        return Canned(200, {"value": [index], "nextLink": more if index < count else None})
    return FakeArmTransport({("GET", PATH): page})


def test_arm_client_reads_a_thousand_pages_and_stops_past_them() -> None:
    # The helpers' own guard against a nextLink that never ends (arm.MAX_PAGES): 1,000 pages.
    assert list(ArmClient(FakeCredential(), _numbered_pages(1000)).list(PATH, "2020-01-01")) == list(range(1, 1001))
    with pytest.raises(ArmError, match="stopped after 1000 pages"):
        list(ArmClient(FakeCredential(), _numbered_pages(1001)).list(PATH, "2020-01-01"))


@pytest.mark.parametrize("body", [
    arm_error("AuthorizationFailed", "no access"),  # ARM common-types ErrorResponse
    {"Error": {"Code": "AuthorizationFailed", "Message": "no access"}},  # as Microsoft.Security answers
    {"code": "AuthorizationFailed", "message": "no access"},  # without the wrapper
])
def test_arm_errors_carry_status_code_and_message(body: dict) -> None:
    transport = FakeArmTransport({("GET", PATH): Canned(403, body)})
    with pytest.raises(ArmError) as caught:
        ArmClient(FakeCredential(), transport).get(PATH, "2020-01-01")
    assert (caught.value.status, caught.value.code, caught.value.message) == (403, "AuthorizationFailed", "no access")
    assert str(caught.value) == f"GET {PATH}: HTTP 403 AuthorizationFailed: no access"


def test_a_body_that_is_not_json_becomes_the_message() -> None:
    transport = FakeArmTransport({("GET", PATH): Canned(502, "<html>Bad Gateway</html>")})
    with pytest.raises(ArmError, match="Bad Gateway"):
        ArmClient(FakeCredential(), transport, NetworkLimits(retry_total=0)).get(PATH, "2020-01-01")


def test_arm_client_retries_transient_errors_without_waiting() -> None:
    transport = FakeArmTransport({("GET", PATH): [
        Canned(503, arm_error("ServiceUnavailable", "busy")), Canned(200, {"value": []})]})
    assert ArmClient(FakeCredential(), transport).get(PATH, "2020-01-01") == {"value": []}
    assert len(transport.sent) == 2


def test_retries_stop_at_the_limit() -> None:
    transport = FakeArmTransport({("GET", PATH): Canned(503, arm_error("ServiceUnavailable", "busy"))})
    with pytest.raises(ArmError, match="HTTP 503"):
        ArmClient(FakeCredential(), transport, NetworkLimits(retry_total=2)).get(PATH, "2020-01-01")
    assert len(transport.sent) == 3  # the first try and two retries


def test_head_tells_whether_a_resource_exists() -> None:
    group = "/subscriptions/s/resourcegroups/rg"
    transport = FakeArmTransport({("HEAD", group): Canned(204)})
    client = ArmClient(FakeCredential(), transport)
    assert client.exists(group, "2021-04-01") is True
    assert client.exists(group + "-other", "2021-04-01") is False
    transport.add("HEAD", group, Canned(403, None))
    with pytest.raises(ArmError):
        client.exists(group, "2021-04-01")


def test_arm_client_sends_a_bearer_token_for_the_endpoint_it_calls() -> None:
    credential = FakeCredential()
    transport = FakeArmTransport({("GET", PATH): Canned(200, {"value": []})})
    ArmClient(credential, transport).get(PATH, "2020-01-01")
    assert credential.scopes[0] == ("https://management.azure.com/.default",)
    assert transport.sent[0].headers["Authorization"] == f"Bearer {credential.token}"
    other = FakeArmTransport({("GET", PATH): Canned(200, {"value": []})}, host="management.usgovcloudapi.net")
    ArmClient(credential, other, endpoints=AzureEndpoints(arm="https://management.usgovcloudapi.net")).get(
        PATH, "2020-01-01")
    assert credential.scopes[1] == ("https://management.usgovcloudapi.net/.default",)


def test_unreachable_is_one_line_with_the_limits() -> None:
    error = AzureUnreachable("127.0.0.1:8443", "no answer within the read timeout", 31.6, NetworkLimits())
    line = error.one_line()
    assert "\n" not in line and "127.0.0.1:8443" in line and "gave up after 32 s" in line
    assert "connect 10 s, read 20 s, 2 retries within 20 s" in line and "HTTPS_PROXY" in line
