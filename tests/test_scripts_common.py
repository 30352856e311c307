"""scripts.cli_common and securescore.arm: redaction, credentials, sign-in errors, the ARM client."""

from __future__ import annotations

import argparse

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential, CredentialUnavailableError, DefaultAzureCredential

from securescore.arm import ArmClient, ArmError
from securescore.cli.common import (
    REDACTED,
    Redactor,
    azure_options,
    build_credential,
    describe_principal,
    explain_auth_error,
    token_claims,
)
from tests.fakes_arm import (
    FAKE_CODE,
    FAKE_SECRET,
    TENANT_ID,
    USER_OID,
    Canned,
    FakeArmTransport,
    FakeCredential,
    arm_error,
    fake_jwt,
)

PATH = "/subscriptions/s/providers/Microsoft.Security/secureScores"


def test_redactor_masks_secrets_tokens_and_consent_codes() -> None:
    redact = Redactor()
    redact.add(FAKE_SECRET)
    token = fake_jwt()
    text = f"secret={FAKE_SECRET} bearer {token} https://portal.azure.com/?code={FAKE_CODE}&state=1"
    shown = redact(text)
    assert FAKE_SECRET not in shown and token not in shown and FAKE_CODE not in shown
    assert shown.count(REDACTED) == 3 and "&state=1" in shown


def test_options_come_from_env_and_flags_override() -> None:
    env = {"AZURE_TENANT_ID": "t-env", "AZURE_CLIENT_ID": "c-env", "AZURE_CLIENT_SECRET": "s-env"}
    args = argparse.Namespace(tenant_id=None, client_id="c-flag", client_secret=None)
    options = azure_options(args, env)
    assert (options.tenant_id, options.client_id, options.client_secret) == ("t-env", "c-flag", "s-env")


def test_client_secret_credential_only_with_all_three() -> None:
    full = azure_options(argparse.Namespace(tenant_id=TENANT_ID, client_id=USER_OID, client_secret=FAKE_SECRET), {})
    assert isinstance(build_credential(full), ClientSecretCredential)
    partial = azure_options(argparse.Namespace(tenant_id=TENANT_ID, client_id=USER_OID, client_secret=None), {})
    assert isinstance(build_credential(partial), DefaultAzureCredential)


def test_token_claims_and_principal() -> None:
    claims = token_claims(fake_jwt())
    assert claims["oid"] == USER_OID and claims["tid"] == TENANT_ID
    assert describe_principal(claims) == f"alice@contoso.example (object id {USER_OID})"
    assert token_claims("not-a-jwt") == {}
    assert token_claims("a.!!!.c") == {}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Authentication failed: AADSTS7000215: Invalid client secret provided.", "client secret is wrong or expired"),
        ("AADSTS7000222: The provided client secret keys for app 'x' are expired.", "client secret has expired"),
        ("AADSTS700016: Application with identifier 'x' was not found", "client id (AZURE_CLIENT_ID) is unknown"),
        ("AADSTS90002: Tenant 'x' not found.", "tenant (AZURE_TENANT_ID) is unknown"),
        ("(invalid_client) something else", "credentials were rejected"),
        ("(unauthorized_client) something else", "credentials were rejected"),
    ],
)
def test_sign_in_errors_are_explained(message: str, expected: str) -> None:
    detail, fix = explain_auth_error(ClientAuthenticationError(message=message + "\r\nTrace ID: 123"))
    assert expected in fix
    assert "Trace ID" not in detail


def test_no_credential_at_all_suggests_az_login() -> None:
    _, fix = explain_auth_error(CredentialUnavailableError(message="DefaultAzureCredential failed"))
    assert "az login" in fix


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


def test_arm_errors_carry_status_code_and_message() -> None:
    transport = FakeArmTransport({("GET", PATH): Canned(403, arm_error("AuthorizationFailed", "no access"))})
    with pytest.raises(ArmError) as caught:
        ArmClient(FakeCredential(), transport).get(PATH, "2020-01-01")
    assert (caught.value.status, caught.value.code, caught.value.message) == (403, "AuthorizationFailed", "no access")
    assert str(caught.value) == f"GET {PATH}: HTTP 403 AuthorizationFailed: no access"


def test_arm_client_retries_transient_errors_without_waiting() -> None:
    transport = FakeArmTransport({("GET", PATH): [
        Canned(503, arm_error("ServiceUnavailable", "busy")), Canned(200, {"value": []})]})
    assert ArmClient(FakeCredential(), transport).get(PATH, "2020-01-01") == {"value": []}
    assert len(transport.sent) == 2


def test_arm_client_sends_a_bearer_token_for_arm() -> None:
    credential = FakeCredential()
    transport = FakeArmTransport({("GET", PATH): Canned(200, {"value": []})})
    ArmClient(credential, transport).get(PATH, "2020-01-01")
    assert credential.scopes[0] == ("https://management.azure.com/.default",)
    assert transport.sent[0].headers["Authorization"] == f"Bearer {credential.token}"
