"""scripts.export_scores: JSON lines from the Secure Score API, paging, per-subscription failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from securescore.cli import export_scores
from tests.fakes.security import NO_SCORES, no_score_404, secure_score_body, secure_score_control_body
from tests.fakes.transport import (
    DEV_SUB,
    FAKE_SECRET,
    TENANT_ID,
    USER_OID,
    Canned,
    FakeArmTransport,
    FakeCredential,
    Sent,
    arm_error,
)

EXAMPLE_SUBS = ["11111111-1111-4111-8111-111111111111"] + [
    f"{d * 8}-{d * 4}-4{d * 3}-8{d * 3}-{d * 8}abcd" for d in "23456"]


def scores_path(sub: str) -> str:
    return f"/subscriptions/{sub}/providers/Microsoft.Security/secureScores"


def controls_path(sub: str) -> str:
    return f"/subscriptions/{sub}/providers/Microsoft.Security/secureScoreControls"


def paged(path: str, pages: list[list[dict]]) -> object:
    """A route serving ``pages`` through nextLink ($skipToken=<page index>), like the REST API."""
    def route(sent: Sent) -> Canned:
        index = int(sent.query.get("$skipToken", ["0"])[0])
        body: dict = {"value": pages[index]}
        if index + 1 < len(pages):
            body["nextLink"] = (f"https://management.azure.com{path}?api-version=2020-01-01"
                                f"&$expand=definition&$skipToken={index + 1}")
        return Canned(200, body)
    return route


def add_subscription(transport: FakeArmTransport, sub: str) -> None:
    transport.add("GET", scores_path(sub), paged(scores_path(sub), [[secure_score_body(sub)]]))
    transport.add("GET", controls_path(sub), paged(controls_path(sub), [
        [secure_score_control_body(sub, "c1"), secure_score_control_body(sub, "c2")],
        [secure_score_control_body(sub, "c3")],
    ]))


def run(argv: list[str], transport: FakeArmTransport, env: dict | None = None) -> int:
    return export_scores.main(argv, credential=FakeCredential(), transport=transport, env=env or {})


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line]


def test_one_line_per_score_and_control_following_next_links(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport()
    add_subscription(transport, DEV_SUB)
    assert run(["--subscription", DEV_SUB], transport) == 0
    captured = capsys.readouterr()
    records = lines(captured.out)
    assert [(r["kind"], r["name"]) for r in records] == [
        ("secureScore", "ascScore"), ("secureScoreControl", "c1"), ("secureScoreControl", "c2"),
        ("secureScoreControl", "c3")]
    assert all(r["subscriptionId"] == DEV_SUB for r in records)
    assert records[0]["properties"]["score"] == {"max": 58, "current": 31.5, "percentage": 0.5431}
    assert records[1]["properties"]["definition"]["properties"]["maxScore"] == 6
    control_requests = transport.requests_to("GET", "/secureScoreControls")
    assert [r.query.get("$skipToken") for r in control_requests] == [None, ["1"]]
    assert all(r.query["$expand"] == ["definition"] and r.query["api-version"] == ["2020-01-01"]
               for r in control_requests)
    assert f"{DEV_SUB}: 4 records" in captured.err


def test_stack_exports_every_subscription_and_reports_failures(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport()
    for sub in EXAMPLE_SUBS:
        add_subscription(transport, sub)
    transport.add("GET", scores_path(EXAMPLE_SUBS[1]), Canned(403, arm_error(
        "AuthorizationFailed", "The client does not have authorization to perform action")))
    transport.add("GET", scores_path(EXAMPLE_SUBS[4]), Canned(404, no_score_404(EXAMPLE_SUBS[4])))
    transport.add("GET", scores_path(EXAMPLE_SUBS[5]), Canned(200, NO_SCORES))
    assert run(["--stack", "example"], transport) == 1
    captured = capsys.readouterr()
    exported = {r["subscriptionId"] for r in lines(captured.out)}
    assert exported == set(EXAMPLE_SUBS) - {EXAMPLE_SUBS[1], EXAMPLE_SUBS[4], EXAMPLE_SUBS[5]}
    assert f"assign Reader or Security Reader on /subscriptions/{EXAMPLE_SUBS[1]}" in captured.err
    for sub in EXAMPLE_SUBS[4:]:  # the real 404 body and the empty list: both named, with the fix
        assert f"subscription {sub}: Defender for Cloud has no secure score" in captured.err
        assert f"az provider register -n Microsoft.Security --subscription {sub}" in captured.err
    assert f"{EXAMPLE_SUBS[5]}: 0 records" not in captured.err
    assert not transport.requests_to("GET", controls_path(EXAMPLE_SUBS[5]))


def test_one_subscription_without_a_score_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({("GET", scores_path(DEV_SUB)): Canned(200, NO_SCORES)})
    assert run(["--subscription", DEV_SUB], transport) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "no secure score" in captured.err


def test_out_file_and_subscription_from_env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport()
    add_subscription(transport, DEV_SUB)
    out = tmp_path / "scores.jsonl"
    assert run(["--out", str(out)], transport, env={"AZURE_SUBSCRIPTION_ID": DEV_SUB.upper()}) == 0
    assert len(lines(out.read_text(encoding="utf-8"))) == 4
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("argv", [[], ["--subscription", "nope"], ["--stack", "nope"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv, FakeArmTransport()) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_stack_and_subscription_are_exclusive() -> None:
    with pytest.raises(SystemExit) as caught:
        run(["--stack", "dev", "--subscription", DEV_SUB], FakeArmTransport())
    assert caught.value.code == 2


def test_sign_in_failure_exits_1_without_the_secret(capsys: pytest.CaptureFixture[str]) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    credential = FakeCredential(error=ClientAuthenticationError(
        message=f"AADSTS7000215: Invalid client secret provided ({FAKE_SECRET})"))
    env = {"AZURE_TENANT_ID": TENANT_ID, "AZURE_CLIENT_ID": USER_OID, "AZURE_CLIENT_SECRET": FAKE_SECRET}
    code = export_scores.main(["--subscription", DEV_SUB], credential=credential, transport=FakeArmTransport(),
                              env=env)
    assert code == 1
    err = capsys.readouterr().err
    assert "client secret is wrong or expired" in err and FAKE_SECRET not in err
