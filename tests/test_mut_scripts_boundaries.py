"""Boundaries in the helpers found by a mutation sample (seed 3): only 2xx is an ARM success, a
connection that is missing or unreadable is not offered for consent, the reconcile tolerance is
inclusive, the README's reference block ends at the first end marker, and refused reads keep their
detail and fix apart.

ARM is faked at the transport (tests/fakes/transport.py): a refusal is ARM's ErrorResponse
(common-types/resource-management v2 types.json). Connections: Microsoft.Web 2016-06-01
connectionsGet.json (tests/fakes/web.py). Role assignments: Microsoft.Authorization 2022-04-01
RoleAssignments_ListForScope (tests/fakes/resources.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from securescore.arm import ArmClient, ArmError
from securescore.cli import checks_management_group, export_scores, init_stack
from securescore.cli.reference import replace_block
from securescore.datasources import SourceError
from tests.conftest import make_settings
from tests.fakes.resourcegraph import RESOURCE_GRAPH_PATH, graph_pages, subscription
from tests.fakes.transport import DEV_SUB, USER_OID, Canned, FakeArmTransport, FakeCredential, arm_error
from tests.fakes.web import connection_body
from tests.test_mgmt_checks import context
from tests.test_reconcile import by_sub, listed, run, score_row
from tests.test_scripts_authorize import LOGS, O365
from tests.test_scripts_authorize import run as authorize
from tests.test_scripts_readiness import ROLES_PATH, dev_transport, named
from tests.test_scripts_readiness import results as before_deploy

ALICE = f"alice@contoso.example (object id {USER_OID})"  # the fake token's upn and oid
GROUP_PATH = f"/subscriptions/{DEV_SUB}/resourceGroups/rg-x"


# --- ARM: success is 2xx ---------------------------------------------------------------------------

def _get(status: int) -> Any:
    transport = FakeArmTransport({("GET", GROUP_PATH): Canned(status, {"id": GROUP_PATH})})
    with ArmClient(FakeCredential(), transport) as arm:
        return arm.get(GROUP_PATH, "2021-04-01")


def test_the_last_2xx_status_is_a_success() -> None:
    """Rule: 2xx is success (RFC 9110, 15.3 Successful 2xx)."""
    assert _get(299) == {"id": GROUP_PATH}


def test_the_first_status_past_2xx_is_an_error() -> None:
    """Rule: 300 Multiple Choices without a Location (no redirect follows it) is an error like any status
    outside 2xx."""
    with pytest.raises(ArmError) as caught:
        _get(300)
    assert caught.value.status == 300


# --- authorize: what is offered for consent --------------------------------------------------------

@pytest.mark.parametrize(("answer", "status"), [
    (Canned(404, arm_error("ResourceNotFound", "The Resource 'Microsoft.Web/connections/x' was not found.")),
     "NotFound"),
    (Canned(403, arm_error("AuthorizationFailed", "no read")), "Unreadable"),
])
def test_a_connection_that_cannot_be_read_needs_no_consent(answer: Canned, status: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: consent is asked only for a connection that exists, was read and is not connected."""
    transport = FakeArmTransport({("GET", LOGS): Canned(200, connection_body(LOGS)), ("GET", O365): answer})
    assert authorize(["--stack", "dev", "--status-only", "--json"], transport) == 1
    o365 = next(s for s in json.loads(capsys.readouterr().out) if s["id"] == O365)
    assert (o365["status"], o365["needsConsent"], o365["ok"]) == (status, False, False)
    assert authorize(["--stack", "dev"], transport) == 1
    assert transport.requests_to("POST", "/listConsentLinks") == []


# --- reconcile: the tolerance is inclusive ----------------------------------------------------------

def test_an_overall_difference_of_exactly_the_tolerance_agrees(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: scores that differ by 0.1 points or less agree (0.1 itself included), overall as per subscription."""
    settings = make_settings(1)
    [sub] = settings.subscription_ids
    # The report: 60.1 % (0.601 of the row); Defender: 60.0 % -> a difference of 0.10 points.
    code, document = run(mocker, capsys, [score_row(sub, "2026-11-23T05:00:00Z", 0.601, 10)],
                         {sub: listed(sub, 0.60, 10)}, settings=settings)
    overall = by_sub(document)["overall"]
    assert (overall["defender"], overall["report"], overall["difference"]) == (60.0, 60.1, 0.1)
    assert overall["ok"] is True and by_sub(document)[sub]["ok"] is True and code == 0


# --- the README's reference block ------------------------------------------------------------------

START = "<!-- command-reference:start (generated: python -m securescore.cli.reference --write README.md) -->"
END = "<!-- command-reference:end -->"


def test_the_reference_block_ends_at_the_first_end_marker() -> None:
    """Rule: only the text between the start marker and the first end marker after it is replaced."""
    text = f"intro\n{START}\nold\n{END}\nlater prose quoting the marker: {END}\n"
    assert replace_block(text, f"{START}\nnew\n{END}") == (
        f"intro\n{START}\nnew\n{END}\nlater prose quoting the marker: {END}\n")


# --- usage lines ----------------------------------------------------------------------------------

def test_the_usage_names_each_value_as_the_reference_does() -> None:
    """Rule: the value of --out is a FILE, that of --workspace-resource-id an ID (README, command reference)."""
    assert "[--out FILE]" in export_scores.build_parser().format_usage()
    assert "--workspace-resource-id ID" in init_stack.build_parser().format_usage()


# --- refused reads: the detail is Azure's, the fix is ours ------------------------------------------

def test_rights_that_cannot_be_read_keep_azures_words_and_ask_for_reader(capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a refused role listing shows ARM's error as the detail and, for a 403, asks for Reader there."""
    transport = dev_transport()
    transport.add("GET", ROLES_PATH, Canned(403, arm_error("AuthorizationFailed", "no role listing")))
    _, items = before_deploy(capsys, transport)
    [line] = named(items, f"Deployer rights at /subscriptions/{DEV_SUB} ")
    assert not line["ok"] and line["detail"] == "HTTP 403 AuthorizationFailed: no role listing"
    assert line["fix"] == f"{ALICE} needs at least Reader on /subscriptions/{DEV_SUB} to deploy there"


def test_coverage_without_the_workspace_points_to_the_workspace_line() -> None:
    """Rule: when the workspace cannot be queried the coverage line says so and sends to the workspace line."""
    class Failing:
        def run_query(self, kql: str) -> list[dict[str, Any]]:
            raise SourceError("workspace law: the query API cannot be reached")

    A = "aaaaaaaa-0000-4000-8000-aaaaaaaaaaaa"
    ctx = context({("POST", RESOURCE_GRAPH_PATH): graph_pages([[subscription(A, "Alpha")]])})
    ctx.options["logs_factory"] = lambda target: Failing()
    [result] = checks_management_group.check_coverage(ctx)
    assert not result.ok and result.detail == "workspace law: the query API cannot be reached"
    assert result.fix == "see the line above for the workspace or sign-in"
