"""`init-stack` in a team's own Pulumi project: the commented-out optional keys it writes are those of
that project's Pulumi.yaml, whose declarations override the package's (the Pulumi CLI applies the
project's own: Pulumi docs, "Project file reference", config: type, description, default)."""

from __future__ import annotations

import io
from pathlib import Path

import yaml

from securescore.cli import init_stack

SUB = "11111111-1111-4111-8111-111111111111"
WORKSPACE = f"/subscriptions/{SUB}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law-a"
FLAGS = ["--location", "westeurope", "--subscription", SUB, "--recipient", "secops@contoso.example",
         "--workspace-resource-id", WORKSPACE]


def test_the_optional_keys_written_are_the_projects_own(tmp_path: Path) -> None:
    """Rule: a key the project's Pulumi.yaml declares again is written with that declaration's default
    and description, not the package's (scheduleHour: 7 there)."""
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump({
        "name": "team-report", "runtime": "python",
        "config": {"securescore-report:scheduleHour": {
            "type": "integer", "default": 9, "description": "Our team reads it at nine."}}}), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = init_stack.main(["team", *FLAGS, "--project-dir", str(tmp_path)], interactive=False, out=out, err=err)
    assert code == 0, err.getvalue()
    text = (tmp_path / "stacks" / "Pulumi.team.yaml").read_text(encoding="utf-8")
    assert "  # Our team reads it at nine.\n  # securescore-report:scheduleHour: 9\n" in text
    assert "securescore-report:scheduleHour: 7" not in text
