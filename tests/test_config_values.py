"""Every value rule at its edges: anchored patterns, control characters, addresses, regions, Azure names,
integer bounds, keys that do nothing in the chosen mode.

Expected rules are written from the sources named in securescore/config (Microsoft's naming page, its
regions list, RFC 5322), not read back from the code.
"""

from __future__ import annotations

import pytest
import yaml

from securescore.config import azure_names
from securescore.config.azure_names import NameRule
from securescore.settings import PROJECT, PROJECT_ROOT, Settings
from tests.conftest import make_settings, refused

GUID = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
WS = "/subscriptions/{sub}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law-test"
CREATED = {"workspaceResourceId": "", "workspaceName": "law-created"}




# --- patterns hold to the true end of the string -------------------------------------------------

TRAILERS = ["\n", "\r\n", " ", "x", "0", "/", "\u2028"]


@pytest.mark.parametrize("trailer", TRAILERS)
def test_guid_keys_refuse_anything_after_the_guid(trailer: str) -> None:
    refused("deploymentSubscriptionId", deploymentSubscriptionId=GUID + trailer)
    refused("workspaceSubscriptionId", **CREATED, workspaceSubscriptionId=GUID + trailer)
    refused("workspaceResourceId", workspaceResourceId=WS.format(sub=GUID + trailer))
    if trailer != " ":  # spaces around a subscription's '=' are allowed, so a trailing one is too
        refused("subscriptions", subscriptions=[GUID + trailer])
    if trailer not in ("x", "0"):  # those would only lengthen the workspace name
        refused("workspaceResourceId", workspaceResourceId=WS.format(sub=GUID) + trailer)


@pytest.mark.parametrize("leader", ["\n", "\t", "{", "x"])
def test_guid_keys_refuse_anything_before_the_guid(leader: str) -> None:
    refused("deploymentSubscriptionId", deploymentSubscriptionId=leader + GUID)
    refused("subscriptions", subscriptions=[leader + GUID])


def test_ids_compare_case_insensitively_and_are_lower_cased() -> None:
    s = make_settings(
        deploymentSubscriptionId=GUID.upper(),
        subscriptions=[GUID.upper() + "=Upper", "AAAAAAAA-0000-4000-8000-000000000001"],
        workspaceResourceId=WS.format(sub=GUID.upper()).upper(),
    )
    assert s.deployment_subscription_id == GUID and s.subscription_ids[0] == GUID
    assert s.workspace.subscription_id == GUID and s.workspace.existing
    assert "listed twice" in refused("subscriptions", subscriptions=[GUID, GUID.upper() + "=Again"])


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        ("location", "westeurope", "westeurope\n"),
        ("location", "westeurope", "westeurope x"),
        ("scheduleTimeZone", "UTC", "UTC\n"),
        ("scheduleTimeZone", "W. Europe Standard Time", "W. Europe Standard Time "),
        ("logsConnectionAuth", "oauth", "oauth\n"),
        ("subscriptionRole", "Reader", "Readers"),
        ("resourceGroupName", "rg-report", "rg-report\n"),
        ("logicAppName", "securescore", "securescore\n"),
        ("exportAutomationName", "export", "export\n"),
        ("scheduleHour", "7", "7\n"),
        ("exportSnapshots", "true", "true\n"),
        ("reportTitle", "Weekly", "Weekly\n"),
    ],
)
def test_every_text_rule_refuses_a_trailing_line_break_or_extra(key: str, good: str, bad: str) -> None:
    make_settings(**{key: good})
    refused(key, **{key: bad})


@pytest.mark.parametrize(("key", "bad"), [("recipients", ["secops@contoso.example\n"]),
                                           ("scheduleWeekDays", ["Monday\n"]), ("scheduleWeekDays", ["Mondays"])])
def test_list_entries_are_anchored_too(key: str, bad: list[str]) -> None:
    refused(key, **{key: bad})


def test_case_does_not_matter_where_azure_or_english_ignore_it() -> None:
    s = make_settings(location="WestEurope", logsConnectionAuth="OAUTH", subscriptionRole="securityreader",
                      scheduleWeekDays=["friday", "MONDAY"])
    assert (s.location, s.logs_auth, s.subscription_role) == ("westeurope", "oauth", "SecurityReader")
    assert s.schedule.week_days == ("Monday", "Friday")
    assert make_settings(location="West Europe").location == "westeurope"  # the region's display name


# --- control characters ----------------------------------------------------------------------------

CONTROLS = ["\x00", "\x07", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f", "\u2028", "\u2029"]


@pytest.mark.parametrize("char", CONTROLS)
def test_control_characters_are_refused_in_every_text_and_named(char: str) -> None:
    code = f"U+{ord(char):04X}"
    assert code in refused("reportTitle", reportTitle=f"Weekly{char}report")
    assert code in refused("initiativeName", initiativeName=f"ASC{char}score")
    assert code in refused("subscriptions", subscriptions=[f"{GUID}=Prod{char}EU"])
    assert code in refused("recipients", recipients=[f"sec{char}ops@contoso.example"])


@pytest.mark.parametrize(
    "text", ["Réseau — 安全 🚀", "a\u00a0b", "ASC score (Microsoft cloud security benchmark)", "x" * 100]
)
def test_other_unicode_text_is_kept(text: str) -> None:
    s = make_settings(reportTitle=text, initiativeName=text, subscriptions=[f"{GUID}={text}"])
    assert s.report.title == s.report.initiative_name == s.subscriptions[0].name == text


@pytest.mark.parametrize("text", ["", " ", "x" * 101, " Weekly", "Weekly "])
def test_text_length_and_blank_edges(text: str) -> None:
    refused("reportTitle", reportTitle=text)


def test_spaces_around_the_friendly_name_separator_are_fine() -> None:
    assert make_settings(subscriptions=[f"{GUID} = Production"]).subscriptions[0].name == "Production"
    refused("subscriptions", subscriptions=[f"{GUID}="])


# --- recipients: RFC 5321/5322, and what the Office 365 To field can carry ---------------------------


@pytest.mark.parametrize(
    "address",
    [
        "secops@contoso.com", "o'brien@contoso.com", "first.last+tag@eu.contoso.co.uk", '"john doe"@contoso.com',
        "x@contoso.example", "SecOps@Contoso.COM", "a!#$%&*+/=?^_`{|}~-@contoso.com", "l" * 64 + "@contoso.com",
    ],
)
def test_addresses_the_standard_allows(address: str) -> None:
    assert make_settings(recipients=[address]).recipients == (address,)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("a..b@contoso.com", "two periods in a row"),
        (".a@contoso.com", "start with a period"),
        ("a.@contoso.com", "period"),
        ("a@contoso", "should have a period"),
        ("a@contoso..com", "period"),
        ("a@-contoso.com", "hyphen"),
        ('"a;b"@contoso.com', "Office 365 To field"),
        ("a,b@contoso.com", "Office 365 To field"),
        ("a@b.com;c@d.com", "Office 365 To field"),
        ("Sec Ops <secops@contoso.com>", "display name"),
        ("a@[192.0.2.1]", "bracketed IP address"),
        ("müller@contoso.com", "not ASCII"),
        ("l" * 65 + "@contoso.com", "too long"),
        ("a@" + "d" * 250 + ".com", "too long"),
        ("nobody", "@-sign"),
        ("", "@-sign"),
    ],
)
def test_addresses_refused_with_the_reason(address: str, why: str) -> None:
    assert why in refused("recipients", recipients=[address])


def test_each_address_once_case_insensitively() -> None:
    assert "listed twice" in refused("recipients", recipients=["a@contoso.com", "A@CONTOSO.COM"])


# --- regions ----------------------------------------------------------------------------------------


# Programmatic names copied from Microsoft Learn "Azure regions list" (reliability/regions-list).
@pytest.mark.parametrize("region", ["westeurope", "northeurope", "swedencentral", "australiacentral2", "westus3",
                                    "newzealandnorth", "chilecentral", "uaecentral", "southafricawest", "eastus2"])
def test_real_regions_are_accepted(region: str) -> None:
    assert make_settings(location=region).location == region


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [("westeurop", "westeurope"), ("west-europe", "westeurope"), ("swedencentrl", "swedencentral"),
     ("eastus4", "eastus"), ("europe", "westeurope"), ("mars", None), ("global", None), ("usgovvirginia", None),
     ("", None)],
)
def test_unknown_regions_are_refused_with_a_near_miss(value: str, suggestion: str | None) -> None:
    text = refused("location", location=value)
    assert (f"did you mean {suggestion}?" in text) if suggestion else "did you mean" not in text


# --- Azure's naming rules per resource type ---------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "good", "bad", "extra"),
    [
        # Microsoft.Resources/resourceGroups: 1-90, letters/digits (Unicode), _ - . ( ), not ending in '.'
        ("resourceGroupName", ["r", "g" * 90, "rg.a", "(rg)_x-y", "rg-ü", "rg-٣"],
         ["", "g" * 91, "rg.", "rg/x", "rg x", "rg#", "rg@", "rg-Ⅻ"], {}),
        ("exportResourceGroupName", ["e", "e" * 90], ["e" * 91, "e."], {}),
        ("workspaceResourceGroupName", ["w", "w" * 90], ["w" * 91, "w:"], CREATED),
        # Microsoft.Logic/workflows: 1-43 ASCII alphanumerics, - _ . ( )
        ("logicAppName", ["l", "l" * 43, "la(1).x_y-z"], ["", "l" * 44, "la ü", "ü", "la/x", "la@x"], {}),
        # Microsoft.Security/automations: 1-260 alphanumerics, _ -
        ("exportAutomationName", ["a", "a" * 260, "a_b-c"], ["", "a" * 261, "a.b", "a b", "a(b)"], {}),
        # Microsoft.OperationalInsights/workspaces: 4-63 alphanumerics and -, alphanumeric at both ends
        ("workspaceName", ["abcd", "a" * 63, "law-1"], ["abc", "a" * 64, "-abc", "abc-", "ab_c", "ab.c"],
         {"workspaceResourceId": ""}),
    ],
)
def test_azure_names_at_their_edges(key: str, good: list[str], bad: list[str], extra: dict) -> None:
    for name in good:
        make_settings(**extra, **{key: name})
    for name in bad:
        refused(key, **extra, **{key: name})


def test_existing_workspace_id_parts_follow_the_same_rules() -> None:
    good = WS.format(sub=GUID)
    assert "workspace name" in refused("workspaceResourceId", workspaceResourceId=good.replace("law-test", "la"))
    assert "resource group" in refused("workspaceResourceId", workspaceResourceId=good.replace("rg-mon", "rg."))


def test_connection_names_derived_from_the_logic_app_name_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    s = make_settings(logicAppName="l" * 43)
    assert s.logs_connection_name == "l" * 43 + "-azuremonitorlogs"
    assert azure_names.WEB_CONNECTION.problem(s.logs_connection_name) is None
    assert azure_names.WEB_CONNECTION.problem("c" * 80) is None and azure_names.WEB_CONNECTION.problem("c" * 81)
    # With a connection rule tighter than the workflow's, the derived names are what fails.
    monkeypatch.setattr(azure_names, "WEB_CONNECTION", NameRule("Microsoft.Web/connections", 1, 30,
                                                                 azure_names.WEB_CONNECTION.char_ok, ""))
    assert "securescore-weekly-azuremonitorlogs" in refused("logicAppName", logicAppName="securescore-weekly")


# --- integer keys: both bounds ------------------------------------------------------------------------

BOUNDS = [
    ("scheduleHour", 0, 23, {}), ("scheduleMinute", 0, 59, {}), ("topControls", 1, 20, {}),
    ("trendWeeks", 2, 52, {}), ("lookbackDays", 7, 90, {}), ("dropAlertPoints", 1, 100, {}),
    ("maxSubscriptionRows", 1, 500, {}), ("workspaceRetentionDays", 30, 730, CREATED),
]


@pytest.mark.parametrize(("key", "low", "high", "extra"), BOUNDS)
def test_both_bounds_of_every_integer_key(key: str, low: int, high: int, extra: dict) -> None:
    for value in (low, high, str(low), str(high)):
        make_settings(**extra, **{key: value})
    for value in (low - 1, high + 1, str(low - 1), str(high + 1)):
        assert refused(key, **extra, **{key: value}).endswith(f"expected a whole number from {low} to {high}")


def test_the_documented_ranges_are_these() -> None:
    project = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())["config"]
    for key, low, high, _ in BOUNDS:
        assert f"({low} to {high})" in project[f"{PROJECT}:{key}"]["description"], key


@pytest.mark.parametrize("value", [True, 5.0, 5.5, "5.0", "0x5", " 5", "5 ", "five", "", "٥"])
def test_integers_are_whole_decimal_numbers(value: object) -> None:
    refused("topControls", topControls=value)


def test_booleans_are_exactly_true_or_false() -> None:
    assert make_settings(exportSnapshots="false").export.snapshots is False
    for value in ("True", "yes", "1", "", 1):
        refused("exportSnapshots", exportSnapshots=value)


# --- a key set but unused in the chosen mode ------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [("workspaceResourceGroupName", "rg-other"), ("workspaceSubscriptionId", GUID), ("workspaceRetentionDays", 120)],
)
def test_created_workspace_keys_with_an_existing_workspace_are_refused(key: str, value: object) -> None:
    text = refused(key, **{key: value})
    assert "applies only to a workspace the stack creates" in text and f"remove {PROJECT}:{key}" in text


def test_a_key_at_its_default_is_not_set() -> None:
    # The CLI hands the program every default, so a default value cannot count as "set".
    assert make_settings(workspaceRetentionDays=90, workspaceResourceGroupName="").workspace.existing


def test_created_workspace_keys_apply_when_creating() -> None:
    other = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
    s = make_settings(**CREATED, workspaceResourceGroupName="rg-ws", workspaceSubscriptionId=other,
                      workspaceRetentionDays=120)
    assert (s.workspace.resource_group_name, s.workspace.subscription_id, s.workspace.retention_days) == (
        "rg-ws", other, 120)


def test_both_workspace_modes_at_once_are_refused() -> None:
    assert "both set" in refused("workspaceResourceId", workspaceName="law-new")


def test_settings_are_plain_frozen_values() -> None:
    assert isinstance(make_settings(), Settings)


def test_none_means_not_set_for_callers_of_parse_settings() -> None:
    assert make_settings(scheduleHour=None).schedule.hour == 7  # the Pulumi.yaml default
