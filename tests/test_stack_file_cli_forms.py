"""Every form `pulumi config set` writes is read alike by the scripts, the program and the CLI's own check.

What the CLI writes, from its source (pulumi/pulumi, pkg/cmd/pulumi/config/config.go and
sdk/go/common/resource/config/{value,map,object}.go), saved by yaml.v3:
- plain `pulumi config set KEY VALUE` stores a string, whatever it looks like: `6` is written "6",
  `true` is written "true" (yaml.v3 quotes a string that would read back as another type);
- `--type int|bool|float|string` stores that type: `--type int scheduleMinute 30` is written 30;
- `--path 'subscriptions[0]' VALUE` builds a list; inside a path, "true"/"false" become booleans and
  digits not starting with 0 become integers, anything else stays a string;
- `--secret` stores {secure: <ciphertext>}.
The program then gets every value as text (integers in decimal, booleans true/false, lists as JSON).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi_mocks import run_program

from securescore.infra.config import ConfigurationError
from securescore.settings import PROJECT, SettingsError, declarations, read_stack_values, settings_from_stack
from tests.test_infra_stack_files import cli_accepts
from tests.test_stack_file_reading import make_project

GUID = "5f2c1b0a-8d3e-4a6f-9b7c-1e0d2c3b4a59"
DEV = "6a3d2c1b-9e4f-4b7a-8c8d-2f1e3d4c5b6a"

# README "Deploying for real", step 4, as the CLI writes it (yaml.v3 sorts the keys).
README_STEP_4 = f"""\
config:
  securescore-report:deploymentSubscriptionId: {GUID}
  securescore-report:location: westeurope
  securescore-report:recipients:
    - secops@contoso.com
  securescore-report:scheduleTimeZone: W. Europe Standard Time
  securescore-report:subscriptions:
    - {GUID}=Production
    - {DEV}=Development
  securescore-report:workspaceName: law-securescore
"""
# The same with the other forms the CLI writes for typed keys.
TYPED_FORMS = README_STEP_4 + """\
  securescore-report:scheduleHour: "6"
  securescore-report:scheduleMinute: 30
  securescore-report:exportAssessments: "true"
  securescore-report:exportSnapshots: false
  securescore-report:workspaceRetentionDays: "180"
  securescore-report:scheduleWeekDays:
    - Monday
    - Thursday
  securescore-report:reportTitle: "Weekly: secure score"
  securescore-report:initiativeName: "yes"
"""


def as_the_cli_hands_it(values: dict) -> dict[str, str]:
    """Stack-file values as the CLI hands them to the program (marshalText in config/plaintext.go)."""
    def text(value: object) -> str:
        if isinstance(value, str):
            return value
        return json.dumps(value)  # Go's JSON: true/false, decimal integers, lists
    return {f"{PROJECT}:{k}": text(v) for k, v in values.items()}


@pytest.mark.parametrize("text", [README_STEP_4, TYPED_FORMS], ids=["readme-step-4", "typed-forms"])
def test_cli_written_stacks_pass_the_cli_check_the_scripts_and_the_program(tmp_path: Path, text: str) -> None:
    root = make_project(tmp_path, text)
    values = read_stack_values("t", root)
    for key, value in values.items():
        decl = declarations()[key]
        assert cli_accepts(decl.type, decl.item_type, value), (key, value)
    settings = settings_from_stack("t", root)
    run = run_program(as_the_cli_hands_it(values), stack="t")
    assert run.one("azure-native:logic:Workflow").inputs["workflowName"] == settings.logic_app_name
    assert run.one("azure-native:operationalinsights:Workspace").inputs["workspaceName"] == "law-securescore"


def test_typed_forms_mean_what_the_user_typed(tmp_path: Path) -> None:
    s = settings_from_stack("t", make_project(tmp_path, TYPED_FORMS))
    assert (s.schedule.hour, s.schedule.minute) == (6, 30)
    assert s.export.assessments is True and s.export.snapshots is False
    assert s.workspace.retention_days == 180
    assert s.schedule.week_days == ("Monday", "Thursday")
    assert s.report.title == "Weekly: secure score" and s.report.initiative_name == "yes"


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('  securescore-report:exportSnapshots: "True"', "exportSnapshots"),  # the CLI accepts only true/false
        ('  securescore-report:scheduleHour: "6.0"', "scheduleHour"),  # strconv.Atoi refuses it
        ('  securescore-report:scheduleHour: " 6"', "scheduleHour"),
        ('  securescore-report:subscriptions: "' + GUID + '"', "subscriptions"),  # not a list
    ],
)
def test_values_the_cli_refuses_are_refused_with_the_same_text_by_scripts_and_program(
    tmp_path: Path, line: str, key: str
) -> None:
    text = README_STEP_4.replace(f"  {PROJECT}:subscriptions:\n    - {GUID}=Production\n    - {DEV}=Development\n", "")
    text = text if key == "subscriptions" else README_STEP_4
    root = make_project(tmp_path, text + line + "\n")
    values = read_stack_values("t", root)
    with pytest.raises(SettingsError) as scripts:
        settings_from_stack("t", root)
    with pytest.raises(ConfigurationError) as program:
        run_program(as_the_cli_hands_it(values), stack="t")
    assert str(program.value) == str(scripts.value)
    assert any(p.startswith(f"{PROJECT}:{key}: ") for p in scripts.value.problems)


def test_a_secret_set_with_the_cli_is_explained(tmp_path: Path) -> None:
    text = README_STEP_4.replace(
        "  securescore-report:recipients:\n    - secops@contoso.com\n",
        "  securescore-report:recipients:\n    secure: v1:Jz2Hk0xYd3E=:v1:Yl7QAqzX:c2VjcmV0cy1hcmUtc2VjcmV0\n",
    )
    with pytest.raises(SettingsError) as caught:
        settings_from_stack("t", make_project(tmp_path, text))
    assert caught.value.problems == [
        "stacks/Pulumi.t.yaml:4: securescore-report:recipients: it is encrypted (secure:), and the scripts read "
        "stack files without the Pulumi CLI, so they cannot decrypt it; no key of this project is a secret: set "
        "it in plain text (pulumi config set without --secret)"
    ]
