"""Stack files, Pulumi.yaml declarations and YAML scalars: rules the mutation run showed untested.

YAML readings are written from yaml.v3's resolve.go and Go's strconv documentation ("ParseUint is
like ParseInt but for unsigned numbers. A sign prefix is not permitted."), which is what the Pulumi
CLI reads stack files with; line and column numbers count from 1, as editors do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from securescore.config.pulumi_yaml import load, resolve_plain
from securescore.config.stack_file import read_stack_document
from securescore.config.values import decode
from securescore.settings import (
    PROJECT,
    SettingsError,
    declarations,
    parse_settings,
    read_stack_values,
    settings_from_stack,
)
from tests.conftest import make_settings
from tests.test_stack_file_reading import VALID_CONFIG, make_project, problems_of

# --- integers as yaml.v3 reads them: ParseInt(s, 0, 64), then ParseUint --------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0), ("8", 8), ("9", 9), ("-0", 0), ("+8", 8),  # one digit: decimal, never octal
        ("-9223372036854775808", -(2**63)), ("9223372036854775807", 2**63 - 1),  # int64's bounds
        ("+9223372036854775807", 2**63 - 1),
        ("9223372036854775808", 2**63), ("18446744073709551615", 2**64 - 1),  # past int64: ParseUint
        ("-9223372036854775809", -9223372036854775809.0),  # below int64, and ParseUint takes no "-"
        ("18446744073709551616", 18446744073709551616.0),  # past uint64
        ("+18446744073709551615", 18446744073709551615.0),  # ParseUint takes no "+" either
        ("+9223372036854775808", 9223372036854775808.0),
        ("_1", "_1"), ("_", "_"),  # yaml.v3 only tries numbers for a digit, sign or '.' first
    ],
)
def test_integers_at_the_edges_of_int64_and_uint64(text: str, expected: object) -> None:
    value = resolve_plain(text)
    assert value == expected and type(value) is type(expected), (text, value)


def test_duplicate_keys_after_a_merge_key_are_found() -> None:
    _, _, duplicates = load("base: &b {x: 1}\nm:\n  <<: *b\n  a: 1\n  a: 2\n")
    assert [(d.key, d.first_line, d.line) for d in duplicates] == [("a", 4, 5)]


# --- what a stack file's problems say ----------------------------------------------------------------------


def test_a_yaml_error_names_its_line_and_its_column(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, "config:\n\tsecurescore-report:location: westeurope\n"))
    # The tab is the first character of line 2.
    assert found == ["stacks/Pulumi.t.yaml:2: this is not valid YAML: found character '\\t' that cannot start "
                     "any token (column 1)"]
    found = problems_of(make_project(tmp_path, "config:\n  a: 'x\n  b: \"y\n  c: ]\n"))
    assert found[0].endswith(")") and " (column " in found[0]


def test_a_character_yaml_refuses_outright_has_no_line(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, "config:\n  securescore-report:reportTitle: a\x07b\n"))
    assert len(found) == 1
    assert found[0].startswith("stacks/Pulumi.t.yaml: this is not valid YAML: unacceptable character #x0007")
    assert "(column" not in found[0]


def test_a_file_that_is_not_utf8_gives_only_that_problem(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, b"config:\n" + VALID_CONFIG.encode() + b"  x: caf\xe9\n"))
    assert found == [f"stacks/Pulumi.t.yaml: not UTF-8 text (byte {len(VALID_CONFIG) + 16}): save the file as UTF-8"]


def test_a_file_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    document = read_stack_document(tmp_path, "here")  # a directory: reading it fails
    assert not document.readable
    assert document.problems == ["here: cannot be read: Is a directory"]


@pytest.mark.parametrize(
    ("section", "listed"),
    [("environment:\n  imports:\n    - myorg/a\n", " (myorg/a)"), ("environment: {}\n", ""),
     ("environment:\n", ""), ("environment: []\n", "")],
)
def test_every_form_of_an_environment_section_is_explained(tmp_path: Path, section: str, listed: str) -> None:
    found = problems_of(make_project(tmp_path, section + "config:\n" + VALID_CONFIG))
    assert found[0].startswith(f"stacks/Pulumi.t.yaml:1: environment: imports Pulumi ESC environments{listed}. ")


def test_an_unknown_section_with_no_near_miss_lists_the_sections(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, "zzz: 1\n"))
    assert found[0] == ("stacks/Pulumi.t.yaml:1: zzz: is not a part of a Pulumi stack file; a stack file has only "
                        "config, environment, secretsprovider, encryptedkey, encryptionsalt")


@pytest.mark.parametrize(("text", "described"), [("2026-01-01\n", "a date"), ("1.5\n", "a number"),
                                                 ("true\n", "a boolean"), ("7\n", "a number")])
def test_a_document_that_is_not_a_mapping_says_what_it_is(tmp_path: Path, text: str, described: str) -> None:
    found = problems_of(make_project(tmp_path, text))
    assert found == [f"stacks/Pulumi.t.yaml:1: a stack file is a YAML mapping with a config: section, not {described}"]


def test_config_holding_a_date_says_so(tmp_path: Path) -> None:
    assert problems_of(make_project(tmp_path, "config: 2026-01-01\n")) == [
        "stacks/Pulumi.t.yaml:1: config: must be a mapping of keys to values, not a date"]


def test_an_empty_config_section_is_a_stack_without_config(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, "config:\n"))
    assert found and all(p.startswith(f"{PROJECT}:") and " is required: " in p for p in found)


def test_keys_that_are_not_text_are_refused_and_the_rest_still_read(tmp_path: Path) -> None:
    text = "config:\n  8: x\n  \"9\": y\n" + VALID_CONFIG
    found = problems_of(make_project(tmp_path, text))
    # A plain 8 is a number to YAML; a quoted "9" is text, so only a key without a namespace.
    assert found[0] == "stacks/Pulumi.t.yaml:2: '8' is not a config key (keys are <namespace>:<name>)"
    assert found[1].startswith("stacks/Pulumi.t.yaml:3: 9 has no namespace")
    assert len(found) == 2  # the valid keys after them were read


# --- values a stack file gives that the declared type does not take ---------------------------------------


@pytest.mark.parametrize(
    ("line_text", "message"),
    [
        ("securescore-report:reportTitle: [5]", "a list is not text"),
        ("securescore-report:reportTitle: {a: 1}", "a mapping is not text"),
        ("securescore-report:scheduleHour: [1]", "a list where a whole number is expected"),  # with its line
        ("securescore-report:scheduleHour: {a: 1}", "a mapping where a whole number is expected"),
        ("securescore-report:exportSnapshots: {a: 1}", "a mapping where true or false is expected"),
        ("securescore-report:scheduleWeekDays: [Monday, ~]", "item 2: YAML reads ~ as null, not as text: write "
         "it in quotes"),
        ("securescore-report:scheduleWeekDays: [Monday, {a: 1}]", "item 2: a mapping is not text"),
        ("securescore-report:scheduleWeekDays: [Monday, [Friday]]", "item 2: a list is not text"),
    ],
)
def test_a_value_of_the_wrong_shape_names_its_shape(tmp_path: Path, line_text: str, message: str) -> None:
    key = line_text.split(":")[1]
    found = problems_of(make_project(tmp_path, "config:\n" + VALID_CONFIG + f"  {line_text}\n"))
    assert found == [f"stacks/Pulumi.t.yaml:9: {PROJECT}:{key}: {message}"]


@pytest.mark.parametrize(("key", "value", "accepted"), [
    ("reportTitle", 5, "a string"), ("reportTitle", ["a"], "a string"),
    ("recipients", 5, "a list of strings"), ("scheduleWeekDays", [1], "a list of strings"),
])
def test_parse_settings_refuses_values_of_another_type(key: str, value: object, accepted: str) -> None:
    with pytest.raises(SettingsError) as caught:
        make_settings(**{key: value})
    mine = [p for p in caught.value.problems if p.startswith(f"{PROJECT}:{key}:")]
    assert len(mine) == 1 and f"is not accepted; expected {accepted}" in mine[0]


def test_a_declared_type_the_project_does_not_handle_is_named() -> None:
    with pytest.raises(ValueError, match="object"):
        decode("object", {})


def test_export_switches_are_read_both_ways() -> None:
    assert make_settings().export.snapshots is True  # Pulumi.yaml: exportSnapshots defaults to true
    assert make_settings(exportSnapshots=True, exportAssessments=True).export.snapshots is True
    assert make_settings(exportSnapshots="false").export.snapshots is False


# --- the error itself ---------------------------------------------------------------------------------


def test_the_error_names_its_source_only_when_there_is_one(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings({"location": "nowhere"})
    first = str(caught.value).splitlines()[0]
    assert first.startswith(f"{len(caught.value.problems)} configuration problem") and " in " not in first
    assert caught.value.source == ""
    with pytest.raises(SettingsError) as caught:
        settings_from_stack("t", make_project(tmp_path, "config:\n" + VALID_CONFIG + "  x: 1\n"))
    assert str(caught.value).splitlines()[0].endswith(" in stacks/Pulumi.t.yaml:")
    assert caught.value.source == "stacks/Pulumi.t.yaml"
    with pytest.raises(SettingsError) as caught:
        read_stack_values("t", make_project(tmp_path, "config:\n  8: x\n"))
    assert caught.value.source == "stacks/Pulumi.t.yaml"


# --- a team's own Pulumi.yaml: its declarations count for reading its stack files ---------------------------

TEAM_DECLARATIONS = """\
name: team-reports
runtime: python
config:
  securescore-report:teamNumber:
    type: integer
  securescore-report:teamNote:
    type: string
    default: none
  securescore-report:untyped:
    description: no type, so not a declaration
  securescore-report:notAMapping: 5
  other-project:location:
    type: string
"""


def team_project(root: Path, stack_text: str) -> Path:
    make_project(root, stack_text)
    (root / "Pulumi.yaml").write_text(TEAM_DECLARATIONS, encoding="utf-8")
    return root


def test_a_teams_declarations_are_read_with_the_packaged_ones(tmp_path: Path) -> None:
    decls = declarations(team_project(tmp_path, ""))
    assert decls["teamNumber"].type == "integer" and decls["teamNumber"].description == ""
    assert decls["teamNumber"].key == "teamNumber" and decls["teamNumber"].required
    assert decls["teamNote"].default == "none" and not decls["teamNote"].required
    assert "untyped" not in decls and "notAMapping" not in decls
    assert decls["location"].description  # the packaged one: other-project's does not replace it
    assert "reportTitle" in decls


def test_a_teams_stack_is_checked_against_its_own_declarations(tmp_path: Path) -> None:
    good = team_project(tmp_path / "good", "config:\n" + VALID_CONFIG + "  securescore-report:teamNumber: 8\n")
    assert settings_from_stack("t", good).location == "westeurope"
    bad = team_project(tmp_path / "bad", "config:\n" + VALID_CONFIG + "  securescore-report:teamNumber: 08\n")
    assert problems_of(bad) == [f"stacks/Pulumi.t.yaml:9: {PROJECT}:teamNumber: YAML reads 08 as the decimal "
                                "number 8.0; expected a whole number: write 8"]


def test_a_project_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    make_project(tmp_path, "config:\n" + VALID_CONFIG)
    (tmp_path / "Pulumi.yaml").write_text("config: [\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        declarations(tmp_path)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"{tmp_path / 'Pulumi.yaml'}: cannot be read as the project file: ")


def test_a_project_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    make_project(tmp_path, "")
    (tmp_path / "Pulumi.yaml").write_bytes(b"\xef\xbb\xbf" + TEAM_DECLARATIONS.encode())
    assert "teamNumber" in declarations(tmp_path)
