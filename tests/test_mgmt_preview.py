"""The preview in management-group mode: sample group, --data DIR (with and without a saved Resource
Graph answer), the live workspace source (membership from Resource Graph as the signed-in user) and the
Secure Score API source. Azure is faked at the SDK boundary (tests/fakes)."""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from securescore.arm import ArmClient
from securescore.cli import preview
from securescore.datasources import SourceError, membership, secure_score_api
from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample, sample_membership
from securescore.settings import settings_from_stack
from tests.conftest import REPORT_NOW, make_settings
from tests.fakes.resourcegraph import RESOURCE_GRAPH_PATH, graph_pages, subscription
from tests.fakes.security import secure_score_body, secure_score_control_body
from tests.fakes.transport import Canned, FakeArmTransport, FakeCredential, arm_error
from tests.test_sources import SUB_A, SUB_B, write_exports

NOW = "2026-11-23T07:00:00Z"
NEVER = "dddddddd-0000-4000-8000-00000000000d"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = preview.main(list(args))
    return code, capsys.readouterr().err


def coverage_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    start = page.index('id="coverage"')
    body = page[start:page.index('<tr><td class="section"', start)]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_sample_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mgmt.html"
    code, err = run_cli(capsys, "--stack", "mgmt", "--now", NOW, "--out", str(out))
    assert code == 0, err
    assert "warning" not in err
    text = coverage_text(out)
    members = sample_membership()
    assert f"4 of {len(members)} subscriptions under management group contoso-landing-zones" in text
    assert "Retired sandbox" in text and "New landing zone" in text and "Legacy lab" in text
    assert "Platform team (shared services)" in out.read_text(encoding="utf-8")  # the stack's name wins


def test_data_with_a_saved_resource_graph_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_exports(tmp_path)
    saved = tmp_path / "members.json"  # `az graph query ... -o json` writes count, data, skip_token, total_records
    saved.write_text(json.dumps({"count": 3, "data": [
        subscription(SUB_A, "Alpha <A>"), subscription(SUB_B, "Beta"), subscription(NEVER, "Not yet exported")],
        "skip_token": None, "total_records": 3}), encoding="utf-8")
    out = tmp_path / "csv.html"
    code, err = run_cli(capsys, "--stack", "mgmt", "--now", NOW, "--data", str(tmp_path),
                        "--subscriptions-from", str(saved), "--out", str(out))
    assert code == 0, err
    assert "warning" not in err
    text = coverage_text(out)
    assert "2 of 3 subscriptions" in text and "Not yet exported" in text and NEVER in text
    assert "Alpha &lt;A&gt;" in out.read_text(encoding="utf-8")


def test_data_alone_uses_the_subscriptions_in_it_and_says_so(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    write_exports(tmp_path)
    out = tmp_path / "csv.html"
    code, err = run_cli(capsys, "--stack", "mgmt", "--now", NOW, "--data", str(tmp_path), "--out", str(out))
    assert code == 0, err
    assert "warning: management-group mode without --subscriptions-from" in err
    assert "2 of 2 subscriptions" in coverage_text(out)


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not JSON"),
    ('{"data": {"columns": []}}', "expected Resource Graph's answer"),
    ('[1, 2]', "expected Resource Graph's answer"),
])
def test_a_bad_membership_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
                                        message: str) -> None:
    write_exports(tmp_path)
    saved = tmp_path / "members.json"
    saved.write_text(content, encoding="utf-8")
    code, err = run_cli(capsys, "--stack", "mgmt", "--now", NOW, "--data", str(tmp_path),
                        "--subscriptions-from", str(saved), "--out", str(tmp_path / "x.html"))
    assert code == 1 and f"--subscriptions-from {saved}" in err and message in err and "Traceback" not in err


# --- live sources: Resource Graph as the signed-in user --------------------------------------------------


class SampleGroupLogs:
    """Stands in for azure.monitor.query.LogsQueryClient over the sample group's rows."""

    def __init__(self, credential: Any, **kwargs: Any) -> None:
        settings = settings_from_stack("mgmt")
        self.engine = LocalEngine(generate_sample(settings, REPORT_NOW))

    def send_request(self, request: Any) -> Any:
        from tests.fakes.loganalytics import query_answer
        from tests.fakes.transport import FakeResponse

        rows = self.engine.run(json.loads(request.content)["query"])
        columns = list(rows[0]) if rows else []
        return FakeResponse(request, 200, query_answer([(c, "dynamic") for c in columns],
                                                       [[row[c] for c in columns] for row in rows]))


def fake_arm(monkeypatch: pytest.MonkeyPatch, transport: FakeArmTransport) -> None:
    monkeypatch.setattr("azure.identity.DefaultAzureCredential", FakeCredential)
    monkeypatch.setattr("securescore.arm.ArmClient", functools.partial(ArmClient, transport=transport))


def test_workspace_source_asks_resource_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    members = [subscription(m.id, m.name, m.state) for m in sample_membership()]
    sent: list[dict[str, Any]] = []
    transport = FakeArmTransport({("POST", RESOURCE_GRAPH_PATH): graph_pages([members[:4], members[4:]], sent)})
    fake_arm(monkeypatch, transport)
    monkeypatch.setattr("azure.monitor.query.LogsQueryClient", SampleGroupLogs)
    out = tmp_path / "live.html"
    code, err = run_cli(capsys, "--stack", "mgmt", "--now", NOW, "--workspace-id", "ws-1234", "--out", str(out))
    assert code == 0, err
    assert [b["managementGroups"] for b in sent] == [["contoso-landing-zones"]] * 2
    assert sent[0]["query"].startswith("resourcecontainers | where type == 'microsoft.resources/subscriptions'")
    assert "$skipToken" not in sent[0]["options"] and sent[1]["options"]["$skipToken"]
    assert transport.sent[0].query["api-version"] == ["2024-04-01"]
    assert "4 of 7 subscriptions" in coverage_text(out)


def test_a_refused_resource_graph_call_says_which_role(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    transport = FakeArmTransport({("POST", RESOURCE_GRAPH_PATH): Canned(403, arm_error(
        "AuthorizationFailed", "The client does not have authorization to perform action "
        "'Microsoft.ResourceGraph/resources/read'"))})
    fake_arm(monkeypatch, transport)
    monkeypatch.setattr("azure.monitor.query.LogsQueryClient", SampleGroupLogs)
    code, err = run_cli(capsys, "--stack", "mgmt", "--now", NOW, "--workspace-id", "ws-1234",
                        "--out", str(tmp_path / "x.html"))
    assert code == 1 and "Traceback" not in err
    assert "Reader on the management group" in err and "/managementGroups/contoso-landing-zones" in err


def test_api_source_reads_the_groups_subscriptions(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    routes: dict[tuple[str, str], Any] = {("POST", RESOURCE_GRAPH_PATH): graph_pages([[
        subscription(SUB_A, "Alpha"), subscription(SUB_B, "Beta"), {"subscriptionId": "not-a-guid", "name": "x"},
        subscription(NEVER, "Retired", "Disabled")]])}
    for sub, score in ((SUB_A, 29.0), (SUB_B, 58.0)):
        base = f"/subscriptions/{sub}/providers/Microsoft.Security"
        routes[("GET", f"{base}/secureScores")] = Canned(200, {"value": [secure_score_body(sub, score, 58, 10)]})
        routes[("GET", f"{base}/secureScoreControls")] = Canned(200, {"value": [
            secure_score_control_body(sub, "c1", 3, "Enable MFA", 5, 10)]})
    transport = FakeArmTransport(routes)
    fake_arm(monkeypatch, transport)
    api_source = functools.partial(secure_score_api.ApiSource, transport=transport, retry_total=0)
    monkeypatch.setattr(secure_score_api, "ApiSource", api_source)
    out = tmp_path / "api.html"
    code, err = run_cli(capsys, "--stack", "mgmt", "--now", NOW, "--source", "api", "--out", str(out))
    assert code == 0, err
    score_calls = {s.path.split("/")[2] for s in transport.sent if "secureScores" in s.path}
    assert score_calls == {SUB_A, SUB_B}  # only the enabled GUIDs: a disabled subscription is not asked
    assert "Alpha" in out.read_text(encoding="utf-8")


# --- fetch_membership at the SDK boundary ----------------------------------------------------------------


def test_fetch_follows_every_page() -> None:
    pages = [[subscription(f"{i:08x}-0000-4000-8000-{i:012x}", f"S{i}") for i in range(k * 3, k * 3 + 3)]
             for k in range(3)]
    transport = FakeArmTransport({("POST", RESOURCE_GRAPH_PATH): graph_pages(pages)})
    with ArmClient(FakeCredential(), transport) as arm:
        rows = membership.fetch_membership(arm, "mg")
    assert rows == [row for page in pages for row in page]
    assert len(transport.sent) == 3


@pytest.mark.parametrize(("status", "code", "fix"), [
    (403, "AuthorizationFailed", "needs Reader on the management group"),
    (400, "ManagementGroupNotFound", "check managementGroupId"),
])
def test_fetch_errors_name_the_fix(status: int, code: str, fix: str) -> None:
    transport = FakeArmTransport({("POST", RESOURCE_GRAPH_PATH): Canned(status, arm_error(code, "no"))})
    with ArmClient(FakeCredential(), transport) as arm, pytest.raises(SourceError, match=fix):
        membership.fetch_membership(arm, "mg")


def test_membership_from_data() -> None:
    settings = make_settings(3)
    engine = LocalEngine(generate_sample(settings, REPORT_NOW))
    try:
        rows = membership.from_data(engine.run)
    finally:
        engine.close()
    reporting = {s for s in settings.subscription_ids[:-1]} | {"0badc0de-5eed-4000-8000-00000000beef"}
    assert {r["subscriptionId"] for r in rows} == reporting  # the sample's never-reporting one is absent
