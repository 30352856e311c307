"""The mode keys (logsQuery, mailTransport, acs*): accepted values, their boundaries, and clear errors."""

from __future__ import annotations

import re

import pytest

from securescore.settings import PROJECT, settings_from_stack
from tests.conftest import make_settings
from tests.conftest import settings_problems as problems

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}



def addresses(count: int) -> list[str]:
    return [f"team{i}@contoso.example" for i in range(count)]


def test_the_connector_mode_is_the_default() -> None:
    modes = make_settings().modes
    assert (modes.logs_query, modes.mail_transport, modes.acs) == ("connector", "office365", None)
    assert not modes.zero_touch


@pytest.mark.parametrize(("logs", "mail", "zero_touch"), [
    ("connector", "office365", False), ("http", "office365", False), ("connector", "acs", False), ("http", "acs", True),
])
def test_every_combination_parses(logs: str, mail: str, zero_touch: bool) -> None:
    extra = {"acsDataLocation": "Europe"} if mail == "acs" else {}
    modes = make_settings(logsQuery=logs, mailTransport=mail, **extra).modes
    assert (modes.logs_query, modes.mail_transport, modes.zero_touch) == (logs, mail, zero_touch)
    assert (modes.acs is not None) == (mail == "acs")


def test_choices_are_case_insensitive_and_normalised() -> None:
    modes = make_settings(logsQuery="HTTP", mailTransport="Acs", acsDataLocation="Europe").modes
    assert (modes.logs_query, modes.mail_transport) == ("http", "acs")


@pytest.mark.parametrize(("key", "value"), [("logsQuery", "graph"), ("mailTransport", "smtp")])
def test_unknown_transport_names_the_key_and_the_choices(key: str, value: str) -> None:
    (problem,) = problems(**{key: value})
    assert problem.startswith(f"{PROJECT}:{key}: '{value}' is not accepted")
    assert "one of" in problem


def test_acs_needs_a_data_location() -> None:
    (problem,) = problems(mailTransport="acs")
    assert f"{PROJECT}:acsDataLocation is required" in problem and '"Europe"' in problem


@pytest.mark.parametrize("value", ["United States", "Europe", "UK"])
def test_data_locations_with_letters_and_spaces_are_accepted(value: str) -> None:
    assert make_settings(**{**ACS, "acsDataLocation": value}).modes.acs.data_location == value


@pytest.mark.parametrize("value", ["E", "Europe;drop", "4Europe"])
def test_odd_data_locations_are_refused(value: str) -> None:
    (problem,) = problems(**{**ACS, "acsDataLocation": value})
    assert problem.startswith(f"{PROJECT}:acsDataLocation:")


@pytest.mark.parametrize("key", ["acsDataLocation", "acsCustomDomain", "acsName"])
def test_acs_keys_without_acs_are_refused_rather_than_ignored(key: str) -> None:
    (problem,) = problems(**{key: "reports.contoso.example" if key == "acsCustomDomain" else "Europe"})
    assert problem.startswith(f"{PROJECT}:{key}:") and 'unless mailTransport is "acs"' in problem


def test_managed_domain_takes_ten_recipients_and_not_eleven() -> None:
    # Service limits: Azure Managed Domains send 10 emails per hour per subscription.
    assert len(make_settings(**ACS, recipients=addresses(10)).recipients) == 10
    (problem,) = problems(**ACS, recipients=addresses(11))
    assert problem.startswith(f"{PROJECT}:recipients: 11 addresses") and "at most 10" in problem
    assert "acsCustomDomain" in problem


def test_custom_domain_takes_fifty_recipients_and_not_fifty_one() -> None:
    # Service limits: "Number of recipients in Email: 50".
    custom = {**ACS, "acsCustomDomain": "reports.contoso.example"}
    assert len(make_settings(**custom, recipients=addresses(50)).recipients) == 50
    (problem,) = problems(**custom, recipients=addresses(51))
    assert "at most 50" in problem


def test_office365_has_no_acs_recipient_limit() -> None:
    assert len(make_settings(recipients=addresses(60)).recipients) == 60


@pytest.mark.parametrize("domain", ["contoso", "-bad.contoso.example", "bad_.example", "a..b"])
def test_custom_domain_must_be_a_domain_name(domain: str) -> None:
    (problem,) = problems(**ACS, acsCustomDomain=domain)
    assert problem.startswith(f"{PROJECT}:acsCustomDomain:")


def test_custom_domain_is_lower_cased() -> None:
    assert make_settings(**ACS, acsCustomDomain="Reports.Contoso.Example").modes.acs.custom_domain == (
        "reports.contoso.example")


@pytest.mark.parametrize(("name", "ok"), [
    ("a", True), ("a" * 63, True), ("a" * 64, False), ("-acs", False), ("acs-", False), ("acs_1", False),
])
def test_acs_name_rules_at_their_boundaries(name: str, ok: bool) -> None:
    if ok:
        assert make_settings(**ACS, acsName=name).modes.acs.communication_service_name == name.lower()
    else:
        (problem,) = problems(**ACS, acsName=name)
        assert problem.startswith(f"{PROJECT}:acsName:")


def test_default_acs_name_is_stable_valid_and_differs_between_stacks() -> None:
    one = make_settings(**ACS).modes.acs.communication_service_name
    assert one == make_settings(**ACS).modes.acs.communication_service_name
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", one)
    other = make_settings(**ACS, resourceGroupName="rg-other").modes.acs.communication_service_name
    assert other != one and other.rsplit("-", 1)[0] == one.rsplit("-", 1)[0]
    long = make_settings(**ACS, logicAppName="x" * 43).modes.acs  # the longest Logic App name
    assert len(long.communication_service_name) <= 63 and len(long.email_service_name) <= 63


def test_every_problem_is_reported_at_once_with_the_others() -> None:
    found = problems(mailTransport="acs", acsName="-", recipients=addresses(12), scheduleHour=25)
    keys = sorted(p.split(":")[1].split(" ")[0] for p in found)
    assert keys == ["acsDataLocation", "acsName", "recipients", "scheduleHour"]


def test_the_zerotouch_stack_is_zero_touch() -> None:
    settings = settings_from_stack("zerotouch")
    assert settings.modes.zero_touch and settings.modes.acs.data_location == "Europe"
    assert settings.modes.acs.managed_domain_only
