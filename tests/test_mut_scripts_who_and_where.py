"""The fix for a refused Secure Score read names who gets the role and where: the signed-in user, on the
subscription, or in management-group mode on the group (one assignment covers every subscription under
it). And the redactor: a secret that begins another secret never leaves the longer one's tail shown.

The Secure Score API (Microsoft.Security 2020-01-01 SecureScores_List) is faked at the transport; its
refusal is ARM's ErrorResponse with AuthorizationFailed (common-types/resource-management v2 types.json).
"Reader" and "Security Reader" are built-in roles (Learn, "Azure built-in roles").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from securescore.cli import export_scores
from securescore.cli.common import Redactor
from tests.fakes.security import scores_path
from tests.fakes.transport import USER_OID, Canned, FakeCredential, arm_error
from tests.test_mgmt_helpers import GROUP, PAGES, PLATFORM, graph_transport
from tests.test_reconcile import S1, S2, S3, S4, S5, by_sub, listed, run, score_row

ALICE = f"alice@contoso.example (object id {USER_OID})"  # the fake token's upn and oid
REFUSED = Canned(403, arm_error("AuthorizationFailed", "The client does not have authorization to perform action "
                                "'Microsoft.Security/secureScores/read'"))


def test_reconcile_tells_the_signed_in_user_to_get_a_reading_role(mocker: Any,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a 403 from the API names the signed-in user (name and object id) and the subscription as scope."""
    rows = [score_row(s, "2026-11-23T05:00:00Z", 0.60, 10) for s in (S1, S2, S3, S4, S5)]
    scores = {S1: REFUSED, **{s: listed(s, 0.60, 10) for s in (S2, S3, S4, S5)}}
    code, document = run(mocker, capsys, rows, scores)
    row = by_sub(document)[S1]
    assert code == 1 and not row["ok"] and row["defender"] is None
    assert row["fix"] == (f"assign Reader or Security Reader on /subscriptions/{S1} to {ALICE}, e.g. "
                          f"az role assignment create --role \"Security Reader\" --assignee {USER_OID} "
                          f"--scope /subscriptions/{S1}")


@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "--out"])
def test_export_in_management_group_mode_assigns_the_role_on_the_group(to_file: bool, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: in management-group mode the reading role's scope is the group, wherever the records go."""
    transport = graph_transport(PAGES)
    transport.add("GET", scores_path(PLATFORM), REFUSED)
    argv = ["--stack", "mgmt"] + (["--out", str(tmp_path / "scores.jsonl")] if to_file else [])
    assert export_scores.main(argv, credential=FakeCredential(), transport=transport, env={}) == 1
    err = capsys.readouterr().err
    assert f"  fix: assign Reader or Security Reader on {GROUP} to {ALICE}, e.g. " in err
    assert f"--assignee {USER_OID} --scope {GROUP}\n" in err
    assert f"/subscriptions/{PLATFORM}\n" not in err


# --- the redactor ---------------------------------------------------------------------------------

def test_a_secret_that_starts_another_leaves_nothing_of_the_longer_one() -> None:
    """Rule: the longest secret is removed first, so "abcd" never turns "abcdefgh" into a marker plus "efgh"."""
    redactor = Redactor()
    redactor.add("abcd")
    redactor.add("abcdefgh")
    assert redactor.known("key=abcdefgh; pin=abcd.") == "key=[redacted]; pin=[redacted]."
    assert redactor("token abcdefgh") == "token [redacted]"
