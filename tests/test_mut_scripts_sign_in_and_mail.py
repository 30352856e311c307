"""Rules scripts' constants seeds 5 and 6 showed untested: the fix named for each Entra ID error code,
the credential prefixes and troubleshooting links dropped from a sign-in error (and only those), the
host a sign-in error names when its text names none, which failed actions count as the mail path in
zero-touch mode, and the role names check gives the identity's roles."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError, EnvironmentCredential
from azure.identity._credentials.workload_identity import WORKLOAD_CONFIG_ERROR

from securescore.cli import mode_facts
from securescore.cli.failure_signatures import diagnose
from securescore.cli.signin import explain_sign_in_error
from securescore.logicapp.definition import build_definition
from tests.conftest import make_settings

# Each code with its text from Microsoft Learn, "Microsoft Entra authentication and authorization error
# codes" (invalid_client / unauthorized_client: RFC 6749 section 5.2's error values), and what the fix
# must tell the user to do.
ENTRA_ERRORS = [
    ("AADSTS7000222: InvalidClientSecretExpiredKeysProvided - The provided client secret keys are expired.",
     ("client secret has expired", "AZURE_CLIENT_SECRET")),
    ("AADSTS7000215: Invalid client secret provided.", ("client secret is wrong or expired", "AZURE_CLIENT_SECRET")),
    ("AADSTS700016: Application with identifier 'x' was not found in the directory 'contoso'.",
     ("AZURE_CLIENT_ID", "AZURE_TENANT_ID")),
    ("AADSTS90002: Tenant 'x' not found.", ("AZURE_TENANT_ID) is unknown",)),
    ("AADSTS900023: Specified tenant identifier 'x' is neither a valid DNS name, nor a valid external domain.",
     ("AZURE_TENANT_ID) is not a valid tenant id",)),
    ("AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new "
     "location, you must use multi-factor authentication to access 'x'.", ("multi-factor", "az login")),
    ("AADSTS700082: The refresh token has expired due to inactivity.", ("refresh token has expired", "az login")),
    ("invalid_client: the client could not be authenticated", ("credentials were rejected", "AZURE_CLIENT_SECRET")),
    ("unauthorized_client: the client is not authorized", ("credentials were rejected", "AZURE_CLIENT_SECRET")),
]


@pytest.mark.parametrize(("message", "phrases"), ENTRA_ERRORS)
def test_each_documented_sign_in_error_gets_its_own_fix(message: str, phrases: tuple[str, ...]) -> None:
    problem = explain_sign_in_error(ClientAuthenticationError(message=f"Authentication failed: {message}"))
    assert all(phrase in problem.fix for phrase in phrases), problem.fix
    assert problem.unreachable is None


def test_with_nothing_configured_the_fix_names_both_ways_to_sign_in() -> None:
    problem = explain_sign_in_error(CredentialUnavailableError(
        message="EnvironmentCredential authentication unavailable. Environment variables are not fully configured."))
    assert problem.fix == ("sign in with `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
                           "AZURE_CLIENT_SECRET for a service principal")


@pytest.mark.parametrize(("message", "detail"), [
    # azure-identity's own prefixes (its _credentials/environment.py and _internal/get_token_mixin.py).
    ("EnvironmentCredential authentication unavailable. Environment variables are not fully configured.",
     "Environment variables are not fully configured."),
    ("ClientSecretCredential.get_token failed: AADSTS50000: x", "AADSTS50000: x"),
    ("ClientSecretCredential.get_token_info failed: AADSTS50000: x", "AADSTS50000: x"),
    # Words that only begin like a credential's name stay whole.
    ("Credentials were rejected by the proxy", "Credentials were rejected by the proxy"),
    ("credential lookup failed: x", "credential lookup failed: x"),
    # Only at the start: a credential named further on is part of the reason.
    ("Authentication failed: ClientSecretCredential.get_token failed", "Authentication failed: "
     "ClientSecretCredential.get_token failed"),
])
def test_only_a_credentials_own_name_is_dropped_from_the_detail(message: str, detail: str) -> None:
    assert explain_sign_in_error(ClientAuthenticationError(message=message)).detail == detail


def test_a_real_credentials_troubleshooting_link_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """EnvironmentCredential with nothing set ends its text with "Visit https://aka.ms/... to troubleshoot
    this issue." (azure-identity, _credentials/environment.py): the detail keeps the reason only."""
    for variable in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
                     "AZURE_USERNAME", "AZURE_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(CredentialUnavailableError) as caught:
        EnvironmentCredential().get_token("https://management.azure.com/.default")
    assert "to troubleshoot this issue" in str(caught.value)
    assert explain_sign_in_error(caught.value).detail == "Environment variables are not fully configured."


def test_workload_identitys_troubleshooting_guide_is_left_out() -> None:
    # azure-identity's own text (_credentials/workload_identity.py, WORKLOAD_CONFIG_ERROR), as DefaultAzureCredential
    # reports a WorkloadIdentityCredential with nothing configured.
    problem = explain_sign_in_error(CredentialUnavailableError(message=WORKLOAD_CONFIG_ERROR))
    assert problem.detail == "The workload options are not fully configured."


def test_a_dead_network_without_a_host_in_the_text_names_the_public_cloud_sign_in_host() -> None:
    # azure-identity's default authority: AzureAuthorityHosts.AZURE_PUBLIC_CLOUD, "login.microsoftonline.com"
    # (Learn, "National clouds": the Microsoft Entra authentication endpoint of global Azure).
    problem = explain_sign_in_error(ClientAuthenticationError(message="Authentication failed: Response timeout"))
    assert problem.unreachable is not None and problem.unreachable.host == "login.microsoftonline.com"
    assert problem.detail.startswith("login.microsoftonline.com: ")


ZERO_TOUCH = make_settings(logsQuery="http", mailTransport="acs", acsDataLocation="Europe")
ACS_CALL = "@{parameters('acsEndpoint')}"  # every Communication Services request of the definition


def _all_actions(actions: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, action in actions.items():
        found[name] = action
        found.update(_all_actions(action.get("actions", {})))
        found.update(_all_actions(action.get("else", {}).get("actions", {})))
    return found


def _mail_path() -> set[str]:
    """The actions that call Communication Services, and those that read what such a call returned."""
    actions = _all_actions(build_definition(ZERO_TOUCH)["actions"])
    calls = {name for name, action in actions.items()
             if isinstance(action.get("inputs"), dict) and str(action["inputs"].get("uri", "")).startswith(ACS_CALL)}
    readers = {name for name, action in actions.items()
               if any(f"'{call}'" in json.dumps({k: v for k, v in action.items() if k not in ("actions", "else")})
                      for call in calls)}
    return calls | readers


def test_the_mail_path_is_found_in_the_definition() -> None:
    # Guards the rule below from passing on an empty set.
    assert {"Send_report", "Send_failure_notice"} <= _mail_path() and len(_mail_path()) >= 4


@pytest.mark.parametrize("action", sorted(_mail_path()))
def test_a_refusal_anywhere_on_the_mail_path_is_read_as_communication_services(action: str) -> None:
    found = diagnose(action, 403, {"error": {"code": "Forbidden", "message": "x"}}, stack="prod",
                     modes=ZERO_TOUCH.modes)
    assert found is not None and found.key == "acs-access-propagating"


# Role definition ids from Microsoft Learn, "Azure built-in roles".
@pytest.mark.parametrize(("choice", "role_id", "name"), [
    ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader"),
    ("SecurityReader", "39bc4728-0917-49c7-9d2c-d95423bc2eb4", "Security Reader"),
])
def test_check_names_each_subscription_role_as_azure_does(choice: str, role_id: str, name: str) -> None:
    settings = make_settings(3, subscriptionRole=choice)
    on_subscriptions = [r for r in mode_facts.identity_roles(settings) if r.scope.startswith("/subscriptions/")
                        and "/resourceGroups/" not in r.scope]
    assert len(on_subscriptions) == 3
    assert {(r.role_name, r.role_definition_guid) for r in on_subscriptions} == {(name, role_id)}
