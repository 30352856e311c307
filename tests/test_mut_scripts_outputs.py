"""Where the helpers write by default (as README documents each `--out`), the folders they create, what
the preview's results JSON lists, the placeholders and texts of their --help, and usage errors that name
the value to fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from securescore.cli import authorize, completion, export_scores, package, preview, reference
from securescore.cli.stack_args import UsageError
from securescore.settings import PROJECT_ROOT
from tests.fakes.transport import USER_OID, Canned, FakeArmTransport, FakeCredential, arm_error

NOW = "2026-11-23T07:00:00Z"
SUB = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A team's own project folder: its Pulumi.yaml and stack files (the package's declarations apply)."""
    root = tmp_path / "team"
    (root / "stacks").mkdir(parents=True)
    shutil.copyfile(PROJECT_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    for stack in ("dev", "mgmt"):
        shutil.copyfile(PROJECT_ROOT / "stacks" / f"Pulumi.{stack}.yaml", root / "stacks" / f"Pulumi.{stack}.yaml")
    return root


def test_package_writes_build_stack_logicapp_json_by_default(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """README: "--out OUT  output file (default: build/<stack>/logicapp.json)", under the project folder."""
    assert package.main(["--stack", "dev", "--project-dir", str(project)]) == 0
    written = project / "build" / "dev" / "logicapp.json"
    assert capsys.readouterr().out.strip() == str(written)
    assert "definition" in json.loads(written.read_text(encoding="utf-8"))


def test_preview_writes_out_stack_weekly_report_by_default(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """README: "--out OUT  HTML file to write (default: out/<stack>-weekly-report.html)"."""
    assert preview.main(["--stack", "dev", "--project-dir", str(project), "--now", NOW]) == 0
    written = project / "out" / "dev-weekly-report.html"
    assert capsys.readouterr().out.strip() == str(written) and written.stat().st_size > 0


def test_preview_creates_the_folders_of_every_file_it_writes(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    html, eml, results = (tmp_path / kind / "nested" / "deeper" / name
                          for kind, name in (("html", "r.html"), ("eml", "r.eml"), ("json", "r.json")))
    assert preview.main(["--now", NOW, "--out", str(html), "--eml", str(eml), "--results-json", str(results)]) == 0
    assert html.stat().st_size and eml.stat().st_size and results.stat().st_size


def test_the_results_json_lists_each_query_the_run_ran_with_its_kql(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report's queries are always listed (a query the stack turns off with its KQL and rows null); in
    management-group mode the membership queries the run ran are listed too, each with its KQL."""
    listed = {}
    for stack in ("dev", "mgmt"):
        path = tmp_path / f"{stack}.json"
        assert preview.main(["--stack", stack, "--project-dir", str(project), "--now", NOW,
                             "--out", str(tmp_path / "r.html"), "--results-json", str(path)]) == 0
        listed[stack] = json.loads(path.read_text(encoding="utf-8"))["queries"]
    assert {"overall", "top_controls", "freshness"} <= set(listed["dev"]) < set(listed["mgmt"])
    assert all(listed["dev"][name]["kql"] for name in ("overall", "top_controls", "freshness"))
    extra = set(listed["mgmt"]) - set(listed["dev"])
    assert all(isinstance(listed["mgmt"][name]["kql"], str) and listed["mgmt"][name]["kql"] for name in extra)


# --- --help ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("main", "argv", "shown"), [
    (preview.main, ["--help"], "--fail-query NAME"),
    (reference.main, ["--help"], "--write README"),
    # The module's documentation after its first paragraph, every paragraph of it.
    (completion.main, ["--help"], 'eval "$(securescore completion bash)"'),
    (completion.main, ["--help"], "It completes the commands and their options from the real parsers"),
])
def test_help_shows_what_to_give(main: object, argv: list[str], shown: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(argv)  # type: ignore[operator]
    assert " ".join(shown.split()) in " ".join(capsys.readouterr().out.split())  # however argparse wraps it


# --- usage errors and fixes name what to change ------------------------------------------------------

def test_a_tenant_id_that_is_no_guid_is_named() -> None:
    with pytest.raises(UsageError) as caught:
        authorize.identity_for_consent({"oid": USER_OID}, None, "contoso.onmicrosoft.com")
    assert str(caught.value) == ("the tenant id must be a GUID like 00000000-0000-0000-0000-000000000000, "
                                 "not 'contoso.onmicrosoft.com'")


def test_a_subscription_that_is_no_guid_is_a_usage_error_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    code = export_scores.main(["--subscription", "Platform"], credential=FakeCredential(),
                              transport=FakeArmTransport(), env={})
    assert code == 2
    assert "--subscription must be a GUID like 00000000-0000-0000-0000-000000000000, not 'Platform'" in \
        capsys.readouterr().err


def test_export_to_stdout_gives_the_role_command_for_the_signed_in_user(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({("GET", f"/subscriptions/{SUB}/providers/Microsoft.Security/secureScores"): Canned(
        403, arm_error("AuthorizationFailed", "The client does not have authorization to perform action"))})
    assert export_scores.main(["--subscription", SUB], credential=FakeCredential(), transport=transport, env={}) == 1
    assert f"--assignee {USER_OID} --scope /subscriptions/{SUB}" in capsys.readouterr().err
