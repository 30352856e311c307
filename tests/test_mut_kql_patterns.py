"""The checks on what enters the KQL as text: the report time, the management-group list's GUIDs, the
query name, and the nesting of strcat for long literals. Each pattern is tried on its boundaries: a valid
value, the same value with extra characters or a line break after it, and each part one character off."""

from __future__ import annotations

import pytest

from securescore.queries import kql_string, membership_text, render_queries, render_query
from tests.conftest import make_settings

SETTINGS = make_settings(1)

# Azure subscription ids are GUIDs, 8-4-4-4-12 hexadecimal digits (RFC 4122 section 3, "UUID string
# representation"); the list the workflow composes is lower-case. Every group holds a letter a-f, so
# a pattern that allowed only digits in one group would refuse it.
GUIDS = [
    "0badc0de-5eed-4abc-bdef-00000000beef",
    "abcdef01-abcd-efab-cdef-abcdefabcdef",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "00000000-0000-0000-0000-000000000000",
]
NOT_GUIDS = [
    "0badc0de-5eed-4abc-bdef-00000000beefx",  # extra character after a valid GUID
    "0badc0de-5eed-4abc-bdef-00000000beef\n",  # a line break after it
    "x0badc0de-5eed-4abc-bdef-00000000beef",  # a character before it
    "0BADC0DE-5EED-4ABC-BDEF-00000000BEEF",  # upper case: the list is lower-case by contract
    "0badc0d-5eed-4abc-bdef-00000000beef",  # 7-4-4-4-12
    "0badc0dee-5eed-4abc-bdef-00000000beef",  # 9-4-4-4-12
    "0badc0de-5ee-4abc-bdef-00000000beef",  # 8-3-...
    "0badc0de-5eedd-4abc-bdef-00000000beef",  # 8-5-...
    "0badc0de-5eed-4ab-bdef-00000000beef",  # 8-4-3-...
    "0badc0de-5eed-4abcd-bdef-00000000beef",  # 8-4-5-...
    "0badc0de-5eed-4abc-bde-00000000beef",  # 8-4-4-3-...
    "0badc0de-5eed-4abc-bdeff-00000000beef",  # 8-4-4-5-...
    "0badc0de-5eed-4abc-bdef-0000000beef",  # ...-11
    "0badc0de-5eed-4abc-bdef-000000000beef",  # ...-13
    "0badc0dg-5eed-4abc-bdef-00000000beef",  # g is not hexadecimal
    "0badc0de-5eeg-4abc-bdef-00000000beef",
    "0badc0de-5eed-4abg-bdef-00000000beef",
    "0badc0de-5eed-4abc-bdeg-00000000beef",
    "0badc0de-5eed-4abc-bdef-00000000beeg",
    "0badc0de5eed-4abc-bdef-00000000beef-",  # hyphens in the wrong places
]


def test_guid_check_accepts_hex_letters_in_every_group() -> None:
    assert membership_text(GUIDS) == ",".join(GUIDS)


@pytest.mark.parametrize("bad", NOT_GUIDS)
def test_guid_check_refuses_each_group_one_off_and_anything_around_it(bad: str) -> None:
    with pytest.raises(ValueError, match="not a lower-case subscription GUID"):
        membership_text([GUIDS[0], bad])


def test_guid_error_names_the_first_id_that_is_not_a_guid() -> None:
    # The operator finds the offending id in the message: the first one, quoted.
    with pytest.raises(ValueError) as caught:
        membership_text([GUIDS[0], "Not-A-Guid", GUIDS[1], "second-bad"])
    assert "'Not-A-Guid'" in str(caught.value) and "second-bad" not in str(caught.value)


# The report time: an ISO 8601 UTC instant, seconds, optionally 1 to 7 fractional digits (Kusto's
# datetime has 100 ns ticks, "The datetime data type"), or the deployed workflow's interpolation.
GOOD_TIMES = ["2026-11-23T07:00:00Z", "2026-11-23T07:00:00.1Z", "2026-11-23T07:00:00.1234567Z"]
BAD_TIMES = [
    "2026-11-23T07:00:00.Z",  # a point without digits
    "2026-11-23T07:00:00.12345678Z",  # 8 fractional digits: finer than Kusto's ticks
    "2026-11-23T07:00:00Zjunk",  # extra characters after a valid time
    "2026-11-23T07:00:00Z)",
    "2026-11-23T07:00:00Z\n",  # a line break after it
    "2026-11-23T07:00:00",  # no zone
    "x2026-11-23T07:00:00Z",
    "2026-11-23 07:00:00Z",
]


@pytest.mark.parametrize("time", GOOD_TIMES)
def test_report_time_accepts_seconds_and_one_to_seven_fraction_digits(time: str) -> None:
    assert f"let ReportTime = datetime({time});" in render_query("overall", SETTINGS, time)


@pytest.mark.parametrize("time", BAD_TIMES)
def test_report_time_refuses_anything_else(time: str) -> None:
    with pytest.raises(ValueError, match="report_time"):
        render_query("overall", SETTINGS, time)


def test_deployed_report_time_is_the_utcnow_interpolation() -> None:
    # Workflow Definition Language: "@{...}" interpolates an expression into a string; utcNow() is the
    # current time ("Reference guide to workflow expression functions", utcNow).
    queries = render_queries(SETTINGS, "@{utcNow()}")
    assert all("let ReportTime = datetime(@{utcNow()});" in text for text in queries.values())


def test_unknown_query_name_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(ValueError) as caught:
        render_query("overal", SETTINGS, "2026-11-23T07:00:00Z")
    message = str(caught.value)
    assert "'overal'" in message
    for name in ("overall", "subscriptions", "trend", "top_controls", "unhealthy_controls", "freshness",
                 "changes", "recommendations", "coverage"):
        assert name in message


def test_one_piece_left_over_after_64_is_kept_as_it_is() -> None:
    # "@{" 64 times: cut after every "@", 65 pieces ("@", then "{@" 63 times, then "{"). Kusto's strcat
    # takes at most 64 arguments, so the first 64 go into one strcat and the 65th is its own argument.
    inner = ", ".join(['"@"'] + ['"{@"'] * 63)
    assert kql_string("@{" * 64) == f'strcat(strcat({inner}), "{{")'
