"""scripts.authorize: connection statuses and the consent flow, against a fake ARM transport."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from securescore.cli import authorize
from securescore.cli.authorize import ConsentError, parse_consent_reply
from tests.fakes.transport import (
    DEV_SUB,
    FAKE_CODE,
    FAKE_SECRET,
    TENANT_ID,
    USER_OID,
    Canned,
    FakeArmTransport,
    FakeCredential,
    arm_error,
    dev_connection,
)
from tests.fakes.web import connection_body, consent_links_body

LOGS = dev_connection("azuremonitorlogs")
O365 = dev_connection("office365")
# The link may carry a token-like blob: it is printed intact (the user must open it).
LINK = "https://logic-apis-westeurope.consent.azure-apim.net/login?data=eyJhbGciOi.eyJzdGF0ZSI6.c2ln"
LANDED = f"https://portal.azure.com/?code={FAKE_CODE}&state=xyz&session_state=1"
SECRET_ENV = {"AZURE_TENANT_ID": TENANT_ID, "AZURE_CLIENT_ID": USER_OID, "AZURE_CLIENT_SECRET": FAKE_SECRET}


def transport_for(o365_after: str = "Connected", logs: str = "Connected") -> FakeArmTransport:
    return FakeArmTransport({
        ("GET", LOGS): Canned(200, connection_body(LOGS, logs)),
        ("GET", O365): [Canned(200, connection_body(O365, "Error")), Canned(200, connection_body(O365, o365_after))],
        ("POST", O365 + "/listConsentLinks"): Canned(200, consent_links_body(LINK)),
        ("POST", O365 + "/confirmConsentCode"): Canned(200, None),
    })


def run(argv: list[str], transport: FakeArmTransport, *, reply: str = LANDED, env: dict | None = None,
        credential: FakeCredential | None = None, opened: list[str] | None = None) -> int:
    def open_browser(url: str) -> bool:
        if opened is not None:
            opened.append(url)
        return True

    return authorize.main(argv, credential=credential or FakeCredential(), transport=transport,
                          env=env if env is not None else {}, read_code=lambda prompt: reply,
                          open_browser=open_browser)


def test_consent_flow_authorizes_the_connection_that_needs_it(capsys: pytest.CaptureFixture[str]) -> None:
    transport, opened = transport_for(), []
    assert run(["--stack", "dev"], transport, opened=opened) == 0
    links = transport.requests_to("POST", "/listConsentLinks")
    assert [s.path for s in links] == [O365 + "/listConsentLinks"]
    assert links[0].query["api-version"] == ["2016-06-01"]
    assert links[0].body == {"parameters": [{"parameterName": "token", "redirectUrl": "https://portal.azure.com",
                                             "objectId": USER_OID, "tenantId": TENANT_ID}]}
    confirm = transport.requests_to("POST", "/confirmConsentCode")
    assert confirm[0].body == {"code": FAKE_CODE, "objectId": USER_OID, "tenantId": TENANT_ID}
    assert opened == [LINK]
    out = capsys.readouterr().out
    assert LINK in out
    assert "securescore-dev-office365: Error - This connection is not authenticated." in out
    assert "now securescore-dev-office365: Connected" in out
    assert FAKE_CODE not in out


def test_no_browser_only_prints_the_link_and_flags_override(capsys: pytest.CaptureFixture[str]) -> None:
    transport, opened = transport_for(), []
    other_oid = "11111111-2222-4333-8444-555555555555"
    argv = ["--stack", "dev", "--no-browser", "--object-id", other_oid, "--redirect-url", "http://localhost"]
    assert run(argv, transport, opened=opened, reply=f"http://localhost/?code={FAKE_CODE}") == 0
    assert opened == []
    body = transport.requests_to("POST", "/listConsentLinks")[0].body["parameters"][0]
    assert (body["objectId"], body["redirectUrl"]) == (other_oid, "http://localhost")
    assert LINK in capsys.readouterr().out


def test_headless_reads_a_bare_code_from_stdin(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(FAKE_CODE + "\n"))
    transport = transport_for()
    code = authorize.main(["--stack", "dev", "--no-browser"], credential=FakeCredential(), transport=transport,
                          env={})
    assert code == 0
    assert transport.requests_to("POST", "/confirmConsentCode")[0].body["code"] == FAKE_CODE
    captured = capsys.readouterr()
    assert FAKE_CODE not in captured.out + captured.err


def test_still_not_connected_after_consent_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "dev"], transport_for(o365_after="Error")) == 1
    assert "now securescore-dev-office365: Error" in capsys.readouterr().out


def test_sign_in_error_in_the_landing_url_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    transport = transport_for(o365_after="Error")
    reply = "https://portal.azure.com/?error=access_denied&error_description=The+user+cancelled"
    assert run(["--stack", "dev"], transport, reply=reply) == 1
    assert transport.requests_to("POST", "/confirmConsentCode") == []
    assert "the sign-in failed: The user cancelled" in capsys.readouterr().out


def test_status_only_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    transport = transport_for()
    assert run(["--stack", "dev", "--status-only"], transport) == 1
    assert transport.requests_to("POST", "") == []
    assert "securescore-dev-azuremonitorlogs: Connected" in capsys.readouterr().out


def test_managed_identity_logs_connection_needs_no_consent(capsys: pytest.CaptureFixture[str]) -> None:
    sub = "11111111-1111-4111-8111-111111111111"
    base = f"/subscriptions/{sub}/resourceGroups/rg-securescore-example/providers/Microsoft.Web/connections"
    logs, o365 = f"{base}/securescore-example-azuremonitorlogs", f"{base}/securescore-example-office365"
    transport = FakeArmTransport({
        ("GET", logs): Canned(200, connection_body(logs, "Ready", managed_identity=True)),
        ("GET", o365): Canned(200, connection_body(o365)),
    })
    assert run(["--stack", "example"], transport) == 0
    out = capsys.readouterr().out
    assert "managed identity" in out and "needs no consent" in out
    assert "securescore-example-azuremonitorlogs: Ready (managed identity: no consent needed; healthy)" in out
    assert transport.requests_to("POST", "/listConsentLinks") == []


MY_LOGS = f"/subscriptions/{DEV_SUB}/resourceGroups/rg-x/providers/Microsoft.Web/connections/my-logs"
WITHOUT_STACK = ["--resource-group", "rg-x", "--connection", "my-logs"]
SUB_ENV = {"AZURE_SUBSCRIPTION_ID": DEV_SUB}


def test_without_a_stack_a_managed_identity_connection_is_never_sent_to_consent(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The body says it is managed identity (parameterValueSet): healthy when Ready."""
    transport = FakeArmTransport({("GET", MY_LOGS): Canned(200, connection_body(MY_LOGS, "Ready",
                                                                                managed_identity=True))})
    assert run(WITHOUT_STACK, transport, env=SUB_ENV) == 0
    assert transport.requests_to("POST", "") == []


def test_a_broken_managed_identity_connection_fails_without_consent(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({("GET", MY_LOGS): Canned(200, connection_body(
        MY_LOGS, "Error", managed_identity=True, error={"code": "ManagedIdentityNotEnabled",
                                                        "message": "The workflow has no managed identity."}))})
    assert run(WITHOUT_STACK, transport, env=SUB_ENV) == 1
    out = capsys.readouterr().out
    assert "my-logs: Error (managed identity: no consent needed; not usable" in out
    assert "The workflow has no managed identity." in out
    assert transport.requests_to("POST", "") == []


def test_ready_is_not_healthy_for_an_oauth_connection(capsys: pytest.CaptureFixture[str]) -> None:
    """"Ready" is how a managed-identity connection reports health; an OAuth one must be Connected."""
    body = connection_body(MY_LOGS, "Ready")
    transport = FakeArmTransport({("GET", MY_LOGS): Canned(200, body)})
    assert run([*WITHOUT_STACK, "--status-only"], transport, env=SUB_ENV) == 1


def test_explicit_connections_without_a_stack() -> None:
    conn = f"/subscriptions/{DEV_SUB}/resourceGroups/rg-x/providers/Microsoft.Web/connections/my-o365"
    transport = FakeArmTransport({("GET", conn): Canned(200, connection_body(conn))})
    argv = ["--resource-group", "rg-x", "--connection", "my-o365"]
    assert run(argv, transport, env=SUB_ENV) == 0
    assert transport.sent[0].path == conn


def test_status_only_json_for_machines(capsys: pytest.CaptureFixture[str]) -> None:
    transport = transport_for()
    assert run(["--stack", "dev", "--status-only", "--json"], transport) == 1
    statuses = json.loads(capsys.readouterr().out)
    assert statuses == [
        {"connection": "securescore-dev-azuremonitorlogs", "id": LOGS, "status": "Connected", "detail": "",
         "managedIdentity": False, "needsConsent": False, "ok": True},
        {"connection": "securescore-dev-office365", "id": O365, "status": "Error",
         "detail": "This connection is not authenticated.", "managedIdentity": False, "needsConsent": True,
         "ok": False},
    ]
    assert transport.requests_to("POST", "") == []


def test_json_needs_status_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "dev", "--json"], transport_for()) == 2
    assert "--json goes with --status-only" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--connection", "x"], ["--stack", "nope"],
                                  ["--subscription", "not-a-guid", "--resource-group", "g", "--connection", "c"]])
def test_usage_and_config_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv, FakeArmTransport()) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_unknown_stack_lists_the_stacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "nope"], FakeArmTransport()) == 2
    assert "stacks available: dev, example, mgmt, prod" in capsys.readouterr().err


def test_missing_connection_says_deploy_first(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({("GET", LOGS): Canned(200, connection_body(LOGS))})
    assert run(["--stack", "dev"], transport) == 1
    assert "NotFound - no such connection: deploy the stack first (pulumi up)" in capsys.readouterr().out


def test_an_application_token_cannot_consent(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "dev"], transport_for(), credential=FakeCredential(idtyp="app")) == 2
    assert "a user must consent" in capsys.readouterr().err


def test_secrets_never_reach_output_or_logs(capsys: pytest.CaptureFixture[str],
                                            caplog: pytest.LogCaptureFixture) -> None:
    """Worst case: ARM echoes the code and the secret in an error; -v logs every request."""
    caplog.set_level(logging.DEBUG)
    credential = FakeCredential()
    transport = transport_for(o365_after="Error")
    transport.add("POST", O365 + "/confirmConsentCode",
                  Canned(400, arm_error("InvalidCode", f"code {FAKE_CODE} rejected for secret {FAKE_SECRET}")))
    assert run(["--stack", "dev", "-v"], transport, env=SECRET_ENV, credential=credential) == 1
    captured = capsys.readouterr()
    shown = captured.out + captured.err + caplog.text
    assert "InvalidCode" in captured.out
    assert "Request URL" in caplog.text  # the SDK's request logging really ran
    for secret in (FAKE_CODE, FAKE_SECRET, credential.token):
        assert secret not in shown


# The Logic Apps designer reads the code with new URL(address).searchParams.get("code")
# (Azure/LogicAppsUX oAuth.ts): percent-decoded, "+" read as a space (WHATWG URL standard,
# application/x-www-form-urlencoded parsing). The expected codes below are those decodings.
@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (f"https://portal.azure.com/?code={FAKE_CODE}&state=1", FAKE_CODE),
        (f"  {FAKE_CODE}\n", FAKE_CODE),
        (f"code={FAKE_CODE}", FAKE_CODE),
        (f"https://portal.azure.com/#code={FAKE_CODE}", FAKE_CODE),
        ("https://ema.hosting.portal.azure.net/ema/Content/1.4/Html/authredirect.html?pid=p1&trustedAuthority="
         "https%3a%2f%2fms.portal.azure.com&code=5320aba81bd94092b2b7ae95f03bbd8e", "5320aba81bd94092b2b7ae95f03bbd8e"),
        ("http://localhost/?code=ab%2Bcd%2Fef%3D%3D&state=x", "ab+cd/ef=="),
        ("http://localhost/?code=a+b", "a b"),
        ("http://localhost/?code=first&code=second", "first"),
    ],
)
def test_parse_consent_reply(reply: str, code: str) -> None:
    assert parse_consent_reply(reply) == code


def test_the_decoded_code_is_what_is_confirmed(capsys: pytest.CaptureFixture[str]) -> None:
    transport = transport_for()
    assert run(["--stack", "dev"], transport, reply="https://portal.azure.com/?code=0.AXE%2Bsecret%3D&s=1") == 0
    assert transport.requests_to("POST", "/confirmConsentCode")[0].body["code"] == "0.AXE+secret="
    captured = capsys.readouterr()
    assert "0.AXE%2Bsecret%3D" not in captured.out + captured.err and "0.AXE+secret=" not in captured.out


@pytest.mark.parametrize("reply", ["", "https://portal.azure.com/?state=1", "https://x/?error=access_denied"])
def test_parse_consent_reply_rejects(reply: str) -> None:
    with pytest.raises(ConsentError):
        parse_consent_reply(reply)


# --- the mode decides what there is to authorize (securescore.cli.mode_facts) ------------------------

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}


def test_zero_touch_has_nothing_to_authorize_and_touches_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport()
    credential = FakeCredential()
    assert run(["--stack", "zerotouch"], transport, credential=credential) == 0
    out = capsys.readouterr().out
    assert out.startswith("nothing to authorize: with logsQuery http and mailTransport acs the Logic App uses no "
                          "API connection")
    assert transport.sent == [] and credential.scopes == []  # no sign-in, no request


def test_zero_touch_status_json_is_an_empty_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "zerotouch", "--status-only", "--json"], FakeArmTransport()) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_managed_identity_logs_connection_with_acs_mail_needs_nobody(
        capsys: pytest.CaptureFixture[str], mocker: Any) -> None:
    from tests.conftest import make_settings

    mocker.patch("securescore.cli.authorize.optional_settings", return_value=make_settings(1, **ACS))
    assert run(["--stack", "any"], FakeArmTransport()) == 0
    assert "the azuremonitorlogs connection signs in with the Logic App's managed identity" in \
        capsys.readouterr().out


def test_queries_over_http_leave_only_the_office365_connection(capsys: pytest.CaptureFixture[str],
                                                              mocker: Any) -> None:
    from tests.conftest import make_settings

    settings = make_settings(1, logsQuery="http", deploymentSubscriptionId=DEV_SUB,
                             resourceGroupName="rg-securescore-dev", logicAppName="securescore-dev")
    mocker.patch("securescore.cli.authorize.optional_settings", return_value=settings)
    transport = transport_for()
    assert run(["--stack", "any", "--status-only", "--json"], transport) == 1
    assert [s["connection"] for s in json.loads(capsys.readouterr().out)] == ["securescore-dev-office365"]
    assert transport.requests_to("GET", "azuremonitorlogs") == []
