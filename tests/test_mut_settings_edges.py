"""Settings rules at edges the mutation run of the settings area found untested.

Sources for the expectations: Pulumi's config key parsing (sdk/go/common/resource/config/key.go,
``ParseKey``: keys are ``<namespace>:<name>``, neither part holding a ``:``), PyYAML's SafeConstructor (the
explicit ``!!binary`` tag gives ``bytes``), and the project's own rules as README and the module
docstrings state them (connections are named after the Logic App; the default Communication
Services name is the Logic App's name, lower-cased, with each run of other characters one ``-``
and no ``-`` at its ends, then a hash; an error names its file when there is one).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from securescore.config.email_address import address_problem
from securescore.config.keys import namespace_problems
from securescore.settings import PROJECT_ROOT, SettingsError, declarations, settings_from_stack
from tests.conftest import make_settings
from tests.test_stack_file_reading import VALID_CONFIG, make_project, problems_of

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}


# --- names derived from the Logic App's ------------------------------------------------------------------


def test_both_connections_are_named_after_the_logic_app() -> None:
    settings = make_settings(logicAppName="la-weekly")
    assert settings.logs_connection_name == "la-weekly-azuremonitorlogs"
    assert settings.office365_connection_name == "la-weekly-office365"


@pytest.mark.parametrize(("logic_app", "start"), [
    ("X-report-X", "x-report-x-"),  # only '-' is trimmed at the ends, letters stay whatever they are
    ("Xx", "xx-"), ("-x-", "x-"),
])
def test_the_default_acs_name_keeps_every_letter_of_the_logic_apps_name(logic_app: str, start: str) -> None:
    name = make_settings(**ACS, logicAppName=logic_app).modes.acs.communication_service_name
    assert name.startswith(start) and len(name) == len(start) + 8, name


# --- what a stack file holds that is not plain text ---------------------------------------------------------


def test_a_config_section_of_another_yaml_type_names_that_type(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, "config: !!binary aGVsbG8=\n"))
    assert found == ["stacks/Pulumi.t.yaml:1: config: must be a mapping of keys to values, not bytes"]


def test_a_value_of_another_yaml_type_where_text_is_declared_names_that_type(tmp_path: Path) -> None:
    found = problems_of(make_project(tmp_path, "config:\n" + VALID_CONFIG
                                     + "  securescore-report:reportTitle: !!binary aGVsbG8=\n"))
    assert found == ["stacks/Pulumi.t.yaml:9: securescore-report:reportTitle: bytes is not text"]


@pytest.mark.parametrize("section", ["environment: dev\n", "environment: 3\n"])
def test_an_environment_section_that_is_a_scalar_is_explained_too(tmp_path: Path, section: str) -> None:
    found = problems_of(make_project(tmp_path, section + "config:\n" + VALID_CONFIG))
    assert len(found) == 1
    assert found[0].startswith("stacks/Pulumi.t.yaml:1: environment: imports Pulumi ESC environments. ")


# --- the error names its file -------------------------------------------------------------------------------


def test_an_unreadable_stack_file_error_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from_stack("t", make_project(tmp_path, "config: [\n"))
    assert caught.value.source == "stacks/Pulumi.t.yaml"
    assert str(caught.value).splitlines()[0] == "1 configuration problem in stacks/Pulumi.t.yaml:"


def test_a_missing_stack_is_one_problem_without_a_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from_stack("nope", make_project(tmp_path, "config:\n" + VALID_CONFIG))
    assert caught.value.source == ""
    assert str(caught.value).splitlines()[0] == "1 configuration problem:"


# --- config keys -------------------------------------------------------------------------------------------


def test_a_key_with_a_second_colon_is_an_unknown_key_of_this_project(tmp_path: Path) -> None:
    # Pulumi's ParseKey refuses a key with two colons unless the middle part is "config"; ours
    # splits the namespace off at the first colon, so the rest is an unknown key of this project.
    found = problems_of(make_project(tmp_path, "config:\n" + VALID_CONFIG + "  securescore-report:report:title: x\n"))
    assert len(found) == 1 and found[0].startswith("securescore-report:report:title is not a known key; "), found


# --- recipients -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "named"), [
    ('"a;b"@contoso.example', "';'"), ('"a,b"@contoso.example', "','"),
    ('"a;b,c"@contoso.example', "';' and ','"),
])
def test_a_to_field_separator_in_an_address_is_named(address: str, named: str) -> None:
    # Quoted local parts may hold ';' and ',' (RFC 5321), but Office 365's To field splits at them.
    problem = address_problem(address)
    assert problem is not None and problem.startswith(f"it contains {named}, "), problem


# --- management-group mode: the policy assignment's name ------------------------------------------------------

# Microsoft Learn, "Naming rules and restrictions for Azure resources", Microsoft.Authorization/
# policyAssignments: "1-24 resource name at management group scope".
ASSIGNMENT_NAME = re.compile(r"securescore-exp-[0-9a-f]{1,8}")


def assignment(group: str, **values: object) -> str:
    scope = make_settings(subscriptions=[], managementGroupId=group, **values).scope
    assert scope is not None
    return scope.policy_assignment_name


def test_the_policy_assignment_name_fits_24_characters_and_depends_on_group_and_report() -> None:
    name = assignment("mg-security")
    assert len(name) <= 24 and ASSIGNMENT_NAME.fullmatch(name), name
    assert assignment("mg-security") == name  # stable between runs
    assert assignment("MG-Security") == name  # management group ids compare case-insensitively
    assert assignment("mg-other") != name
    assert assignment("mg-security", logicAppName="la-other") != name


# --- Pulumi.yaml is UTF-8 whatever the locale --------------------------------------------------------------


def test_a_projects_declarations_are_read_as_utf8_under_an_ascii_locale(tmp_path: Path) -> None:
    # YAML files are UTF-8 (YAML 1.2, 5.2 "Character Encodings"; the CLI strips a BOM). A Python with
    # another locale encoding (Windows' cp1252, or here the C locale without UTF-8 mode: ASCII) must
    # read the project file the same way, so it runs in a process of its own with that locale.
    (tmp_path / "Pulumi.yaml").write_bytes(
        "\ufeffname: team\nruntime: python\nconfig:\n  securescore-report:teamNote:\n    type: string\n"
        "    description: Zürich office\n    default: none\n".encode())
    assert declarations(tmp_path)["teamNote"].description == "Zürich office"  # this process's locale
    code = ("import sys, pathlib; from securescore.settings import declarations; "
            "print(declarations(pathlib.Path(sys.argv[1]))['teamNote'].description.encode('unicode_escape').decode())")
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "Z\\xfcrich office"


# --- subscriptions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["not-a-guid", "=Production", "0b1f6471-1bf0-4dda-aec3-cb9272f0959=Short"])
def test_an_entry_without_a_guid_says_which_forms_are_accepted(entry: str) -> None:
    with pytest.raises(SettingsError) as caught:
        make_settings(subscriptions=[entry])
    assert caught.value.problems == [
        f'securescore-report:subscriptions: {entry!r} is not accepted; expected entries "<subscription GUID>" '
        'or "<GUID>=<friendly name>"']


def test_the_policys_group_may_not_be_the_stacks_own_group_and_both_keys_are_named() -> None:
    # securescore/config/scope.py: one export per resource group; group names compare case-insensitively.
    with pytest.raises(SettingsError) as caught:
        make_settings(subscriptions=[], managementGroupId="mg-security", exportResourceGroupName="RG-Report",
                      resourceGroupName="rg-report")
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(
        "securescore-report:exportResourceGroupName and securescore-report:resourceGroupName both name the "
        "resource group 'rg-report': "), caught.value.problems


def test_the_initial_remediation_is_named_after_the_assignment() -> None:
    scope = make_settings(subscriptions=[], managementGroupId="mg-security").scope
    assert scope is not None
    assert scope.remediation_name.startswith(scope.policy_assignment_name + "-")
    assert scope.remediation_id.endswith("/providers/Microsoft.PolicyInsights/remediations/" + scope.remediation_name)


def test_a_near_miss_namespace_is_what_comes_before_the_first_colon() -> None:
    # Pulumi's ParseKey takes <namespace>:config:<name> as the old form of <namespace>:<name>.
    found = namespace_problems("securescore-report", ["securescore-reprot:config:location"], ["location"])
    assert len(found) == 1 and "the namespace 'securescore-reprot' is not this project's" in found[0], found


# --- Communication Services custom domains (RFC 1035 labels: letters, digits and '-' inside) -----------------


@pytest.mark.parametrize("name", ["m2m.contoso.example", "a-1.contoso.example", "mail.c0ntoso.example",
                                  "r-9-x.contoso.example"])
def test_a_custom_domain_label_may_hold_digits_and_hyphens_inside(name: str) -> None:
    assert make_settings(**ACS, acsCustomDomain=name).modes.acs.custom_domain == name


@pytest.mark.parametrize("name", ["-a.contoso.example", "a-.contoso.example", "a..contoso.example", "contoso"])
def test_a_custom_domain_label_may_not_start_or_end_with_a_hyphen(name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        make_settings(**ACS, acsCustomDomain=name)
    assert [p.split(":")[1] for p in caught.value.problems] == ["acsCustomDomain"]


@pytest.mark.parametrize("group", ["bad/id", "mg.", "m" * 91])
def test_a_refused_management_group_id_is_quoted_back(group: str) -> None:
    with pytest.raises(SettingsError) as caught:
        make_settings(subscriptions=[], managementGroupId=group)
    about_it = [p for p in caught.value.problems if p.startswith("securescore-report:managementGroupId: ")]
    assert len(about_it) == 1, caught.value.problems
    assert about_it[0].startswith(f"securescore-report:managementGroupId: {group!r} is not accepted; "), about_it
