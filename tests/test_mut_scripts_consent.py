"""The consent code is secret in every form the user pastes it: after `authorize` has read the reply,
nothing the helper prints afterwards (an Azure error quoting it, a log line) shows it, percent-encoded
as pasted or decoded as confirmed.

Consent against ARM faked at the transport: Microsoft.Web connections listConsentLinks and
confirmConsentCode, api-version 2016-06-01 (specification/web/resource-manager/Microsoft.Web/stable/
2016-06-01/logicAppsManagementClient.json; tests/fakes/web.py).
"""

from __future__ import annotations

import io

import pytest

from securescore.arm import ArmClient
from securescore.cli.authorize import Consenter, Target
from securescore.cli.common import Console, Redactor
from tests.fakes.transport import TENANT_ID, USER_OID, Canned, FakeArmTransport, FakeCredential, dev_connection
from tests.fakes.web import consent_links_body

O365 = dev_connection("office365")
LINK = "https://logic-apis-westeurope.consent.azure-apim.net/login?data=eyJhbGciOi.eyJzdGF0ZSI6.c2ln"
# A code with characters the browser's address bar percent-encodes: pasted one way, confirmed the other.
ENCODED, DECODED = "0.AXE%2Bq7Secret%2Fx%3D%3D", "0.AXE+q7Secret/x=="


def consent(reply: str) -> tuple[bool, Console, FakeArmTransport]:
    transport = FakeArmTransport({
        ("POST", O365 + "/listConsentLinks"): Canned(200, consent_links_body(LINK)),
        ("POST", O365 + "/confirmConsentCode"): Canned(200, None),
    })
    console = Console(Redactor(), out=io.StringIO(), err=io.StringIO())
    with ArmClient(FakeCredential(), transport) as arm:
        consenter = Consenter(arm, console, USER_OID, TENANT_ID, "https://portal.azure.com",
                              lambda prompt: reply, None)
        done = consenter.authorize(Target("securescore-dev-office365", O365))
    return done, console, transport


@pytest.mark.parametrize("reply", [
    f"https://portal.azure.com/?code={ENCODED}&state=xyz&session_state=1",  # the whole address bar
    f"https://portal.azure.com/#code={ENCODED}",  # the code in the fragment
    f"code={ENCODED}",  # only the query part
    f"  https://portal.azure.com/?state=1&code={ENCODED}\n",  # with the spaces and newline a paste brings
])
def test_the_code_as_pasted_and_as_confirmed_never_shows_again(reply: str) -> None:
    done, console, transport = consent(reply)
    assert done
    assert transport.requests_to("POST", "/confirmConsentCode")[0].body["code"] == DECODED
    # What a later error or log line could quote: the code alone, either form.
    console.error(f"Azure said: the code {ENCODED} was already used")
    console.print(f"confirmConsentCode failed for {DECODED}")
    shown = console.out.getvalue() + console.err.getvalue()  # type: ignore[union-attr]
    assert ENCODED not in shown and DECODED not in shown
    assert "q7Secret" not in shown


def test_a_failed_sign_in_still_keeps_the_pasted_code_secret() -> None:
    """The address carries an error and a code: nothing is confirmed, and the code is still never shown."""
    done, console, transport = consent(f"https://portal.azure.com/?code={ENCODED}&error=access_denied"
                                       "&error_description=AADSTS65004")
    assert not done and transport.requests_to("POST", "/confirmConsentCode") == []
    console.error(f"pasted {ENCODED}")
    shown = console.out.getvalue() + console.err.getvalue()  # type: ignore[union-attr]
    assert "AADSTS65004" in shown and ENCODED not in shown
