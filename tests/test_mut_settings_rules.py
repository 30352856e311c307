"""Naming rules, patterns and YAML spellings at the edges the mutation run found untested.

Sources: Microsoft Learn "Naming rules and restrictions for Azure resources" (resource groups:
"letters or digits as defined by the Char.IsLetterOrDigit function", i.e. the Unicode categories
Lu, Ll, Lt, Lm, Lo, Nd; workflows: alphanumerics, hyphens, underscores, periods and parentheses),
"Azure regions list" (reliability/regions-list, the programmatic names), RFC 1035 (a DNS label is
1 to 63 characters, a name at most 253 in text), yaml.v3's resolve.go (the spellings of booleans,
nulls, infinities and NaN, merge keys, the timestamp layouts "2006-1-2T15:4:5.999999999Z07:00",
"2006-1-2 15:4:5.999999999" and "2006-1-2").
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from securescore.config import azure_names, fields
from securescore.config.ownership import GroupUse, created_groups, retained_groups
from securescore.config.pulumi_yaml import LooksLikeDate, load, resolve_plain
from securescore.settings import PROJECT
from tests.conftest import make_settings, refused
from tests.test_stack_file_reading import VALID_CONFIG, make_project, problems_of

GUID = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}
CREATED = {"workspaceResourceId": "", "workspaceName": "law-created"}



# --- Azure names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("letter", ["\u01c5", "\u02b0", "\u4e2d", "\u00c9", "\u00e9", "\u0663"])  # Lt Lm Lo Lu Ll Nd
def test_resource_groups_take_every_kind_of_letter_and_digit_dotnet_counts(letter: str) -> None:
    assert make_settings(resourceGroupName=f"rg-{letter}").resource_group_name == f"rg-{letter}"


def test_a_workflow_name_may_end_with_a_period_a_resource_group_may_not() -> None:
    assert make_settings(logicAppName="report.").logic_app_name == "report."
    refused("resourceGroupName", resourceGroupName="rg.")


def test_connections_take_one_to_eighty_characters() -> None:
    assert azure_names.WEB_CONNECTION.problem("c") is None
    assert azure_names.WEB_CONNECTION.problem("") is not None


def test_resource_names_compare_case_insensitively() -> None:
    assert azure_names.same_name("RG-Report", "rg-report") and not azure_names.same_name("rg-a", "rg-b")


# Every programmatic name of the "All" table of Microsoft Learn's "Azure regions list".
REGIONS = [
    "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast", "austriaeast", "belgiumcentral",
    "brazilsouth", "brazilsoutheast", "canadacentral", "canadaeast", "centralindia", "centralus", "chilecentral",
    "denmarkeast", "eastasia", "eastus", "eastus2", "francecentral", "francesouth", "germanynorth",
    "germanywestcentral", "indonesiacentral", "israelcentral", "italynorth", "japaneast", "japanwest",
    "koreacentral", "koreasouth", "malaysiawest", "mexicocentral", "newzealandnorth", "northcentralus",
    "northeurope", "norwayeast", "norwaywest", "polandcentral", "qatarcentral", "southafricanorth",
    "southafricawest", "southcentralus", "southeastasia", "southindia", "spaincentral", "swedencentral",
    "switzerlandnorth", "switzerlandwest", "uaecentral", "uaenorth", "uksouth", "ukwest", "westcentralus",
    "westeurope", "westindia", "westus", "westus2", "westus3",
]


def test_every_region_of_the_list_is_accepted() -> None:
    for region in REGIONS:
        assert make_settings(location=region).location == region


# --- recipients ------------------------------------------------------------------------------------------


def test_only_semicolons_and_commas_split_the_to_field() -> None:
    assert make_settings(recipients=["Xavier@contoso.example"]).recipients == ("Xavier@contoso.example",)


# --- Communication Services ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ab", "AB", "ReportMail", "r2d2", "1report", "report1", "a-b"])
def test_acs_names_of_letters_and_digits_in_any_case(name: str) -> None:
    assert make_settings(**ACS, acsName=name).modes.acs.communication_service_name == name.lower()


def test_the_email_service_name_fits_the_same_63_characters() -> None:
    acs = make_settings(**ACS, acsName="a" * 63).modes.acs
    assert len(acs.email_service_name) <= 63 and acs.email_service_name.endswith("-email")
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", acs.email_service_name)


ACS_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")  # 1-63, lower case once stored


@pytest.mark.parametrize(("logic_app", "start"), [
    ("Weekly_Report.v2", "weekly-report-v2-"), ("(weekly)", "weekly-"), ("()", "securescore-"),
    ("l" * 43, "l" * 43 + "-"),
])
def test_the_default_acs_name_is_the_logic_apps_name_and_a_hash(logic_app: str, start: str) -> None:
    # README: "empty means the Logic App's name plus a hash of the stack".
    name = make_settings(**ACS, logicAppName=logic_app).modes.acs.communication_service_name
    assert name.startswith(start) and ACS_NAME.fullmatch(name), name
    assert re.fullmatch(r"[0-9a-f]+", name[len(start):])


def test_the_default_acs_name_differs_between_stacks_and_not_between_runs() -> None:
    def name(**values: object) -> str:
        return make_settings(**ACS, **values).modes.acs.communication_service_name

    base = name()
    assert name() == base
    assert name(deploymentSubscriptionId="aaaaaaaa-0000-4000-8000-000000000009") != base
    assert name(resourceGroupName="rg-other") != base
    assert name(deploymentSubscriptionId=GUID.upper()) == name(deploymentSubscriptionId=GUID)


@pytest.mark.parametrize(("key", "value"), [("acsDataLocation", "Europe"), ("acsName", "mail-1"),
                                            ("acsCustomDomain", "reports.contoso.example")])
def test_an_acs_key_without_acs_is_quoted_back(key: str, value: str) -> None:
    assert f"{PROJECT}:{key}: '{value}' is not accepted; expected to be left empty" in refused(key, **{key: value})


@pytest.mark.parametrize(("value", "ok"), [
    ("Eu", True), ("E", False), ("europe", True), ("E" + "u" * 39, True), ("E" + "u" * 40, False),
    ("United States", True), (" Europe", False),
])
def test_data_location_lengths_and_case(value: str, ok: bool) -> None:
    if ok:
        assert make_settings(**{**ACS, "acsDataLocation": value}).modes.acs.data_location == value
    else:
        text = refused("acsDataLocation", **{**ACS, "acsDataLocation": value})
        assert f"{value!r} is not accepted; expected a data location name" in text


def test_data_location_problem_quotes_the_value() -> None:
    assert "'Europe!' is not accepted" in refused("acsDataLocation", **{**ACS, "acsDataLocation": "Europe!"})


def domain(total: int) -> str:
    """A name of ``total`` characters: labels of 63 and the rest."""
    labels, left = [], total
    while left > 64:
        labels.append("a" * 63)
        left -= 64
    labels.append("b" * left)
    return ".".join(labels)


@pytest.mark.parametrize(("name", "ok"), [
    ("a.contoso.example", True), ("ab.contoso.example", True), ("r1.contoso.example", True),
    ("1r.contoso.example", True), ("Reports.Contoso.Example", True), ("x" * 63 + ".example", True),
    ("x" * 64 + ".example", False), (domain(253), True), (domain(254), False),
])
def test_custom_domain_labels_and_length(name: str, ok: bool) -> None:
    assert len(domain(253)) == 253 and len(domain(254)) == 254
    if ok:
        assert make_settings(**ACS, acsCustomDomain=name).modes.acs.custom_domain == name.lower()
    else:
        text = refused("acsCustomDomain", **ACS, acsCustomDomain=name)
        assert f"{PROJECT}:acsCustomDomain: {fields.show(name.lower())} is not accepted; expected a domain name" in text


def test_acs_name_problem_quotes_the_value() -> None:
    text = refused("acsName", **ACS, acsName="-mail")
    assert "'-mail' is not accepted; expected 1-63 letters" in text


def test_the_recipient_limit_says_which_domain_sets_it() -> None:
    many = [f"r{i}@contoso.example" for i in range(51)]
    custom = refused("recipients", **ACS, acsCustomDomain="reports.contoso.example", recipients=many)
    assert "expected at most 50 per email" in custom
    managed = refused("recipients", **ACS, recipients=many[:11])
    assert "expected at most 10 with the Azure-managed domain" in managed


# --- resource groups the stack creates and keeps --------------------------------------------------------


def test_a_created_workspace_groups_is_created_and_kept_on_destroy() -> None:
    s = make_settings(**CREATED, workspaceResourceGroupName="RG-Logs",
                      workspaceSubscriptionId="aaaaaaaa-0000-4000-8000-000000000009")
    groups = created_groups(s)
    assert GroupUse("aaaaaaaa-0000-4000-8000-000000000009", "RG-Logs", "workspaceResourceGroupName") in groups
    assert retained_groups(s) == {("aaaaaaaa-0000-4000-8000-000000000009", "rg-logs")}
    assert retained_groups(make_settings()) == set()  # an existing workspace: nothing of the stack's to keep


def test_a_group_is_one_group_whatever_the_case() -> None:
    assert GroupUse("ABCD", "RG-X", "a").identity == GroupUse("abcd", "rg-x", "b").identity == ("abcd", "rg-x")


# --- YAML spellings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False),
    ("~", None), ("null", None), ("Null", None), ("NULL", None),
    (".inf", math.inf), (".Inf", math.inf), (".INF", math.inf), ("+.inf", math.inf), ("+.Inf", math.inf),
    ("+.INF", math.inf), ("-.inf", -math.inf), ("-.Inf", -math.inf), ("-.INF", -math.inf),
])
def test_every_spelling_yaml_v3_resolves(text: str, expected: object) -> None:
    assert resolve_plain(text) == expected and type(resolve_plain(text)) is type(expected)


@pytest.mark.parametrize("text", [".nan", ".NaN", ".NAN"])
def test_every_spelling_of_nan(text: str) -> None:
    assert math.isnan(resolve_plain(text))


@pytest.mark.parametrize("text", [".", "1e", "1e+", "+.", "-.e1"])
def test_almost_numbers_stay_text(text: str) -> None:
    assert resolve_plain(text) == text


DATE_FIELDS = ["{y}-{m}-{d}", "{y}-{m}-{d}T{H}:{M}:{S}Z", "{y}-{m}-{d} {H}:{M}:{S}"]


@pytest.mark.parametrize("layout", DATE_FIELDS)
def test_timestamps_take_one_or_two_digits_per_field_and_no_other_count(layout: str) -> None:
    good = dict(y="2026", m="1", d="2", H="3", M="4", S="5")
    assert isinstance(resolve_plain(layout.format(**good)), LooksLikeDate)
    assert isinstance(resolve_plain(layout.format(**{k: v.zfill(2) for k, v in good.items()})), LooksLikeDate)
    for field in [f for f in "mdHMS" if "{" + f + "}" in layout]:
        for digits in ("", "123"):
            text = layout.format(**{**good, field: digits})
            assert not isinstance(resolve_plain(text), LooksLikeDate), text


def test_merge_keys_merge_and_only_exactly_two_angles_are_one() -> None:
    value, _, _ = load("base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\nn:\n  <<x: 1\n")
    assert value["m"] == {"x": 1, "y": 2}
    assert value["n"] == {"<<x": 1}


def test_a_stack_file_may_hold_pulumis_secrets_settings(tmp_path: Path) -> None:
    text = ("secretsprovider: passphrase\nencryptedkey: abc\nencryptionsalt: v1:xyz\nconfig:\n" + VALID_CONFIG
            + "  securescore-report:scheduleMinute: 75\n")
    found = problems_of(make_project(tmp_path, text))
    assert found == [f"{PROJECT}:scheduleMinute: 75 is not accepted; expected a whole number from 0 to 59"]
