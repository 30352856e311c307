"""`python -m scripts.preview`: every data source end to end, the output files, errors and exit codes.

Live sources are faked at the Azure SDK boundary: a LogsQueryClient that answers with the local
engine, and an HTTP transport with Secure Score API responses.
"""

from __future__ import annotations

import email
import email.policy
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from securescore.cli import preview
from securescore.datasources import sample, secure_score_api
from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample
from securescore.emulator.local_run import run_locally
from securescore.queries import QUERY_NAMES
from securescore.settings import settings_from_stack
from tests.conftest import REPORT_NOW, make_settings
from tests.test_sources import SUB_A, SUB_B, FakeArmTransport, FakeCredential, api_routes, write_exports

NOW = "2026-11-23T07:00:00Z"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = preview.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sample_preview_writes_html_eml_and_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, eml, results = tmp_path / "r.html", tmp_path / "r.eml", tmp_path / "r.json"
    code, stdout, stderr = run_cli(capsys, "--now", NOW, "--out", str(out), "--eml", str(eml),
                                   "--results-json", str(results))
    assert code == 0 and stdout.strip() == str(out)
    settings = settings_from_stack("example")
    expected = run_locally(settings, sample.SampleSource(settings, REPORT_NOW), REPORT_NOW).email
    assert out.read_text(encoding="utf-8") == expected.html
    assert f"Subject:    {expected.subject}" in stderr

    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == expected.subject
    assert message["To"] == "secops@contoso.example, ciso@contoso.example"
    assert message["Importance"] == expected.importance
    body = message.get_body(("html",)).get_content().replace("\r\n", "\n")  # SMTP line endings
    assert body.strip() == expected.html.strip()

    document = json.loads(results.read_text(encoding="utf-8"))
    assert document["run_status"] == "Succeeded"
    engine = LocalEngine(generate_sample(settings, REPORT_NOW))
    for name in QUERY_NAMES:
        assert document["queries"][name]["rows"] == engine.run(document["queries"][name]["kql"])


def test_the_same_clock_gives_the_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "1.html", tmp_path / "2.html"
    run_cli(capsys, "--now", NOW, "--out", str(first))
    run_cli(capsys, "--now", NOW, "--out", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_failure_path_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "failed.html"
    code, _, stderr = run_cli(capsys, "--now", NOW, "--out", str(out), "--fail-query", "top_controls")
    assert code == 0
    assert "failure notice" in stderr
    html = out.read_text(encoding="utf-8")
    assert "Query_top_controls" in html and "Simulated failure" in html


def test_csv_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_exports(tmp_path)
    out = tmp_path / "csv.html"
    code, _, stderr = run_cli(capsys, "--stack", "dev", "--now", NOW, "--data", str(tmp_path), "--out", str(out))
    assert code == 0, stderr
    assert "csv" in stderr.lower() or str(tmp_path) in stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_csv_source_with_missing_files_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run_cli(capsys, "--data", str(tmp_path), "--now", NOW)
    assert code == 1
    assert "SecureScores.csv" in stderr and "Traceback" not in stderr


class EngineLogsClient:
    """Stands in for azure.monitor.query.LogsQueryClient: runs the KQL on sample rows and answers in the
    Log Analytics query API's JSON (tables -> columns, rows), as its send_request returns it."""

    calls: list[tuple[str, str]] = []  # noqa: RUF012  (reset by the test that reads it)

    def __init__(self, credential: Any, **kwargs: Any) -> None:
        settings = settings_from_stack("example")
        self.engine = LocalEngine(generate_sample(settings, REPORT_NOW))

    def send_request(self, request: Any) -> Any:
        from tests.fakes.loganalytics import query_answer
        from tests.fakes.transport import FakeResponse

        workspace_id, query = request.url.split("/")[2], json.loads(request.content)["query"]
        EngineLogsClient.calls.append((workspace_id, query))
        rows = self.engine.run(query)
        columns = list(rows[0]) if rows else []
        body = query_answer([(c, "dynamic") for c in columns], [[row[c] for c in columns] for row in rows])
        return FakeResponse(request, 200, body)


def test_workspace_source(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("azure.monitor.query.LogsQueryClient", EngineLogsClient)
    monkeypatch.setattr("azure.identity.DefaultAzureCredential", FakeCredential)
    EngineLogsClient.calls = []
    out = tmp_path / "live.html"
    code, _, stderr = run_cli(capsys, "--now", NOW, "--workspace-id", "ws-1234", "--out", str(out))
    assert code == 0, stderr
    assert [workspace for workspace, _ in EngineLogsClient.calls] == ["ws-1234"] * len(QUERY_NAMES)
    settings = settings_from_stack("example")
    expected = run_locally(settings, sample.SampleSource(settings, REPORT_NOW), REPORT_NOW).email.html
    assert out.read_text(encoding="utf-8") == expected


def test_api_source_says_history_is_limited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = FakeArmTransport(api_routes([(404, {"error": {
        "code": "NotFound", "message": "Secure score 'ascScore' does not exist"}})]))
    monkeypatch.setattr("azure.identity.DefaultAzureCredential", FakeCredential)
    api_source = functools.partial(secure_score_api.ApiSource, transport=transport, retry_total=0)
    monkeypatch.setattr(secure_score_api, "ApiSource", api_source)
    monkeypatch.setattr(preview, "load_settings", lambda args: make_settings(
        0, subscriptions=[f"{SUB_A}=Alpha", f"{SUB_B}=Beta"]))
    out = tmp_path / "api.html"
    code, _, stderr = run_cli(capsys, "--now", NOW, "--source", "api", "--out", str(out))
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    assert "only the current state" in html or "no week-ago or trend history" in html
    assert "Alpha" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "x", "--workspace-id", "y"], "cannot be combined"),
        (["--source", "csv"], "--source csv needs --data"),
        (["--now", "yesterday"], "--now 'yesterday'"),
        (["--stack", "nope"], "stacks available"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run_cli(capsys, *args)
    assert code == 2 and message in stderr


def test_html_stays_under_90_kb_for_500_subscriptions() -> None:
    # Gmail clips messages over 102 KB; the subscription table is capped by maxSubscriptionRows.
    settings = make_settings(500)
    tables = generate_sample(settings, REPORT_NOW, days=35, controls=15)

    class Source:
        engine = LocalEngine(tables)

        def run_query(self, kql: str) -> list[dict]:
            return self.engine.run(kql)

        def describe(self) -> str:
            return "500 subscriptions"

    html = run_locally(settings, Source(), REPORT_NOW).email.html
    assert "… and 475 more subscriptions" in html
    assert len(html.encode("utf-8")) < 90 * 1024
