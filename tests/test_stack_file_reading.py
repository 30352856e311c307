"""Stack files read the way the Pulumi CLI reads them (yaml.v3), every file problem one line with its line.

Expected readings are written out from yaml.v3's resolve.go (the library the CLI reads stack files
with, sdk/go/common/encoding/marshal.go), not taken from the reader under test.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from securescore.config.pulumi_yaml import LooksLikeDate, load, resolve_plain
from securescore.settings import PROJECT, PROJECT_ROOT, SettingsError, read_stack_values, settings_from_stack

GUID = "5f2c1b0a-8d3e-4a6f-9b7c-1e0d2c3b4a59"
WS_ID = (f"/subscriptions/{GUID}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights"
         "/workspaces/law-central")
VALID_CONFIG = f"""\
  securescore-report:location: westeurope
  securescore-report:deploymentSubscriptionId: {GUID}
  securescore-report:subscriptions:
    - {GUID}=Production
  securescore-report:recipients:
    - secops@contoso.com
  securescore-report:workspaceResourceId: {WS_ID}
"""


def make_project(root: Path, stack_text: str | bytes, stack: str = "t") -> Path:
    """A project directory with this project's Pulumi.yaml and one stack file."""
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    path = root / "stacks" / f"Pulumi.{stack}.yaml"
    if isinstance(stack_text, bytes):
        path.write_bytes(stack_text)
    else:
        path.write_text(stack_text, encoding="utf-8")
    return root


def problems_of(root: Path, stack: str = "t") -> list[str]:
    with pytest.raises(SettingsError) as caught:
        settings_from_stack(stack, root)
    return caught.value.problems


# --- scalars as yaml.v3 reads them ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"),  # YAML 1.1 booleans: text
        ("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False), ("tRUE", "tRUE"),
        ("~", None), ("null", None), ("Null", None), ("NULL", None), ("", None), ("nULL", "nULL"),
        ("6", 6), ("-6", -6), ("+6", 6), ("010", 8), ("0o10", 8), ("0x1F", 31), ("0b101", 5), ("1_000", 1000),
        ("08", 8.0), ("6.0", 6.0), ("6.5", 6.5), (".5", 0.5), ("1e3", 1000.0), ("1.", 1.0),
        ("1:30", "1:30"), ("0x", "0x"), ("12abc", "12abc"), ("-", "-"), (".x", ".x"),
        ("9223372036854775807", 9223372036854775807), ("18446744073709551615", 18446744073709551615),
    ],
)
def test_plain_scalars_resolve_like_yaml_v3(text: str, expected: object) -> None:
    value = resolve_plain(text)
    assert value == expected and type(value) is type(expected), (text, value)


@pytest.mark.parametrize("text", ["2026-01-01", "2026-1-2", "2026-01-01T10:00:00Z", "2026-01-01 10:00:00"])
def test_timestamps_are_their_text_for_pulumi_and_marked_here(text: str) -> None:
    value = resolve_plain(text)
    assert isinstance(value, LooksLikeDate) and value == text


def test_special_floats_and_quoted_scalars() -> None:
    value, _, _ = load('a: .inf\nb: -.Inf\nc: .nan\nd: "6"\ne: \'true\'\nf: !!str 6\n')
    assert value["a"] == math.inf and value["b"] == -math.inf and math.isnan(value["c"])
    assert value["d"] == "6" and value["e"] == "true" and value["f"] == "6"


def test_duplicate_keys_are_found_at_every_level() -> None:
    _, _, duplicates = load("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert [(d.key, d.first_line, d.line) for d in duplicates] == [("c", 3, 4), ("a", 1, 5)]  # by line


# --- files ----------------------------------------------------------------------------------------


def test_a_valid_file_reads(tmp_path: Path) -> None:
    settings = settings_from_stack("t", make_project(tmp_path, "config:\n" + VALID_CONFIG))
    assert settings.location == "westeurope" and settings.workspace.name == "law-central"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("config:\n  securescore-report:location: [westeurope\n", 3, "not valid YAML"),
        ("config:\n\tsecurescore-report:location: westeurope\n", 2, "not valid YAML"),
        ("config: {a: 1\n", 2, "not valid YAML"),
        ("- config\n- x\n", 1, "a YAML mapping with a config: section, not a list"),
        ("just text\n", 1, "not a string"),
        ("config:\n  - a\n", 2, "config: must be a mapping of keys to values, not a list"),
        ("config: westeurope\n", 1, "config: must be a mapping of keys to values, not a string"),
    ],
)
def test_unreadable_files_give_one_line_each_with_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    found = problems_of(make_project(tmp_path, text))
    assert len(found) == 1  # nothing else: the file's values cannot be trusted
    assert found[0].startswith(f"stacks/Pulumi.t.yaml:{line}: ") and words in found[0]


def test_a_key_written_twice_is_refused_naming_both_lines(tmp_path: Path) -> None:
    text = "config:\n" + VALID_CONFIG + "  securescore-report:scheduleHour: 6\n  securescore-report:scheduleHour: 7\n"
    found = problems_of(make_project(tmp_path, text))
    assert found == [
        "stacks/Pulumi.t.yaml:10: securescore-report:scheduleHour is written twice (also on line 9); "
        "Pulumi refuses a key written twice: keep one"
    ]


def test_config_section_written_twice_is_refused(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, "config:\n" + VALID_CONFIG + "config:\n" + VALID_CONFIG))
    assert found[0].startswith("stacks/Pulumi.t.yaml:9: config is written twice (also on line 1)")


@pytest.mark.parametrize(
    ("line_text", "message"),
    [
        ("securescore-report:reportTitle: 2026-01-01",
         "YAML reads 2026-01-01 as a date, not as text: write it in quotes"),
        ("securescore-report:initiativeName: true", "YAML reads true as a boolean, not as text: write it in quotes"),
        ("securescore-report:logicAppName: 1e3", "YAML reads 1e3 as a number, not as text: write it in quotes"),
        ("securescore-report:reportTitle: 12", "YAML reads 12 as a number, not as text: write it in quotes"),
        ("securescore-report:scheduleHour: 6.5", "YAML reads 6.5 as the decimal number 6.5; expected a whole number"),
        ("securescore-report:scheduleHour: 6.0",
         "YAML reads 6.0 as the decimal number 6.0; expected a whole number: write 6"),
        ("securescore-report:scheduleHour: 08",
         "YAML reads 08 as the decimal number 8.0; expected a whole number: write 8"),
        ("securescore-report:scheduleMinute: 010", "YAML reads 010 as 8: write the number in plain decimal (8)"),
        ("securescore-report:topControls: 0x05", "YAML reads 0x05 as 5: write the number in plain decimal (5)"),
        ("securescore-report:topControls: 1_0", "YAML reads 1_0 as 10: write the number in plain decimal (10)"),
        ("securescore-report:scheduleHour: 2026-01-01", "YAML reads 2026-01-01 as a date; expected a whole number"),
        ("securescore-report:lookbackDays:", "it has no value (YAML reads an empty value as null): give one, "
         "or delete the line to use the default"),
        ("securescore-report:scheduleWeekDays: [Monday, 2026-01-05]",
         "item 2: YAML reads 2026-01-05 as a date, not as text: write it in quotes"),
        ("securescore-report:scheduleWeekDays: [Monday, 5]",
         "item 2: YAML reads 5 as a number, not as text: write it in quotes"),
    ],
)
def test_values_pulumi_would_silently_convert_are_refused(tmp_path: Path, line_text: str, message: str) -> None:
    key = line_text.split(":")[1]
    found = problems_of(make_project(tmp_path, "config:\n" + VALID_CONFIG + f"  {line_text}\n"))
    assert found == [f"stacks/Pulumi.t.yaml:9: {PROJECT}:{key}: {message}"]


def test_yaml_1_1_booleans_are_text_so_a_boolean_key_refuses_them(tmp_path: Path) -> None:
    text = "config:\n" + VALID_CONFIG + "  securescore-report:exportSnapshots: yes\n"
    found = problems_of(make_project(tmp_path, text))
    assert found == [f"{PROJECT}:exportSnapshots: 'yes' is not accepted; expected true or false"]


def test_secure_values_say_what_the_scripts_cannot_read(tmp_path: Path) -> None:
    text = "config:\n" + VALID_CONFIG.replace(
        "  securescore-report:recipients:\n    - secops@contoso.com\n",
        "  securescore-report:recipients:\n    secure: v1:SHBmQ3JhZ0E=:v1:aGVsbG8=\n",
    ) + "  azure-native:clientSecret:\n    secure: v1:c2VjcmV0\n"
    found = problems_of(make_project(tmp_path, text))
    assert len(found) == 1  # the provider's secret is not the scripts' business
    assert found[0].startswith(f"stacks/Pulumi.t.yaml:6: {PROJECT}:recipients: it is encrypted (secure:)")
    assert "cannot decrypt it" in found[0] and "without --secret" in found[0]


def test_a_secret_list_item_is_found_too(tmp_path: Path) -> None:
    text = "config:\n" + VALID_CONFIG.replace("    - secops@contoso.com\n", "    - secure: v1:aGVsbG8=\n")
    assert "it is encrypted (secure:)" in problems_of(make_project(tmp_path, text))[0]


def test_an_esc_environment_is_explained(tmp_path: Path) -> None:
    text = "environment:\n  - myorg/shared\n  - myorg/prod\nconfig:\n" + VALID_CONFIG
    found = problems_of(make_project(tmp_path, text))
    assert len(found) == 1
    assert found[0].startswith("stacks/Pulumi.t.yaml:1: environment: imports Pulumi ESC environments "
                               "(myorg/shared, myorg/prod)")
    assert "cannot open them" in found[0]


def test_unknown_top_level_sections_suggest_the_known_one(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, "encryptionsalt: v1:abc\nconfg:\n" + VALID_CONFIG))
    assert found[0] == "stacks/Pulumi.t.yaml:2: confg: is not a part of a Pulumi stack file; did you mean config:?"


def test_byte_order_mark_and_empty_file(tmp_path: Path) -> None:
    bom = make_project(tmp_path / "bom", b"\xef\xbb\xbfconfig:\n" + VALID_CONFIG.encode())
    assert settings_from_stack("t", bom).location == "westeurope"
    empty = problems_of(make_project(tmp_path / "empty", ""))
    assert f"{PROJECT}:location is required" in empty[0]  # like the CLI: an empty file has no config


def test_not_utf8_and_unreadable(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, b"config:\n  securescore-report:reportTitle: caf\xe9\n"))
    assert found == ["stacks/Pulumi.t.yaml: not UTF-8 text (byte 45): save the file as UTF-8"]
    directory = make_project(tmp_path / "dir", "")
    (directory / "stacks" / "Pulumi.t.yaml").unlink()
    (directory / "stacks" / "Pulumi.t.yaml").mkdir()
    assert problems_of(directory) == [
        "stack 't': no file stacks/Pulumi.t.yaml; stacks available: t"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        "config:\n" + VALID_CONFIG
        + "  securescore-report:scheduleHour: 6.5\n"  # a form Pulumi would convert
        + "  securescore-report:scheduleMinute: 75\n"  # a bad value
        + "  securescore-report:trendWeeks: 6\n"
        + "  securescore-report:trendWeeks: 7\n"  # written twice
    )
    found = problems_of(make_project(tmp_path, text))
    assert len(found) == 3
    assert found[0].startswith("stacks/Pulumi.t.yaml:12: ") and "written twice" in found[0]
    assert found[1].startswith("stacks/Pulumi.t.yaml:9: ") and "6.5" in found[1]
    assert found[2] == f"{PROJECT}:scheduleMinute: 75 is not accepted; expected a whole number from 0 to 59"


def test_read_stack_values_raises_for_file_problems_only(tmp_path: Path) -> None:
    root = make_project(tmp_path, "config:\n" + VALID_CONFIG + "  securescore-report:scheduleMinute: 75\n")
    assert read_stack_values("t", root)["scheduleMinute"] == 75  # a value problem is for parse_settings
    root = make_project(tmp_path, "config:\n" + VALID_CONFIG + "  securescore-report:scheduleMinute: 7.5\n")
    with pytest.raises(SettingsError, match=r"7\.5"):
        read_stack_values("t", root)
