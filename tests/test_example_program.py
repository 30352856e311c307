"""examples/existing-program: another Pulumi program reuses the component and gets the same resources.

The example runs under mocks as its own project (name, namespace and stack file of its own); the
report's own program runs on the same settings as flat `securescore-report:` keys. What each
registers must be the same, resource for resource, with the same inputs and in the same subscription.
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi_mocks import ProgramRun, config_for, run_program

from securescore.infra import SecureScoreReport, SettingsError, parse_settings
from securescore.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "existing-program"
EXAMPLE_PROJECT = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text(encoding="utf-8"))
NAMESPACE = EXAMPLE_PROJECT["name"]
EXAMPLE_CONFIG: dict[str, Any] = yaml.safe_load((EXAMPLE / "Pulumi.dev.yaml").read_text(encoding="utf-8"))["config"]
REPORT_VALUES: dict[str, Any] = EXAMPLE_CONFIG[f"{NAMESPACE}:securescore"]
WORKFLOW = "azure-native:logic:Workflow"
COMPONENT = "securescore:index:SecureScoreReport"


def as_cli_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Stack-file values as the Pulumi CLI hands them to a program: strings, objects and lists as JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def run_example(monkeypatch: pytest.MonkeyPatch, config: Mapping[str, Any] = EXAMPLE_CONFIG) -> ProgramRun:
    exported: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", lambda name, value: exported.__setitem__(name, value))

    def program() -> dict[str, Any]:
        runpy.run_path(str(EXAMPLE / "__main__.py"), run_name="__main__")
        return exported

    return run_program(as_cli_config(config), stack="dev", program=program, project=NAMESPACE)


def resources(run: ProgramRun) -> list[tuple[str, str, str, str]]:
    """Each registration but the component (named by each program) as (type, logical name, subscription
    of its provider, inputs); no URNs, which name the project."""
    rows = []
    for r in run.registrations:
        if r.type == COMPONENT:
            continue
        sub = run.subscription_of(r) if r.custom and r.type.startswith("azure-native:") else ""
        rows.append((r.type, r.name, sub, json.dumps(r.inputs, sort_keys=True, default=str)))
    return sorted(rows)


def test_example_is_a_python_pulumi_project_of_its_own() -> None:
    assert NAMESPACE != "securescore-report"
    assert EXAMPLE_PROJECT["runtime"]["name"] == "python"
    assert "-e ../.." in (EXAMPLE / "requirements.txt").read_text(encoding="utf-8").splitlines()


def test_example_registers_the_same_resources_as_the_report_program(monkeypatch: pytest.MonkeyPatch) -> None:
    example = run_example(monkeypatch)
    own = run_program(config_for(REPORT_VALUES), stack="dev")
    assert len(resources(example)) == len(example.registrations) - 1 > 10
    assert resources(example) == resources(own)
    # The same settings the example's config describes: both subscriptions exported, the workspace created.
    types = [r.type for r in example.registrations]
    assert types.count("azure-native:security:Automation") == len(REPORT_VALUES["subscriptions"])
    assert types.count("azure-native:operationalinsights:Workspace") == 1
    component = example.one(COMPONENT)
    assert component.name == "weekly-report"
    assert example.one(WORKFLOW).parent == component.urn


def test_example_outputs_point_at_its_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example(monkeypatch)
    workflow = run.one(WORKFLOW)
    assert run.outputs["securescoreLogicAppId"] == workflow.id
    assert workflow.id.endswith(f"/resourceGroups/{REPORT_VALUES['resourceGroupName']}/providers"
                                f"/Microsoft.Logic/workflows/{REPORT_VALUES['logicAppName']}")
    assert run.outputs["environment"] == "dev"
    # Outside the report's own project there is no stack file to name: the command names the
    # connections (oauth: both need a user's consent).
    name = REPORT_VALUES["logicAppName"]
    assert run.outputs["securescoreAuthorizeCommand"] == (
        f"securescore authorize --subscription {REPORT_VALUES['deploymentSubscriptionId']} "
        f"--resource-group {REPORT_VALUES['resourceGroupName']} "
        f"--connection {name}-office365 --connection {name}-azuremonitorlogs"
    )


def test_bad_settings_in_the_example_stop_before_any_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = {**REPORT_VALUES, "scheduleHour": 25, "recipients": ["not an address"]}
    exported: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", lambda name, value: exported.__setitem__(name, value))
    run = ProgramRun()

    def program() -> None:
        runpy.run_path(str(EXAMPLE / "__main__.py"), run_name="__main__")

    config = as_cli_config({**EXAMPLE_CONFIG, f"{NAMESPACE}:securescore": bad})
    with pytest.raises(SettingsError) as caught:
        run_program(config, stack="dev", program=program, run=run, project=NAMESPACE)
    assert sorted(p.split(":")[1] for p in caught.value.problems) == ["recipients", "scheduleHour"]
    assert run.registrations == [] and exported == {}


def test_from_config_reads_flat_keys_of_another_namespace() -> None:
    flat = {f"team:{key}": value for key, value in REPORT_VALUES.items()}
    flat["team:unrelated"] = "the program's own key"  # another namespace may hold other keys

    def program() -> dict[str, Any]:
        return SecureScoreReport.from_config("weekly-report", pulumi.Config("team")).stack_outputs()

    run = run_program(as_cli_config(flat), stack="dev", program=program, project="team-project")
    own = run_program(config_for(REPORT_VALUES), stack="dev")
    assert resources(run) == resources(own)


def test_from_config_default_namespace_is_the_report_program() -> None:
    def program() -> dict[str, Any]:
        return SecureScoreReport.from_config("securescore-report").stack_outputs()

    run = run_program(config_for(REPORT_VALUES), stack="dev", program=program)
    assert resources(run) == resources(run_program(config_for(REPORT_VALUES), stack="dev"))
    assert run.outputs["authorizeCommand"] == "securescore authorize --stack dev"


def test_component_takes_settings_or_their_values_and_nothing_else() -> None:
    settings = parse_settings(REPORT_VALUES)
    by_settings = run_program({}, program=lambda: SecureScoreReport("r", settings).stack_outputs())
    by_values = run_program({}, program=lambda: SecureScoreReport("r", dict(REPORT_VALUES)).stack_outputs())
    assert resources(by_settings) == resources(by_values)
    with pytest.raises(SettingsError, match="scheduleHour"):
        run_program({}, program=lambda: SecureScoreReport("r", {**REPORT_VALUES, "scheduleHour": 24}))
    with pytest.raises(TypeError, match="parse_settings"):
        run_program({}, program=lambda: SecureScoreReport("r", json.dumps(REPORT_VALUES)))  # type: ignore[arg-type]


def test_example_files_are_what_the_readme_of_examples_names() -> None:
    text = (PROJECT_ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    assert "existing-program/" in text and "tests/test_example_program.py" in text
    assert Path(EXAMPLE / "__main__.py").is_file()
