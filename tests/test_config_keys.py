"""Keys: a typo or a near-miss namespace names the key that was meant, in the scripts and the program alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_mocks import ProgramRun, run_program, stack_config

from securescore.infra.config import ConfigurationError
from securescore.settings import PROJECT, SettingsError, parse_settings, read_stack_values, settings_from_stack
from tests.test_stack_file_reading import VALID_CONFIG, make_project


def file_problems(tmp_path: Path, extra_lines: str) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        settings_from_stack("t", make_project(tmp_path, "config:\n" + VALID_CONFIG + extra_lines))
    return caught.value.problems


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("scheduleHours", "scheduleHour"), ("schedulehour", "scheduleHour"), ("sheduleTimeZone", "scheduleTimeZone"),
     ("recipient", "recipients"), ("exportSnapshot", "exportSnapshots"), ("LogicAppName", "logicAppName"),
     ("workspaceRetention", "workspaceRetentionDays")],
)
def test_an_unknown_key_suggests_the_closest_one(tmp_path: Path, typo: str, meant: str) -> None:
    assert file_problems(tmp_path, f"  {PROJECT}:{typo}: x\n") == [
        f"{PROJECT}:{typo} is not a known key; did you mean {meant}?"
    ]


def test_an_unknown_key_like_none_points_to_the_list(tmp_path: Path) -> None:
    assert file_problems(tmp_path, f"  {PROJECT}:colourScheme: dark\n") == [
        f"{PROJECT}:colourScheme is not a known key; the keys are listed in Pulumi.yaml and in README (Configuration)"
    ]


@pytest.mark.parametrize(
    ("full_key", "meant"),
    [("securescore-reprot:location", "location"), ("Securescore-Report:location", "location"),
     ("securescore_report:scheduleHour", "scheduleHour"), ("securescore:recipients", "recipients"),
     ("securescore-reports:schedulHour", "scheduleHour")],
)
def test_a_near_miss_namespace_names_the_key_meant(tmp_path: Path, full_key: str, meant: str) -> None:
    assert file_problems(tmp_path, f"  {full_key}: x\n") == [
        f"{full_key}: the namespace '{full_key.split(':')[0]}' is not this project's, so no one reads this key; "
        f"did you mean {PROJECT}:{meant}?"
    ]


@pytest.mark.parametrize("full_key", ["azure-native:location", "pulumi:tags", "aws:region", "random:seed"])
def test_other_namespaces_are_left_alone(tmp_path: Path, full_key: str) -> None:
    settings_from_stack("t", make_project(tmp_path, "config:\n" + VALID_CONFIG + f"  {full_key}: x\n"))


@pytest.mark.parametrize(
    ("line", "message"),
    [("scheduleTimeZone: UTC", "scheduleTimeZone has no namespace: write securescore-report:scheduleTimeZone"),
     ("schedulehour: 6", "schedulehour has no namespace: write securescore-report:scheduleHour"),
     ("colour: blue", "colour has no namespace, and this project has no such key; write keys as "
                      "<namespace>:<name>, e.g. securescore-report:location")],
)
def test_a_key_without_namespace_says_which_was_meant(tmp_path: Path, line: str, message: str) -> None:
    assert file_problems(tmp_path, f"  {line}\n") == [f"stacks/Pulumi.t.yaml:9: {message}"]


def test_the_program_names_the_same_keys_with_the_same_words() -> None:
    bad = {f"{PROJECT}:scheduleHours": "3", "securescore-reprot:location": "westeurope"}
    run = ProgramRun()
    with pytest.raises(ConfigurationError) as program:
        run_program({**stack_config("dev"), **bad}, stack="dev", run=run)
    values = {**read_stack_values("dev"), "scheduleHours": "3"}
    with pytest.raises(SettingsError) as scripts:
        parse_settings(values, source="stacks/Pulumi.dev.yaml", other_keys=["securescore-reprot:location"])
    assert program.value.problems == scripts.value.problems
    assert str(program.value) == str(scripts.value)
    assert run.registrations == []
