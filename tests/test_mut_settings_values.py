"""Value rules the mutation run (python -m bench.mutation --area settings) showed untested.

Each test is aimed at a rule: what a problem names, where a suggestion stops, which addresses can
receive mail, how an integer is read. Expected values come from the rule's source (RFC 6761 for
special-use domains, the README's configuration table), never from the function under test.
"""

from __future__ import annotations

import pytest

from securescore.config import fields, keys
from securescore.settings import PROJECT
from tests.conftest import make_settings, refused
from tests.conftest import settings_problems as problems

GUID = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
OTHER_GUID = "aaaaaaaa-0000-4000-8000-000000000001"




# --- every problem names the key, shows the value as written, says what is accepted ------------------

# (key, value, a word of what is accepted): the value must be quoted back, and "expected" must say something.
NAMED = [
    ("deploymentSubscriptionId", "not-a-guid", "guid"),
    ("resourceGroupName", "rg/x", "microsoft.resources/resourcegroups"),
    ("logicAppName", "la/x", "microsoft.logic/workflows"),
    ("reportTitle", "Weekly\x07", "control characters"),
    ("reportTitle", "", "characters"),
    ("reportTitle", " Weekly", "spaces"),
    ("location", "westeuropa", "region"),
    ("scheduleTimeZone", "Mars Standard Time", "time zone"),
    ("scheduleWeekDays", ["Funday"], "week days"),
    ("recipients", ["not an address"], "email address"),
]


@pytest.mark.parametrize(("key", "value", "accepted"), NAMED)
def test_a_problem_quotes_the_value_and_says_what_is_accepted(key: str, value: object, accepted: str) -> None:
    text = refused(key, **{key: value})
    shown = repr(value[0]) if isinstance(value, list) else repr(value)
    assert f"{shown} is not accepted; expected " in text
    expected = text.split("; expected ", 1)[1]
    assert accepted in expected.lower() and "None" not in expected


def test_list_problems_quote_the_entry_that_is_wrong() -> None:
    assert f"'{GUID}=Again' is not accepted" in refused("subscriptions", subscriptions=[GUID, f"{GUID}=Again"])
    assert "'nope' is not accepted" in refused("subscriptions", subscriptions=["nope"])
    assert f"'{GUID}=' is not accepted" in refused("subscriptions", subscriptions=[f"{GUID}="])
    assert "'A@contoso.example' is not accepted" in refused(  # the repeat is the one quoted
        "recipients", recipients=["a@contoso.example", "A@contoso.example"])
    assert "'monday' is not accepted" in refused("scheduleWeekDays", scheduleWeekDays=["Monday", "monday"])


def test_empty_lists_name_their_key_and_what_one_entry_is() -> None:
    assert refused("subscriptions", subscriptions=[]).endswith('expected at least one "<subscription GUID>" '
                                                               'or "<GUID>=<friendly name>"')
    assert refused("recipients", recipients=[]).endswith("expected at least one email address")
    text = refused("scheduleWeekDays", scheduleWeekDays=[])
    assert text.startswith(f"{PROJECT}:scheduleWeekDays: [] is not accepted; expected at least one week day")


def test_every_bad_entry_of_a_list_is_reported_not_only_the_first() -> None:
    found = problems(subscriptions=["bad-1", f"{GUID}=", f"{GUID}=Ok", f"{GUID}=Twice", "bad-2"])
    assert [p.split(" is not accepted")[0] for p in found] == [
        f"{PROJECT}:subscriptions: 'bad-1'", f"{PROJECT}:subscriptions: '{GUID}='",
        f"{PROJECT}:subscriptions: '{GUID}=Twice'", f"{PROJECT}:subscriptions: 'bad-2'"]


# --- how a value is shown in a problem -------------------------------------------------------------------


def test_values_are_shown_as_json_keeping_non_ascii_text() -> None:
    assert fields.show(["Müller", 3]) == '["Müller", 3]'
    assert fields.show({"a": True}) == '{"a": true}'
    assert fields.show("x") == "'x'"
    assert fields.show(b"\x00") == "b'\\x00'"  # not JSON: its Python form


def test_a_long_value_is_cut_to_120_characters_ending_in_an_ellipsis() -> None:
    assert fields.show("x" * 118) == "'" + "x" * 118 + "'"  # 120 characters: whole
    cut = fields.show("y" * 119)  # 121 characters
    assert len(cut) == 120 and cut.endswith("...") and cut.startswith("'" + "y" * 116)


# --- friendly names and ids in subscriptions -------------------------------------------------------------


def test_one_character_is_a_name_and_a_title() -> None:
    assert make_settings(subscriptions=[f"{GUID}=A"]).subscriptions[0].name == "A"
    assert make_settings(reportTitle="A").report.title == "A"


def test_only_spaces_are_trimmed_around_the_separator() -> None:
    s = make_settings(subscriptions=[f"{GUID} =Xbox team", f" {OTHER_GUID}= Xenon "])
    assert [x.name for x in s.subscriptions] == ["Xbox team", "Xenon"]
    assert "U+0009" in refused("subscriptions", subscriptions=[f"{GUID}=Prod\t"])  # a tab is not a space
    refused("subscriptions", subscriptions=["X" + GUID])
    refused("subscriptions", subscriptions=[GUID + "X"])


def test_a_friendly_name_problem_names_its_control_characters_only_when_it_has_some() -> None:
    assert "U+000A" in refused("subscriptions", subscriptions=[f"{GUID}=a\nb"])
    too_long = refused("subscriptions", subscriptions=[f"{GUID}={'n' * 101}"])
    assert "1 to 100 characters" in too_long and "control characters" not in too_long


# --- suggestions: only for near misses ----------------------------------------------------------------


def test_a_region_suggestion_needs_a_near_miss() -> None:
    assert "did you mean" not in refused("location", location="brazil")  # brazilsouth is not that near
    assert "(did you mean westeurope?)" in refused("location", location="west-europe")


def test_no_suggestion_for_a_value_with_control_characters() -> None:
    text = refused("location", location="westeurope\n")
    assert "did you mean" not in text and "an Azure region" in text


def test_week_day_suggestions() -> None:
    assert "(did you mean Monday?)" in refused("scheduleWeekDays", scheduleWeekDays=["Mondy"])
    assert "did you mean" not in refused("scheduleWeekDays", scheduleWeekDays=["Xyzzy"])
    assert "did you mean" not in refused("scheduleWeekDays", scheduleWeekDays=["Friday", "friday"])


@pytest.mark.parametrize("day", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
def test_every_week_day_is_accepted_in_any_case(day: str) -> None:
    assert make_settings(scheduleWeekDays=[day.upper()]).schedule.week_days == (day,)


def test_week_days_are_kept_in_calendar_order_from_monday() -> None:
    days = ["Sunday", "Saturday", "Friday", "Thursday", "Wednesday", "Tuesday", "Monday"]
    assert make_settings(scheduleWeekDays=days).schedule.week_days == tuple(reversed(days))


def test_time_zone_hints() -> None:
    # An IANA name gets its Windows id (the mapping is CLDR's, through tzlocal).
    assert '(the Windows id of Europe/Berlin is "W. Europe Standard Time")' in refused(
        "scheduleTimeZone", scheduleTimeZone="Europe/Berlin")
    assert '(did you mean "Tokyo Standard Time"?)' in refused("scheduleTimeZone", scheduleTimeZone="Tokyo Standard")
    # "Pacific Time" is not near enough to "Pacific Standard Time" for a suggestion.
    assert "did you mean" not in refused("scheduleTimeZone", scheduleTimeZone="Pacific Time")


# --- recipients: mail must be deliverable on the internet -------------------------------------------------


@pytest.mark.parametrize("address", [
    "secops@contoso.test", "secops@contoso.local", "secops@contoso.localhost", "secops@contoso.invalid",
    "secops@host",  # one label: no public domain
])
def test_special_use_and_single_label_domains_cannot_receive_the_report(address: str) -> None:
    # RFC 6761 (and RFC 6762 for .local) reserves these names: no mail for them reaches a mailbox.
    refused("recipients", recipients=[address])


def test_the_reason_from_the_address_check_is_kept_whole() -> None:
    text = refused("recipients", recipients=["secops.@contoso.example"])
    assert text.endswith(")") and "period" in text


# --- key names --------------------------------------------------------------------------------------------


def test_a_near_miss_namespace_is_reported_after_keys_of_other_namespaces() -> None:
    found = keys.namespace_problems(PROJECT, ["pulumi:tags", "azure-native:location", "securescore-reprot:location"],
                                    ["location"])
    assert found == ["securescore-reprot:location: the namespace 'securescore-reprot' is not this project's, so no "
                     "one reads this key; did you mean securescore-report:location?"]


def test_a_namespace_three_quarters_like_the_projects_is_a_near_miss() -> None:
    # "securescore-ab" shares 12 of 14 + 18 characters with "securescore-report": a ratio of exactly 0.75.
    assert keys.namespace_problems(PROJECT, ["securescore-ab:location"], ["location"])
    assert not keys.namespace_problems(PROJECT, ["securesco:location"], ["location"])  # 18 of 27: 0.67
