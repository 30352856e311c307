"""Rules scripts constants seed 4 showed untested: the redactor's patterns at their edges, and the
provisioning states that mean "wait" for the workspace and for ARM's own Accepted."""

from __future__ import annotations

import pytest

from securescore.cli.common import Redactor
from tests.fakes.resources import workspace_body
from tests.fakes.transport import Canned
from tests.test_scripts_check_modes import WORKSPACE, named, results, zero_touch_transport

# --- the redactor ------------------------------------------------------------------------------------


def test_a_jwt_with_four_characters_in_each_signed_part_is_removed() -> None:
    """Rule: "eyJ" then 4 or more base64url characters, a dot, 4 or more, a dot: a token (RFC 7519's
    header starts {" = eyJ in base64url)."""
    assert Redactor()("token eyJabcd.efgh.sig here") == "token [redacted] here"


@pytest.mark.parametrize("word", ["eyJabc.efgh.sig", "eyJabcd.efg.sig"])
def test_a_jwt_like_word_with_a_shorter_part_is_left(word: str) -> None:
    assert Redactor()(word) == word


def test_bearer_needs_a_space_before_the_token() -> None:
    """azure-core logs its policy by class name; "BearerTokenCredentialPolicy" is no credential."""
    text = "azure.core.pipeline.policies.BearerTokenCredentialPolicy: sending"
    assert Redactor()(text) == text
    assert Redactor()("Authorization: bearer abcdefgh") == "Authorization: bearer [redacted]"


@pytest.mark.parametrize("scheme", ["https", "HTTPS", "Https"])
def test_a_password_in_a_url_is_removed_whatever_the_schemes_case(scheme: str) -> None:
    """RFC 3986 §3.1: "schemes are case-insensitive"; a proxy URL may be written HTTPS://user:pass@host."""
    redacted = Redactor()(f"proxy {scheme}://alice:p4ss@proxy.contoso.example:8080 refused")
    assert "p4ss" not in redacted and "alice" not in redacted and "proxy.contoso.example:8080" in redacted


@pytest.mark.parametrize("url", ["http://bob@proxy:3128", "http://bob:@proxy:3128"])
def test_a_url_without_a_password_is_shown_as_written(url: str) -> None:
    """Only a password is secret (RFC 3986 3.2.1, userinfo "user:password"); without one the user sees the
    proxy as configured, user name included."""
    assert Redactor()(f"HTTPS_PROXY={url} refused") == f"HTTPS_PROXY={url} refused"


@pytest.mark.parametrize("name", ["CODE", "Client_Secret", "ACCESS_TOKEN"])
def test_a_secret_parameter_is_redacted_whatever_the_case_of_its_name(name: str) -> None:
    # A redactor errs towards hiding: a link pasted or logged by another tool may spell the name otherwise.
    assert Redactor()(f"https://x.example/cb?{name}=s3cr3tvalue&state=1") == \
        f"https://x.example/cb?{name}=[redacted]&state=1"


def test_a_secret_parameter_without_a_value_is_shown_as_written() -> None:
    # Nothing to hide: "code=" with nothing after it (a redirect that carried no code) stays readable.
    assert Redactor()("https://x.example/cb?code=&state=1") == "https://x.example/cb?code=&state=1"


# --- provisioning states that mean "wait" -------------------------------------------------------------

WORKSPACE_LINE = f"Log Analytics workspace {WORKSPACE.rsplit('/', 1)[-1]}"


@pytest.mark.parametrize("state", ["Creating", "Updating", "ProvisioningAccount", "Accepted"])
def test_a_workspace_still_being_provisioned_says_wait(state: str, capsys: pytest.CaptureFixture[str]) -> None:
    """WorkspaceEntityStatus (Microsoft.OperationalInsights Workspaces.json): Creating, Succeeded, Failed,
    Canceled, Deleting, ProvisioningAccount, Updating; Accepted is ARM's state of a PUT just taken."""
    transport = zero_touch_transport()
    transport.add("GET", WORKSPACE, Canned(200, workspace_body(WORKSPACE, state=state)))
    _, items = results(capsys, transport)
    [item] = [i for i in named(items, "Log Analytics workspace") if i["check"] == WORKSPACE_LINE]
    assert item["ok"] is False and item["detail"] == f"provisioning state {state}"
    assert item["fix"] == "wait a few minutes and check again"


def test_a_failed_workspace_says_what_to_do_instead(capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    transport.add("GET", WORKSPACE, Canned(200, workspace_body(WORKSPACE, state="Failed")))
    _, items = results(capsys, transport)
    [item] = [i for i in named(items, "Log Analytics workspace") if i["check"] == WORKSPACE_LINE]
    assert item["ok"] is False and item["fix"] != "wait a few minutes and check again"
