"""`python -m scripts.package`: the Logic App package for review and diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from securescore.cli import package
from securescore.logicapp.definition import build_definition
from securescore.settings import settings_from_stack


def test_package_holds_the_deployed_definition_and_connection_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "prod.json"
    assert package.main(["--stack", "prod", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    written = json.loads(out.read_text(encoding="utf-8"))
    settings = settings_from_stack("prod")
    assert written["definition"] == build_definition(settings)
    connections = written["parameters"]["$connections"]["value"]
    group = f"/subscriptions/{settings.deployment_subscription_id}/resourceGroups/rg-securescore-prod"
    assert (
        connections["azuremonitorlogs"]["connectionId"]
        == f"{group}/providers/Microsoft.Web/connections/securescore-prod-azuremonitorlogs"
    )
    assert connections["office365"]["connectionId"].endswith("/connections/securescore-prod-office365")
    assert connections["azuremonitorlogs"]["connectionProperties"] == {
        "authentication": {"type": "ManagedServiceIdentity"}
    }
    assert "connectionProperties" not in connections["office365"]


def test_package_is_byte_stable(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    package.main(["--stack", "dev", "--out", str(first)])
    package.main(["--stack", "dev", "--out", str(second)])
    assert first.read_bytes() == second.read_bytes()
    assert "connectionProperties" not in first.read_text()  # dev uses OAuth for the logs connection


def test_package_bad_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert package.main(["--stack", "missing"]) == 2
    assert "stacks available" in capsys.readouterr().err
