"""Rules the emulator's seed-7 mutation sample showed untested: the era and currency formats,
nthIndexOf's not-found result, a failed container's error, the If's refusal, an Http action's
queries, runtimeConfiguration outside a Foreach, and the preview's own run (its run name in the
failure notice, the Resource Graph stand-in answering the stack's management group)."""

from __future__ import annotations

import pytest

from securescore.datasources.sample import SampleSource
from securescore.emulator.errors import UnsupportedConstructError
from securescore.emulator.local_run import PREVIEW_RUN_NAME, run_locally
from tests.conftest import REPORT_NOW, make_settings
from tests.emulator.helpers import action, compose, ev, run


def test_gg_writes_the_era() -> None:
    # .NET "Custom date and time format strings": "g", "gg": the period or era, e.g. "A.D.".
    assert ev("formatDateTime('2018-03-15T00:00:00Z', 'yyyy gg')") == "2018 A.D."


def test_the_currency_format_takes_amounts_below_one() -> None:
    # Reference, formatNumber: formatNumber(17.35, 'C2') returns '$17.35'; an amount below 1 keeps its 0.
    assert ev("formatNumber(17.35, 'C2')") == "$17.35"
    assert ev("formatNumber(0.35, 'C2')") == "$0.35"
    assert ev("formatNumber(0, 'C2')") == "$0.00"


def test_nth_index_of_gives_minus_one_when_there_is_no_such_occurrence() -> None:
    # Reference, nthIndexOf: nthIndexOf('123456789123465789', '1', 1) is 0, (..., '1', 2) is 9,
    # (..., '12', 2) is 9, (..., '6', 4) is -1.
    text = "'123456789123465789'"
    assert ev(f"nthIndexOf({text}, '1', 1)") == 0
    assert ev(f"nthIndexOf({text}, '1', 2)") == 9
    assert ev(f"nthIndexOf({text}, '12', 2)") == 9
    assert ev(f"nthIndexOf({text}, '6', 4)") == -1


def test_a_failed_container_has_the_action_failed_error() -> None:
    # Recorded run histories: a failed container's error is {"code": "ActionFailed", "message": "An action
    # failed. No dependent actions succeeded."}.
    result = run({"Outer": action("Scope", None, actions={"Bad": compose("@div(1, 0)")})})
    assert result.actions["Outer"].error == {
        "code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."}


def test_an_if_whose_expression_is_not_boolean_says_what_it_got() -> None:
    result = run({"Check": action("If", expression="@'yes'", actions={})})
    assert result.actions["Check"].status == "Failed"
    assert "not String" in result.actions["Check"].error["message"]


@pytest.mark.parametrize("field", ["queries", "headers"])
def test_an_http_action_needs_object_queries_and_headers(field: str) -> None:
    # Schema reference, HTTP action: "queries" and "headers" are JSON objects.
    inputs = {"method": "GET", "uri": "https://example.com/a", field: "a=b"}
    result = run({"Get": action("Http", inputs)}, http=lambda name, request: {"statusCode": 200, "body": None})
    assert result.actions["Get"].status == "Failed"
    assert "queries and headers must be objects" in result.actions["Get"].error["message"]


def test_concurrency_outside_a_foreach_is_refused_as_unsupported() -> None:
    # runtimeConfiguration.concurrency belongs to triggers and Foreach loops (schema reference, "Change
    # trigger concurrency" / "Change for each concurrency"); the emulator runs it only on a Foreach.
    body = compose(1)
    body["runtimeConfiguration"] = {"concurrency": {"repetitions": 1}}
    with pytest.raises(UnsupportedConstructError, match=r"runtimeConfiguration\.concurrency"):
        run({"A": body})


def test_the_failure_notice_names_the_preview_run() -> None:
    settings = make_settings(2)
    record = run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW, fail_query="overall")
    assert record.email.action == "Send_failure_notice"
    assert PREVIEW_RUN_NAME in record.email.html


def test_the_preview_of_a_management_group_reads_the_group_from_resource_graph() -> None:
    settings = make_settings(managementGroupId="contoso-landing-zones", subscriptions=[])
    record = run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW)
    graph_reads = [run_ for run_ in record.run.actions.values()
                   if run_.type.lower() == "http" and "Microsoft.ResourceGraph" in str(run_.inputs)]
    assert graph_reads
    assert all(run_.status == "Succeeded" and run_.outputs["statusCode"] == 200 for run_ in graph_reads)
