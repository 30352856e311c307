"""The definition's module-level values the constants mutation runs (seeds 1 and 2) left untested: the
schedule's start time, the room the member list leaves for run-time values, how long an ACS send is followed
and how often it is read, the discovery's variables action, and the retry policies of the Http reads.

Sources: Learn "Schema reference guide for trigger and action types in Azure Logic Apps", Recurrence
trigger (startTime "YYYY-MM-DDThh:mm:ss if you specify a time zone -or- YYYY-MM-DDThh:mm:ssZ if you
don't"); Learn "Limits and configuration for Azure Logic Apps" (expression evaluation limit, 131,072
characters); REST spec Communication Email 2025-09-01, example GetOperationStatusReturnsNonTerminalStatus.json;
docs/design.md ("Zero-touch mode": Follow_send, "up to 6 rounds", "6 status reads per run";
"Management-group mode": Initialize_discovery at the top level); Learn "Create variables to store and manage
values in Azure Logic Apps" (variables are declared at the top level only); Learn "Handle errors and
exceptions in Azure Logic Apps", retry policies (exponential: count 1 to 90, interval, optional maximumInterval
whose "default value is 1 day (P1D)"); docs/design.md, "Sources of every shape": retries "queries:
exponential, 4 retries from 15 s".
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from securescore.datasources.sample import SampleSource
from securescore.emulator.errors import UnsupportedConstructError
from securescore.emulator.local_run import run_locally
from securescore.emulator.runner import HttpRequest
from securescore.logicapp.definition import build_definition
from securescore.logicapp.discovery import max_filtered_subscriptions
from securescore.queries import KQL_DIR
from tests.conftest import REPORT_NOW, make_settings
from tests.test_mgmt_workflow import _arm_error, member_id, members, mgmt_settings, run, score_rows
from tests.test_zerotouch_definition import _final_columns

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}
GROUP = {"managementGroupId": "contoso-landing-zones", "subscriptions": []}

# --- the weekly trigger's start time -----------------------------------------------------------------

# Learn, Recurrence trigger: "YYYY-MM-DDThh:mm:ss if you specify a time zone" (the example: "2017-09-18T14:00:00"
# with "Pacific Standard Time"); with a Z only when no time zone is given. Learn "Schedule and run recurring
# workflows", a recurrence with a schedule: "Runs the first workload *no sooner* than the start time", so a start
# time in the past puts the schedule in force at once.
START_WITH_TIME_ZONE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


@pytest.mark.parametrize("time_zone", ["UTC", "W. Europe Standard Time", "Pacific Standard Time"])
def test_the_schedule_starts_at_a_past_local_time_in_the_documented_form(time_zone: str) -> None:
    """Recurrence with a timeZone: startTime is YYYY-MM-DDThh:mm:ss, no offset, a real date; and it lies in the
    past, so the first scheduled week day after the deployment already sends a report."""
    trigger = build_definition(make_settings(scheduleTimeZone=time_zone))["triggers"]["Weekly_schedule"]
    recurrence = trigger["recurrence"]
    assert recurrence["timeZone"] == time_zone
    start = recurrence["startTime"]
    assert START_WITH_TIME_ZONE.fullmatch(start), start
    parsed = datetime.strptime(start, "%Y-%m-%dT%H:%M:%S")
    assert parsed < REPORT_NOW.replace(tzinfo=None)


# --- how many subscription ids the KQL can carry ---------------------------------------------------------

MEMBERSHIP = "@{outputs('Compose_subscription_filter')}"  # replaced by the ids at run time
REPORT_TIME = "@{utcNow()}"  # replaced by utcNow()'s value at run time


def _queries(characters: int) -> dict[str, str]:
    """A longest query of `characters` characters besides its two placeholders, and a shorter one."""
    return {"longest": MEMBERSHIP + REPORT_TIME + "x" * characters, "short": REPORT_TIME + "print 1"}


@pytest.mark.parametrize(("characters", "ids"), [
    # 131,072 (the evaluation limit) - 256 (kept for the run-time values) = 130,816 characters for the
    # longest query and the ids, 37 characters each (a GUID and its comma). 130,816 = 37 x 3,535 + 21:
    (21, 3535),  # 130,816 - 21 = 130,795 = 37 x 3,535 exactly: every character is used
    (22, 3534),  # 130,794 = 37 x 3,534 + 36: one character more costs a whole id
    (58, 3534),  # 130,758 = 37 x 3,534: the next exact fit
    (59, 3533),
])
def test_the_member_capacity_leaves_256_characters_for_run_time_values(characters: int, ids: int) -> None:
    """maxFilteredSubscriptions: whole ids of 37 characters in what the limit leaves after the longest query
    (its placeholders not counted) and a margin of 256 characters, at the boundaries where one id runs out."""
    assert len(_queries(characters)["longest"]) - len(MEMBERSHIP) - len(REPORT_TIME) == characters
    assert max_filtered_subscriptions(_queries(characters)) == ids


def test_a_query_that_leaves_no_room_carries_no_ids() -> None:
    """Past the limit the capacity is 0 (the queries then run unfiltered), never a negative count."""
    assert max_filtered_subscriptions(_queries(130_816 - 36)) == 0  # room for less than one id
    assert max_filtered_subscriptions(_queries(130_816 - 37)) == 1  # room for exactly one
    assert max_filtered_subscriptions(_queries(131_072)) == 0


# --- following an ACS send ----------------------------------------------------------------------------------


def test_a_send_still_running_is_read_six_times_and_no_more() -> None:
    """Follow_send reads the status at most 6 times (design.md: "up to 6 rounds", one every 10 s: one minute,
    within the Azure-managed domain's 10 status reads a minute and 20 an hour). What Logic Apps then makes of
    the loop the emulator does not claim: it stops there and says so."""
    reads: list[HttpRequest] = []

    def still_running(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action != "Get_send_status":
            return None
        reads.append(request)
        # GetOperationStatusReturnsNonTerminalStatus.json: 200, retry-after "100", {id, status: Running}.
        return {"statusCode": 200, "headers": {"retry-after": "100"},
                "body": {"id": request.uri.rsplit("/", 1)[-1], "status": "Running"}}

    settings = make_settings(3, **ACS)
    with pytest.raises(UnsupportedConstructError, match="'Follow_send' reaching its limit of 6 iterations"):
        run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW, http_faults=still_running)
    assert len(reads) == 6
    assert len({request.uri for request in reads}) == 1  # always the one operation of the run


def test_a_send_that_succeeds_at_the_sixth_read_is_not_read_again() -> None:
    """The loop ends at the first terminal status, here on its sixth and last round: the run succeeds."""
    reads: list[str] = []

    def succeeds_late(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action != "Get_send_status":
            return None
        reads.append(request.uri)
        status = "Succeeded" if len(reads) == 6 else "Running"  # the spec's terminal and non-terminal values
        return {"statusCode": 200, "headers": {}, "body": {"id": request.uri.rsplit("/", 1)[-1], "status": status}}

    settings = make_settings(3, **ACS)
    result = run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW, http_faults=succeeds_late)
    assert len(reads) == 6 and len(result.emails) == 1
    assert result.run.status == "Succeeded" and result.run.actions["Delivery_failed"].status == "Skipped"


def test_each_status_read_waits_ten_seconds_so_the_follow_lasts_one_minute() -> None:
    """design.md: "Wait 10 s, GET {endpoint}/emails/operations/{id}, up to 6 rounds": one read every 10 s, at
    most 6 a minute (the Azure-managed domain allows 10), over one minute in all."""
    follow = build_definition(make_settings(**ACS))["actions"]["Follow_send"]
    wait = follow["actions"]["Wait_before_status"]
    assert wait["inputs"]["interval"] == {"count": 10, "unit": "Second"}
    assert follow["actions"]["Get_send_status"]["runAfter"] == {"Wait_before_status": ["Succeeded"]}
    assert follow["limit"]["count"] * wait["inputs"]["interval"]["count"] == 60


# --- retries of the Http reads --------------------------------------------------------------------------------

# 4 retries from 15 s (design.md), each wait at most 2 minutes: without maximumInterval an exponential
# policy's wait may grow to Logic Apps' default of 1 day.
READ_RETRIES = {"type": "exponential", "count": 4, "interval": "PT15S", "maximumInterval": "PT2M"}


def test_the_query_and_resource_graph_reads_retry_four_times_waiting_at_most_two_minutes() -> None:
    """Every Http read (Query_<name> with logsQuery http, Read_resource_graph) has the same bounded policy."""
    actions = build_definition(make_settings(**{**GROUP, "logsQuery": "http"}))["actions"]["Run_queries"]["actions"]
    reads = {name: action["inputs"]["retryPolicy"] for name, action in actions.items()
             if name.startswith("Query_") and action["type"] == "Http"}
    assert len(reads) >= 7
    reads["Read_resource_graph"] = actions["Discover_subscriptions"]["actions"]["Read_resource_graph"]["inputs"][
        "retryPolicy"]
    assert all(policy == READ_RETRIES for policy in reads.values()), reads


def test_the_acs_send_retries_three_times_from_30_seconds_waiting_at_most_five_minutes() -> None:
    """design.md: the send retries "exponential, 3 from 30 s" (a 429 on the managed domain's 5 emails a minute, or
    a 5xx; the Operation-Id makes a retry the same send); each wait at most 5 minutes, not the default 1 day."""
    actions = build_definition(make_settings(**ACS))["actions"]
    for name in ("Send_report", "Send_failure_notice"):
        assert actions[name]["inputs"]["retryPolicy"] == {
            "type": "exponential", "count": 3, "interval": "PT30S", "maximumInterval": "PT5M"}, name


def test_a_throttled_resource_graph_read_is_tried_five_times_then_the_failure_notice_goes() -> None:
    """count 4: the first call and 4 retries of a 429 (retried: Learn, "Handle errors and exceptions"), then
    the run fails and says so."""
    calls: list[str] = []

    def throttled(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action != "Read_resource_graph":
            return None
        calls.append(action)
        # A 429 as Resource Graph answers it (docs/design.md: RateLimiting, Azure/azure-cli-extensions#3325).
        return _arm_error(429, "RateLimiting", "Client application has been throttled")

    result = run(mgmt_settings(), members(3), score_rows([member_id(1)]), http_faults=throttled)
    assert len(calls) == 5 and result.run.actions["Read_resource_graph"].attempts == 5
    assert result.email.action == "Send_failure_notice"


# --- the discovery's variables -------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "initialized"), [
    pytest.param(GROUP, {"Initialize_discovery"}, id="management-group"),
    pytest.param({**GROUP, **ACS}, {"Initialize_discovery", "Initialize_operation_id"}, id="management-group+acs"),
])
def test_the_discovery_variables_are_initialized_at_the_top_before_the_queries(
        mode: dict[str, Any], initialized: set[str]) -> None:
    """Variables are declared at the top level only (Learn "Create variables to store and manage values in Azure
    Logic Apps": not within scopes, conditions or loops); design.md names this action Initialize_discovery and
    runs Run_queries after it."""
    actions = build_definition(make_settings(**mode))["actions"]
    init = actions["Initialize_discovery"]
    assert init["type"] == "InitializeVariable" and init["runAfter"] == {}
    assert init["inputs"]["variables"] == [
        {"name": "discoveredSubscriptions", "type": "array", "value": []},
        {"name": "resourceGraphSkipToken", "type": "string", "value": ""},
    ]
    assert actions["Run_queries"]["runAfter"] == {name: ["Succeeded"] for name in initialized}
    assert {name for name, action in actions.items() if action["type"] == "InitializeVariable"} == initialized


def test_the_coverage_rows_name_the_coverage_querys_two_columns_in_order() -> None:
    """logsQuery http answers positional rows; Rows_coverage names them as coverage.kql projects them
    (design.md, coverage: `ReportingIds`, then `SeenIds`), so the coverage section reads each list."""
    coverage = (KQL_DIR / "coverage.kql").read_text()
    assert _final_columns(coverage) == ["ReportingIds", "SeenIds"]
    actions = build_definition(make_settings(**{**GROUP, "logsQuery": "http"}))["actions"]["Run_queries"]["actions"]
    assert actions["Rows_coverage"]["inputs"]["select"] == {"ReportingIds": "@item()?[0]", "SeenIds": "@item()?[1]"}
