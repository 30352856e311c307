"""Rules kql's function-body seed 1 showed untested: which list a management-group query filters by
when no list is given, and that the queries render from the folder they are given (the KQL mutation
engine, bench/mutation/kql_engine.py, renders its mutated templates that way)."""

from __future__ import annotations

import shutil
from pathlib import Path

from securescore.queries import KQL_DIR, LOGIC_APP_REPORT_TIME, render_queries
from tests.conftest import REPORT_TIME, make_settings

GROUP = make_settings(managementGroupId="contoso", subscriptions=[], exportAssessments=True)


def test_at_a_fixed_time_a_group_query_reads_every_subscription_of_the_workspace() -> None:
    """A helper running the KQL itself has no run to compose the group's list: no filter ("*"), never
    the workflow's expression, which only a Logic App run can fill in."""
    for name, text in render_queries(GROUP, REPORT_TIME).items():
        assert 'let MemberIds = "*";' in text, name
        assert "@{" not in text and "outputs(" not in text, name


def test_the_deployed_group_query_reads_the_runs_list() -> None:
    for name, text in render_queries(GROUP, LOGIC_APP_REPORT_TIME).items():
        assert 'let MemberIds = "*";' not in text and "outputs(" in text, name


def test_the_queries_render_from_the_folder_given(tmp_path: Path) -> None:
    folder = tmp_path / "kql"
    shutil.copytree(KQL_DIR, folder)
    overall = folder / "overall.kql"
    overall.write_text("// rendered from the copy\n" + overall.read_text())
    settings = make_settings()
    copied = render_queries(settings, REPORT_TIME, folder)
    assert copied["overall"].startswith("// rendered from the copy\n")
    assert not render_queries(settings, REPORT_TIME)["overall"].startswith("// rendered from the copy")
    assert {name: text for name, text in copied.items() if name != "overall"} == {
        name: text for name, text in render_queries(settings, REPORT_TIME).items() if name != "overall"}
