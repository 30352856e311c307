"""Pure checks (no Pulumi engine): stack files against Pulumi.yaml, and the infra helpers' decisions."""

from __future__ import annotations

import dataclasses
import re
import uuid
from typing import Any

import pytest
import yaml

from securescore.config import pulumi_yaml
from securescore.infra.config import config_values
from securescore.infra.export import event_sources
from securescore.infra.providers import needed_subscriptions
from securescore.infra.roles import assignment_name, grants
from securescore.settings import (
    PROJECT,
    available_stacks,
    declarations,
    parse_settings,
    settings_from_stack,
    stack_file,
)

STACKS = available_stacks()

# Built-in role definition ids, copied from Microsoft Learn "Azure built-in roles"
# (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
SECURITY_READER = "39bc4728-0917-49c7-9d2c-d95423bc2eb4"
LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893"


def test_there_are_stacks() -> None:
    assert {"dev", "example", "prod"} <= set(STACKS)


def _cli_text(value: Any) -> Any:
    """A stack-file value as the Pulumi CLI holds it for validation: a scalar is its text (config.Value),
    a list is JSON-decoded (pkg/workspace/config.go, validateStackConfigValue)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return value


def cli_accepts(decl_type: str, item_type: str | None, value: Any, top: bool = True) -> bool:
    """The Pulumi CLI's ValidateConfigValue (sdk/go/common/workspace/project.go), written out here:
    string: a string; integer: a whole number or a string strconv.Atoi parses; boolean: a bool or exactly
    "true"/"false"; array: a list whose items pass with the item type."""
    value = _cli_text(value) if top else value
    if decl_type == "string":
        return isinstance(value, str)
    if decl_type == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return True
        return isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value) is not None
    if decl_type == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if decl_type == "array":
        return isinstance(value, list) and item_type is not None and all(
            cli_accepts(item_type, None, item, top=False) for item in value
        )
    raise AssertionError(f"Pulumi.yaml declares a type this test does not know: {decl_type}")


@pytest.mark.parametrize("stack", STACKS)
def test_stack_file_satisfies_the_declared_types_and_required_keys(stack: str) -> None:
    """What `pulumi up` checks before the program runs, so a committed stack never fails there. The rule
    is the CLI's: `pulumi config set scheduleHour 6` stores the string "6", which it accepts."""
    text = stack_file(stack).read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    config = document["config"]
    decls = declarations()
    project_values = {}
    for full_key, value in config.items():
        namespace, sep, key = full_key.partition(":")
        assert sep, f"{full_key}: config keys are namespaced"
        if namespace != PROJECT:
            continue
        assert key in decls, f"{full_key} is not declared in Pulumi.yaml"
        decl = decls[key]
        assert cli_accepts(decl.type, decl.item_type, value), f"{full_key}: {value!r} is not a {decl.type}"
        project_values[key] = value
    missing = [k for k, d in decls.items() if d.required and k not in project_values]
    assert not missing, f"required keys missing from {stack}: {missing}"


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stacks_read_the_same_in_yaml_1_1_and_1_2(stack: str) -> None:
    """No value whose meaning depends on the YAML reader (yes/no, 010, 1:30, dates): PyYAML's YAML 1.1
    reading equals the CLI's yaml.v3 reading."""
    text = stack_file(stack).read_text(encoding="utf-8")
    assert pulumi_yaml.load(text)[0] == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("decl_type", "value", "accepted"),
    [
        ("integer", 6, True), ("integer", "6", True), ("integer", "+6", True), ("integer", "-6", True),
        ("integer", "6.0", False), ("integer", " 6", False), ("integer", "0x6", False), ("integer", True, False),
        ("boolean", True, True), ("boolean", "true", True), ("boolean", "True", False), ("boolean", "yes", False),
        ("string", "westeurope", True), ("string", 5, True),  # the CLI checks the text: 5 is "5"
    ],
)
def test_the_cli_rule_as_written_here(decl_type: str, value: Any, accepted: bool) -> None:
    assert cli_accepts(decl_type, None, value) is accepted


def test_declarations_only_use_the_types_the_cli_checks() -> None:
    for decl in declarations().values():
        assert decl.type in {"string", "integer", "boolean", "array"}
        if decl.type == "array":
            assert decl.item_type == "string"
        if decl.default is not None:
            assert cli_accepts(decl.type, decl.item_type, decl.default), decl.key


@pytest.mark.parametrize("stack", STACKS)
def test_stack_parses(stack: str) -> None:
    settings_from_stack(stack)


class _FakeConfig:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: list[str] = []

    def get(self, key: str) -> str | None:
        self.asked.append(key)
        return self.values.get(key)


def test_config_values_asks_every_declared_key_and_omits_unset_ones() -> None:
    cfg = _FakeConfig({"location": "westeurope", "scheduleHour": "6", "subscriptions": '["a"]'})
    values = config_values(cfg)
    assert values == {"location": "westeurope", "scheduleHour": "6", "subscriptions": '["a"]'}
    assert cfg.asked == list(declarations())


def test_config_values_passes_undeclared_keys_on_so_the_parser_rejects_them() -> None:
    values = config_values(_FakeConfig({"subscripions": "[]"}), extra_keys=["subscripions"])
    assert values == {"subscripions": "[]"}


def test_string_config_parses_like_the_yaml() -> None:
    """What pulumi.Config hands the program (strings, JSON arrays) gives the same Settings."""
    from pulumi_mocks import stack_config

    for stack in STACKS:
        prefix = f"{PROJECT}:"
        as_strings = {k[len(prefix):]: v for k, v in stack_config(stack).items()}
        assert parse_settings(as_strings) == settings_from_stack(stack)


# --- decisions the program makes from Settings ----------------------------------------------

PROD = "prod"


def test_prod_needs_one_provider_per_distinct_subscription() -> None:
    s = settings_from_stack(PROD)
    assert needed_subscriptions(s) == [
        "7d2a9c1e-5b3f-4e8a-9c6d-2f1e0a3b4c5d",  # deployment, also monitored: listed once
        "3f6b8e2a-1c4d-4a7e-b9f0-5e2d1c3b4a69",
        "a8c4e6f2-9b1d-4f3a-8e7c-6d5b4a3c2e1f",
        "c2e4a6b8-d0f2-4a4c-9e6b-8a0c2e4f6a8b",
        "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",  # the created workspace's subscription
    ]


def test_existing_workspace_subscription_gets_a_provider_only_for_the_role_it_needs() -> None:
    s = settings_from_stack("dev")
    other = "/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg/providers/" \
        "Microsoft.OperationalInsights/workspaces/law-x"
    oauth = dataclasses.replace(s, workspace=dataclasses.replace(
        s.workspace, subscription_id="99999999-9999-4999-8999-999999999999", name="law-x", resource_group_name="rg",
    ))
    assert oauth.workspace.resource_id == other and oauth.logs_auth == "oauth"
    assert "99999999-9999-4999-8999-999999999999" not in needed_subscriptions(oauth)
    managed = dataclasses.replace(oauth, logs_auth="managedIdentity")
    assert needed_subscriptions(managed)[-1] == "99999999-9999-4999-8999-999999999999"


@pytest.mark.parametrize(
    ("snapshots", "assessments", "expected"),
    [
        (False, False, ["SecureScores", "SecureScoreControls"]),
        (True, False, ["SecureScores", "SecureScoreControls", "SecureScoresSnapshot", "SecureScoreControlsSnapshot"]),
        (False, True, ["SecureScores", "SecureScoreControls", "Assessments", "AssessmentsSnapshot"]),
    ],
)
def test_event_sources(snapshots: bool, assessments: bool, expected: list[str]) -> None:
    s = settings_from_stack("dev")
    s = dataclasses.replace(s, export=dataclasses.replace(s.export, snapshots=snapshots, assessments=assessments))
    assert event_sources(s) == expected


def test_grants_per_role_and_auth() -> None:
    prod = grants(settings_from_stack(PROD))
    assert [g.role_guid for g in prod] == [SECURITY_READER] * 4 + [LOG_ANALYTICS_READER]
    assert prod[-1].scope.endswith("/workspaces/law-securescore-prod")
    assert prod[-1].role_definition_id == (
        "/subscriptions/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b/providers/Microsoft.Authorization"
        "/roleDefinitions/73c42c96-874c-492b-b04d-ab87d138a893"
    )
    dev = grants(settings_from_stack("dev"))  # oauth: the identity never queries the workspace
    assert [(g.scope, g.role_guid) for g in dev] == [("/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590", READER)]


def test_assignment_name_is_a_stable_guid_per_grant() -> None:
    a = assignment_name("/subscriptions/x", "P", READER)
    assert a == assignment_name("/Subscriptions/X", "p", READER.upper())  # ARM ids are case-insensitive
    assert uuid.UUID(a).version == 5
    assert a != assignment_name("/subscriptions/x", "P", SECURITY_READER)
    assert a != assignment_name("/subscriptions/y", "P", READER)
    assert a != assignment_name("/subscriptions/x", "Q", READER)
