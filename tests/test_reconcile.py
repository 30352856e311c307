"""scripts.reconcile: Defender's numbers (the Secure Score API) beside the report's (its own queries on
the workspace), per subscription and overall, differences above 0.1 points flagged with their cause.

The API answers like the spec's examples; Log Analytics is the local engine over rows the test writes,
answering in the query API's JSON. Every expected number is worked out by hand from those rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.cli import reconcile
from securescore.datasources.engine import LocalEngine
from tests.conftest import make_settings
from tests.fakes.loganalytics import FakeLogsTransport, engine_answer, query_error
from tests.fakes.security import NO_SCORES, scores_path, secure_score_body
from tests.fakes.transport import Canned, FakeArmTransport, FakeCredential

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SETTINGS = make_settings(5)
S1, S2, S3, S4, S5 = SETTINGS.subscription_ids


def score_row(sub: str, when: str, percentage: float, weight: int, maximum: int = 50) -> dict[str, Any]:
    return {"TimeGenerated": datetime.fromisoformat(when.replace("Z", "+00:00")), "SecureScoresSubscriptionId": sub,
            "DisplayName": "ASC score", "CurrentScore": percentage * maximum, "MaxScore": maximum,
            "PercentageScore": percentage, "Weight": weight}


def api(scores: dict[str, Canned]) -> FakeArmTransport:
    return FakeArmTransport({("GET", scores_path(sub)): canned for sub, canned in scores.items()})


def listed(sub: str, percentage: float, weight: int, display: str = "ASC score") -> Canned:
    return Canned(200, {"value": [secure_score_body(sub, current=percentage * 50, maximum=50, weight=weight,
                                                    percentage=percentage, display=display)]})


def run(mocker: Any, capsys: pytest.CaptureFixture[str], rows: list[dict], scores: dict[str, Canned],
        settings: Any = SETTINGS, json_out: bool = True) -> tuple[int, Any]:
    mocker.patch("securescore.cli.check.load_settings", return_value=settings)
    logs = FakeLogsTransport(engine_answer(LocalEngine({"SecureScores": rows})))
    argv = ["--stack", "any"] + (["--json"] if json_out else [])
    code = reconcile.main(argv, credential=FakeCredential(), transport=api(scores), logs_transport=logs, env={},
                          now=NOW)
    out = capsys.readouterr().out
    return code, json.loads(out) if json_out else out


def by_sub(document: dict) -> dict[str, dict]:
    return {row["subscription"]: row for row in document["rows"]}


def test_side_by_side_with_a_cause_for_each_difference(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [score_row(S1, "2026-11-23T05:00:00Z", 0.60, 10),
            score_row(S2, "2026-11-10T07:00:00Z", 0.50, 20),  # 13 days old: within the lookback, stale
            score_row(S4, "2026-11-23T01:00:00Z", 0.80, 40),
            score_row(S5, "2026-11-22T07:00:00Z", 0.40, 10)]
    scores = {S1: listed(S1, 0.60, 10), S2: listed(S2, 0.55, 20), S3: listed(S3, 0.70, 30),
              S4: listed(S4, 0.805, 40), S5: Canned(200, NO_SCORES)}
    code, document = run(mocker, capsys, rows, scores)
    assert code == 1 and document["ok"] is False and document["tolerance"] == 0.1
    rows_ = by_sub(document)
    assert (rows_[S1]["defender"], rows_[S1]["report"], rows_[S1]["difference"], rows_[S1]["ok"]) == (60.0, 60.0, 0.0,
                                                                                                      True)
    assert (rows_[S2]["defender"], rows_[S2]["report"], rows_[S2]["difference"]) == (55.0, 50.0, -5.0)
    assert rows_[S2]["cause"].startswith("the export is stale: its latest row is 13 days 0 h old")
    assert (rows_[S3]["defender"], rows_[S3]["report"]) == (70.0, None)
    assert rows_[S3]["cause"].startswith("no snapshot yet")
    assert (rows_[S4]["difference"], rows_[S4]["cause"][:17]) == (-0.5, "a recent change t")
    assert rows_[S5]["defender"] is None and rows_[S5]["cause"] == "Defender for Cloud has no secure score for it"
    assert "az provider register -n Microsoft.Security" in rows_[S5]["fix"]
    overall = rows_["overall"]
    # Defender: (0.60*10 + 0.55*20 + 0.70*30 + 0.805*40) / 100 = 70.2; the report: (6 + 10 + 32 + 4) / 80 = 65.0
    assert (overall["defender"], overall["report"], overall["difference"]) == (70.2, 65.0, -5.2)
    assert overall["cause"] == "4 subscription(s) differ (see above)"


def test_all_agree_within_the_tolerance(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(2)
    a, b = settings.subscription_ids
    rows = [score_row(a, "2026-11-23T05:00:00Z", 0.6033, 67), score_row(b, "2026-11-22T05:00:00Z", 0.25, 33)]
    code, out = run(mocker, capsys, rows, {a: listed(a, 0.6034, 67), b: listed(b, 0.2509, 33)}, settings,
                    json_out=False)
    assert code == 0 and "All scores agree within 0.1 points." in out
    # 100 * (0.6033*67 + 0.25*33) / 100 = 48.67 (report), 100 * (0.6034*67 + 0.2509*33) / 100 = 48.71 (Defender)
    assert "48.71      48.67    -0.04  ok" in out


def test_weights_that_differ_are_named(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(2)
    a, b = settings.subscription_ids
    rows = [score_row(a, "2026-11-23T05:00:00Z", 0.6, 10), score_row(b, "2026-11-23T05:00:00Z", 0.8, 10)]
    code, document = run(mocker, capsys, rows, {a: listed(a, 0.6, 10), b: listed(b, 0.8, 30)}, settings)
    overall = by_sub(document)["overall"]
    # Defender (6 + 24) / 40 = 75.0; the report (6 + 8) / 20 = 70.0
    assert code == 1 and (overall["defender"], overall["report"]) == (75.0, 70.0)
    assert overall["cause"].startswith("every subscription agrees, so the weights differ")


def test_another_initiative(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(1)
    (a,) = settings.subscription_ids
    code, document = run(mocker, capsys, [score_row(a, "2026-11-23T05:00:00Z", 0.6, 10)],
                         {a: listed(a, 0.6, 10, display="CIS Microsoft Azure Foundations Benchmark")}, settings)
    row = by_sub(document)[a]
    assert code == 1 and row["cause"].startswith("another initiative: Defender's scores here are named CIS")
    assert "initiativeName" in row["fix"]


def test_the_report_runs_its_own_deployed_queries(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from securescore.queries import render_query

    settings = make_settings(1)
    (a,) = settings.subscription_ids
    mocker.patch("securescore.cli.check.load_settings", return_value=settings)
    logs = FakeLogsTransport(engine_answer(LocalEngine({"SecureScores": []})))
    reconcile.main(["--stack", "any", "--json"], credential=FakeCredential(), transport=api({a: listed(a, 0.5, 1)}),
                   logs_transport=logs, env={}, now=NOW)
    capsys.readouterr()
    assert [s.body["query"] for s in logs.sent] == [render_query(name, settings, "2026-11-23T07:00:00Z")
                                                    for name in ("subscriptions", "overall")]
    assert logs.sent[0].path == f"/v1{settings.workspace.resource_id}/query"


def test_a_workspace_error_is_one_line(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(1)
    (a,) = settings.subscription_ids
    mocker.patch("securescore.cli.check.load_settings", return_value=settings)
    logs = FakeLogsTransport(lambda target, query: Canned(403, query_error("InsufficientAccessError", "no")))
    code = reconcile.main(["--stack", "any"], credential=FakeCredential(), transport=api({a: listed(a, 0.5, 1)}),
                          logs_transport=logs, env={}, now=NOW)
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Log Analytics Reader" in err


def test_an_export_is_stale_only_past_24_hours(mocker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # reconcile's own bound (STALE_AFTER): the export writes on every change and Defender recalculates about
    # every 8 hours, so a whole day without a row while the scores differ is stale. NOW is 07:00.
    settings = make_settings(2)
    at_bound, past_bound = settings.subscription_ids
    rows = [score_row(at_bound, "2026-11-22T07:00:00Z", 0.50, 10),  # exactly 24 h old: not yet stale
            score_row(past_bound, "2026-11-22T06:59:00Z", 0.50, 10)]  # 24 h 1 min old: stale
    code, document = run(mocker, capsys, rows, {at_bound: listed(at_bound, 0.55, 10),
                                                past_bound: listed(past_bound, 0.55, 10)}, settings)
    rows_ = by_sub(document)
    assert code == 1
    assert rows_[at_bound]["cause"].startswith("a recent change the export has not written yet")
    assert rows_[past_bound]["cause"].startswith("the export is stale: its latest row is 1 days 0 h old")
