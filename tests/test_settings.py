from __future__ import annotations

import pytest
import yaml

from securescore.settings import (
    PROJECT,
    PROJECT_ROOT,
    SettingsError,
    available_stacks,
    declarations,
    parse_settings,
    settings_from_stack,
)
from tests.conftest import make_settings, stack_values


def problems(values: dict) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        parse_settings(values)
    return caught.value.problems


def test_defaults_come_from_pulumi_yaml() -> None:
    project = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())["config"]
    settings = make_settings()
    assert settings.schedule.hour == project[f"{PROJECT}:scheduleHour"]["default"]
    assert settings.report.top_controls == project[f"{PROJECT}:topControls"]["default"]
    assert settings.report.lookback_days == project[f"{PROJECT}:lookbackDays"]["default"]
    assert settings.logs_auth == project[f"{PROJECT}:logsConnectionAuth"]["default"]
    assert list(settings.schedule.week_days) == project[f"{PROJECT}:scheduleWeekDays"]["default"]


def test_every_declared_key_has_a_description_and_type() -> None:
    for decl in declarations().values():
        assert decl.description, decl.key
        assert decl.type in {"string", "integer", "boolean", "array"}


@pytest.mark.parametrize("stack", available_stacks())
def test_every_stack_file_parses(stack: str) -> None:
    settings = settings_from_stack(stack)
    assert (settings.subscriptions or settings.scope) and settings.recipients


def test_values_from_pulumi_config_arrive_as_strings() -> None:
    values = {k: v for k, v in stack_values("prod").items()}
    as_strings = {
        k: (
            yaml.safe_dump(v, default_flow_style=True).strip()
            if isinstance(v, list)
            else str(v).lower()
            if isinstance(v, bool)
            else str(v)
        )
        for k, v in values.items()
    }
    # pulumi.Config returns arrays as JSON text
    import json

    as_strings["subscriptions"] = json.dumps(values["subscriptions"])
    as_strings["recipients"] = json.dumps(values["recipients"])
    as_strings["scheduleWeekDays"] = json.dumps(values["scheduleWeekDays"])
    assert parse_settings(as_strings) == parse_settings(values)


def test_subscription_names_and_case() -> None:
    settings = make_settings(
        count=0,
        **{"subscriptions": ["AAAAAAAA-0000-4000-8000-000000000001=Prod <EU>", "bbbbbbbb-0000-4000-8000-000000000002"]},
    )
    assert settings.subscriptions[0].id == "aaaaaaaa-0000-4000-8000-000000000001"
    assert settings.subscriptions[0].name == "Prod <EU>"
    assert settings.subscriptions[1].name == settings.subscriptions[1].id


def test_all_errors_at_once_each_naming_key_value_and_accepted() -> None:
    found = problems(
        {
            "location": "westeurope",
            "deploymentSubscriptionId": "not-a-guid",
            "subscriptions": ["aaaaaaaa-0000-4000-8000-000000000001", "AAAAAAAA-0000-4000-8000-000000000001"],
            "workspaceName": "law",
            "recipients": ["nobody"],
            "scheduleHour": 24,
            "scheduleTimeZone": "Europe/Berlin",
            "scheduleWeekDays": ["Funday"],
            "topControls": 0,
            "logsConnectionAuth": "password",
            "scheduleHours": 3,
        }
    )
    text = "\n".join(found)
    for expected in (
        "securescore-report:deploymentSubscriptionId: 'not-a-guid'",
        "listed twice",
        "securescore-report:workspaceName: 'law'",
        "securescore-report:recipients: 'nobody'",
        "securescore-report:scheduleHour: 24 is not accepted; expected a whole number from 0 to 23",
        '(the Windows id of Europe/Berlin is "W. Europe Standard Time")',
        "securescore-report:scheduleWeekDays: 'Funday'",
        "securescore-report:topControls: 0",
        "securescore-report:logsConnectionAuth: 'password' is not accepted; "
        'expected one of "managedIdentity", "oauth"',
        "securescore-report:scheduleHours is not a known key",
    ):
        assert expected in text
    assert len(found) == 10


def test_required_keys_and_empty_lists() -> None:
    found = problems({"subscriptions": [], "recipients": []})
    text = "\n".join(found)
    assert "securescore-report:location is required" in text
    assert "securescore-report:deploymentSubscriptionId is required" in text
    assert "securescore-report:subscriptions: [] is not accepted" in text
    assert "securescore-report:recipients: [] is not accepted" in text
    assert "workspaceResourceId or securescore-report:workspaceName is required" in text


def test_workspace_existing_or_created_not_both() -> None:
    settings = make_settings(
        workspaceResourceId="", workspaceName="law-new", workspaceSubscriptionId="9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
    )
    assert not settings.workspace.existing
    assert settings.workspace.resource_group_name == settings.resource_group_name
    assert settings.workspace.resource_id.startswith("/subscriptions/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b/")
    with pytest.raises(SettingsError, match="both set"):
        make_settings(workspaceName="law-new")
    with pytest.raises(SettingsError, match="workspaceResourceId: '/subscriptions/x'"):
        make_settings(workspaceResourceId="/subscriptions/x")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("recipients", ["a@b.com;c@d.com"]),
        ("recipients", ['"x;y"@contoso.com']),  # RFC 5322 allows it; the ';'-separated To field does not
        ("reportTitle", "line\nbreak"),
        ("subscriptions", ["aaaaaaaa-0000-4000-8000-000000000001=bad\tname"]),
        ("lookbackDays", 3),
        ("dropAlertPoints", "5.5"),
        ("exportSnapshots", "yes"),
        ("subscriptionRole", "Owner"),
    ],
)
def test_rejected_values_name_their_key(key: str, value: object) -> None:
    with pytest.raises(SettingsError) as caught:
        make_settings(**{key: value})
    assert all(p.startswith(f"securescore-report:{key}") for p in caught.value.problems)


def test_settings_from_unknown_stack_lists_the_stacks() -> None:
    with pytest.raises(SettingsError, match=r"stacks available: .*example"):
        settings_from_stack("nope")
