"""mode_facts (what authorize/check must do per mode) and failure_signatures (known errors -> fixes).

Every failure body (tests/fakes/failures.py) is copied from the public evidence named beside it.
"""

from __future__ import annotations

import json

import pytest

from securescore.cli import mode_facts
from securescore.cli.failure_signatures import ROLE_PROPAGATION_MINUTES, SIGNATURES, diagnose
from securescore.settings import settings_from_stack
from tests.conftest import make_settings
from tests.fakes.failures import (
    BAD_SENDER,
    CONNECTOR_TOKEN_FAILURE,
    DROPPED,
    INSUFFICIENT_ACCESS,
    NOT_AUTHORIZED,
    NOT_LINKED,
    PARTIAL,
    WRONG_AUDIENCE,
)

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}
ZERO_TOUCH = make_settings(logsQuery="http", **ACS).modes
CONNECTOR = make_settings().modes

def key(action: str, status: int | None, body: object, modes=None) -> str | None:
    found = diagnose(action, status, body, stack="prod", modes=modes)
    return found.key if found else None


def test_the_connector_token_failure_points_at_the_two_ways_out() -> None:
    found = diagnose("Query_overall", 400, CONNECTOR_TOKEN_FAILURE, stack="prod", modes=CONNECTOR)
    assert found.key == "connector-managed-identity-token"
    assert "logsQuery: http" in found.fix and "logsConnectionAuth: oauth" in found.fix
    assert "pulumi up" in found.fix and "stacks/Pulumi.prod.yaml" in found.fix


def test_the_signature_is_found_in_json_text_too() -> None:
    assert key("Query_trend", 400, json.dumps(CONNECTOR_TOKEN_FAILURE)) == "connector-managed-identity-token"


def test_an_unauthorized_connection_says_authorize_it() -> None:
    found = diagnose("Send_report", 401, NOT_AUTHORIZED, stack="prod", modes=CONNECTOR)
    assert found.key == "connection-not-authorized" and "securescore authorize --stack prod" in found.fix


def test_a_bare_401_is_an_unauthorized_connection_only_when_the_action_uses_a_connection() -> None:
    bare = {"error": {"code": "Unauthorized", "message": "Unauthorized"}}
    assert key("Send_report", 401, bare, CONNECTOR) == "connection-not-authorized"
    assert key("Send_report", 401, bare, ZERO_TOUCH) == "acs-access-propagating"


def test_a_403_from_the_query_api_says_wait_for_the_role() -> None:
    found = diagnose("Query_overall", 403, INSUFFICIENT_ACCESS, stack="prod", modes=ZERO_TOUCH)
    assert found.key == "query-api-access-propagating"
    assert f"up to {ROLE_PROPAGATION_MINUTES} minutes" in found.fix and "run-now --stack prod" in found.fix


def test_a_wrong_audience_is_not_mistaken_for_propagation() -> None:
    assert key("Query_overall", 403, WRONG_AUDIENCE, ZERO_TOUCH) == "query-api-wrong-audience"


def test_partial_results_throttling_and_timeouts_of_the_query_api() -> None:
    assert key("Rows_trend", None, PARTIAL, ZERO_TOUCH) == "query-api-partial-result"
    for status, code in ((429, "ThrottledError"), (504, "GatewayTimeout")):
        assert key("Query_trend", status, {"error": {"code": code}}, ZERO_TOUCH) == "query-api-throttled-or-timeout"


def test_query_api_signatures_do_not_fire_in_the_connector_mode() -> None:
    assert key("Query_overall", 403, INSUFFICIENT_ACCESS, CONNECTOR) is None


def test_acs_send_failures() -> None:
    assert key("Send_report", 400, NOT_LINKED, ZERO_TOUCH) == "acs-domain-not-linked"
    assert key("Send_report", 400, BAD_SENDER, ZERO_TOUCH) == "acs-sender-not-allowed"
    throttled = {"error": {"code": "TooManyRequests", "message": "x"}}
    assert key("Send_report", 429, throttled, ZERO_TOUCH) == "acs-throttled"
    assert key("Send_failure_notice", 403, {"error": {"code": "Forbidden"}}, ZERO_TOUCH) == "acs-access-propagating"
    assert key("Get_send_status", 200, DROPPED, ZERO_TOUCH) == "acs-not-delivered"


def test_acs_throttling_is_known_by_its_status_or_by_its_code() -> None:
    # Learn, "Service limits for Azure Communication Services", Email rate limits: over the limit a send
    # answers HTTP 429 with Retry-After; a run error may carry only the code.
    assert key("Send_report", 429, {}, ZERO_TOUCH) == "acs-throttled"
    only_code = {"error": {"code": "TooManyRequests", "message": "x"}}
    assert key("Send_report", None, only_code, ZERO_TOUCH) == "acs-throttled"
    assert key("Send_report", 400, {}, ZERO_TOUCH) != "acs-throttled"


def test_the_run_error_of_a_failed_delivery_is_recognised() -> None:
    # What Delivery_failed (Terminate) leaves as the run's error (tests/test_zerotouch_local_run.py).
    run_error = {"code": "EmailDropped", "message": "Communication Services did not deliver email operation x: ..."}
    assert key("Delivery_failed", None, run_error, ZERO_TOUCH) == "acs-not-delivered"
    # A Canceled operation carries no error: the code is its status (tests/test_zerotouch_local_run.py).
    canceled = {"code": "Canceled", "message": "Communication Services did not deliver email operation x: Canceled"}
    assert key("Delivery_failed", None, canceled, ZERO_TOUCH) == "acs-not-delivered"


def test_unknown_failures_are_not_guessed() -> None:
    assert diagnose("Compose_report_html", None, {"error": {"code": "InvalidTemplate", "message": "x"}}) is None


def test_every_signature_cites_its_evidence_and_a_stack_name_cannot_inject() -> None:
    assert all(s.evidence and s.fix and s.problem for s in SIGNATURES)
    assert len({s.key for s in SIGNATURES}) == len(SIGNATURES)
    found = diagnose("Send_report", 401, NOT_AUTHORIZED, stack="prod; rm -rf /", modes=CONNECTOR)
    assert "rm -rf" not in found.fix and "<stack>" in found.fix


# --- mode facts ------------------------------------------------------------------------------------------


def test_zero_touch_has_nothing_to_authorize_and_says_why() -> None:
    settings = settings_from_stack("zerotouch")
    assert mode_facts.to_authorize(settings) == []
    assert mode_facts.authorize_message(settings).startswith("nothing to authorize")
    assert mode_facts.connections_to_check(settings) == []


@pytest.mark.parametrize(("stack", "consent"), [
    ("example", ["securescore-example-office365"]),
    ("dev", ["securescore-dev-office365", "securescore-dev-azuremonitorlogs"]),
])
def test_connector_stacks_keep_their_consent_list(stack: str, consent: list[str]) -> None:
    settings = settings_from_stack(stack)
    assert mode_facts.to_authorize(settings) == consent and mode_facts.authorize_message(settings) == ""


def test_mixed_modes() -> None:
    mi_logs_acs = make_settings(**ACS)
    assert mode_facts.to_authorize(mi_logs_acs) == []
    assert "azuremonitorlogs connection signs in" in mode_facts.authorize_message(mi_logs_acs)
    assert [(c.api, c.managed_identity) for c in mode_facts.connections_to_check(mi_logs_acs)] == [
        ("azuremonitorlogs", True)]
    http_office = make_settings(logsQuery="http")
    assert [c.api for c in mode_facts.connections_to_check(http_office)] == ["office365"]


def test_check_looks_at_the_identitys_roles_the_acs_resources_and_the_query_api() -> None:
    settings = settings_from_stack("zerotouch")
    roles = {(r.role_name, r.scope) for r in mode_facts.identity_roles(settings)}
    acs_id = settings.modes.acs.resource_id(settings.deployment_subscription_id, settings.resource_group_name)
    assert ("Log Analytics Reader", settings.workspace.resource_id) in roles
    assert ("Communication and Email Service Owner", acs_id) in roles
    assert sum(1 for name, _ in roles if name == "Reader") == len(settings.subscriptions)
    kinds = [(r.kind, r.resource_id.rsplit("/", 1)[-1]) for r in mode_facts.resources_to_check(settings)]
    assert kinds == [("Communication Service", settings.modes.acs.communication_service_name),
                     ("Email domain", "AzureManagedDomain"),
                     ("Log Analytics workspace", settings.workspace.name)]
    api = mode_facts.query_api_check(settings)
    assert (api.endpoint, api.audience) == ("https://api.loganalytics.azure.com/v1/workspaces",
                                           "https://api.loganalytics.io")


def test_a_custom_domain_is_checked_for_its_verification() -> None:
    settings = make_settings(**ACS, acsCustomDomain="reports.contoso.example")
    facts = mode_facts.resources_to_check(settings)
    custom = [f for f in facts if f.resource_id.endswith("/domains/reports.contoso.example")]
    assert len(custom) == 1 and "Verified" in custom[0].expect and "customDomainDnsRecords" in custom[0].fix


def test_the_connector_mode_has_no_mode_resources() -> None:
    settings = settings_from_stack("example")
    assert mode_facts.resources_to_check(settings) == [] and mode_facts.query_api_check(settings) is None
