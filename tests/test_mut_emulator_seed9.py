"""Rules emulator seed 9's survivors showed untested: full month names when parsing, a lower-case
exponent, strings and objects compared by value, the messages that name what cannot run or is
invalid, a Wait inside a Scope, the run's resource type, and the preview's Communication Services and
Resource Graph stand-ins."""

from __future__ import annotations

import pytest

from securescore.emulator.errors import ExpressionError, UnsupportedConstructError
from securescore.emulator.local_run import PREVIEW_ACS_ENDPOINT, LocalAzure, LocalRun
from securescore.emulator.resource_graph import ResourceGraphStandIn
from securescore.emulator.runner import HttpRequest
from securescore.logicapp import discovery
from tests.emulator.helpers import action, compose, ev, run
from tests.test_mut_emulator_edges import local_azure

# --- dates: "MMMM" is the full month name, "MMM" its first three letters -------------------------------


@pytest.mark.parametrize(("expression", "expected"), [
    # .NET "Custom date and time format strings": "MMMM" the full name of the month, "MMM" abbreviated.
    ("parseDateTime('15 January 2026', 'en-US', 'dd MMMM yyyy')", "2026-01-15T00:00:00.0000000"),
    ("parseDateTime('15 Jan 2026', 'en-US', 'dd MMM yyyy')", "2026-01-15T00:00:00.0000000"),
    ("parseDateTime('Friday 29 August 2008', 'en-US', 'dddd dd MMMM yyyy')", "2008-08-29T00:00:00.0000000"),
])
def test_a_full_month_or_day_name_is_read_whole(expression: str, expected: str) -> None:
    assert ev(expression) == expected


def test_an_unknown_single_letter_format_is_refused_naming_it() -> None:
    """.NET "Standard date and time format strings": a single character that is no standard specifier
    throws a FormatException; the emulator names the letter."""
    with pytest.raises(ExpressionError, match="'Q' is not a valid standard date and time format specifier"):
        ev("formatDateTime('2026-11-23T07:00:00Z', 'Q')")


# --- numbers: an exponent in either case --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["0.###e+0", "0.0e0", "0.0E-0"])
def test_an_exponent_in_either_case_is_unsupported(fmt: str) -> None:
    """.NET "Custom numeric format strings": "E0", "E+0", "E-0", "e0", "e+0", "e-0" are exponential
    notation, in either case."""
    with pytest.raises(UnsupportedConstructError, match="scientific notation"):
        ev(f"formatNumber(86000, '{fmt}')")


# --- values compared by value ---------------------------------------------------------------------------


def test_union_keeps_an_empty_string_and_any_other_string_apart() -> None:
    """union: "an array that has all the items from the collections", each once (reference); '' and
    'XXXX' are two different items."""
    assert ev("union(createArray(''), createArray('XXXX'))") == ["", "XXXX"]
    assert ev("union(createArray('', 'XXXX'), createArray('XXXX', ''))") == ["", "XXXX"]


def test_an_object_does_not_equal_one_with_more_properties() -> None:
    """equals: "Check whether both values ... are equivalent" (reference); an object with one more
    property is another object, in either order."""
    assert ev("equals(json('{\"a\": 1}'), json('{\"a\": 1, \"b\": 2}'))") is False
    assert ev("equals(json('{\"a\": 1, \"b\": 2}'), json('{\"a\": 1}'))") is False
    assert ev("equals(json('{\"a\": 1, \"b\": 2}'), json('{\"b\": 2, \"a\": 1}'))") is True


# --- what cannot run, or is invalid, is named -----------------------------------------------------------


def test_an_unsupported_function_is_named_in_the_refusal() -> None:
    """listCallbackUrl needs the Azure runtime (reference: "Return the callback URL"): unsupported, by name."""
    with pytest.raises(UnsupportedConstructError, match=r"listCallbackUrl\(\)"):
        ev("listCallbackUrl()")


def test_a_select_without_its_template_is_refused_naming_the_action() -> None:
    result = run({"Pick": action("Select", {"from": "@createArray(1, 2)"})})
    assert result.actions["Pick"].status == "Failed"
    assert "action 'Pick' needs a 'select' template" in result.actions["Pick"].error["message"]


def test_an_api_connection_without_a_connector_names_the_action() -> None:
    inputs = {"host": {"connection": {"name": "@parameters('$connections')['office365']['connectionId']"}},
              "method": "post", "path": "/v2/Mail"}
    with pytest.raises(UnsupportedConstructError, match="ApiConnection action 'Send_an_email'"):
        run({"Send_an_email": action("ApiConnection", inputs)},
            declared={"$connections": {"type": "Object", "defaultValue": {}}},
            parameters={"$connections": {"office365": {"connectionId": "/x"}}})


# --- a Wait inside a Scope belongs to that Scope ---------------------------------------------------------


def test_a_wait_inside_a_scope_is_recorded_in_that_scope() -> None:
    """result('Outer') lists the actions inside the Scope (reference, result()); a Wait is one of them."""
    wait = action("Wait", {"interval": {"count": 1, "unit": "Second"}})
    result = run({"Outer": action("Scope", None, actions={"Pause": wait}),
                  "Inside": compose("@result('Outer')", {"Outer": ["Succeeded"]})})
    assert result.actions["Pause"].scope == "Outer"
    assert [item["name"] for item in result.actions["Inside"].outputs] == ["Pause"]


# --- workflow(): the run's resource type -----------------------------------------------------------------


def test_the_runs_resource_type_is_microsoft_logic_workflows_runs() -> None:
    """WorkflowRun.type in Microsoft.Logic 2019-05-01's WorkflowRuns_Get.json: "Microsoft.Logic/workflows/runs"."""
    result = run({"Run": compose("@workflow()?['run']?['type']")})
    assert result.actions["Run"].outputs == "Microsoft.Logic/workflows/runs"


# --- the preview's Communication Services stand-in ------------------------------------------------------


def _acs(endpoint: str = PREVIEW_ACS_ENDPOINT) -> tuple[LocalAzure, LocalRun]:
    record = LocalRun(run=None)  # type: ignore[arg-type]
    return local_azure(record, endpoint), record


EMAIL = {"type": "ManagedServiceIdentity", "audience": "https://communication.azure.com"}


def _send(azure: LocalAzure, endpoint: str, content: dict) -> dict:
    return azure("Send_report", HttpRequest(
        "POST", f"{endpoint}/emails:send", queries={"api-version": "2025-09-01"},
        headers={"Operation-Id": "op-1"}, body={"content": content, "recipients": {"to": [{"address": "a@b.example"}]}},
        authentication=EMAIL))


def test_an_endpoint_with_a_trailing_slash_is_the_same_endpoint() -> None:
    """The ACS endpoint is a base URI (resource hostName, "https://<name>.communication.azure.com/" in the
    portal): the send is answered at <endpoint>/emails:send without a doubled slash."""
    azure, record = _acs(PREVIEW_ACS_ENDPOINT + "/")
    answer = _send(azure, PREVIEW_ACS_ENDPOINT, {"subject": "s", "html": "<p>h</p>"})
    assert answer["statusCode"] == 202 and [e.subject for e in record.emails] == ["s"]


def test_the_send_answer_has_the_specs_headers_and_the_status_read_is_200() -> None:
    """CommunicationServicesEmail.json 2025-09-01, Email_Send: 202 with Operation-Location and retry-after
    headers, body {id, status: Running}; Email_GetSendResult: 200 with {id, status}."""
    azure, _ = _acs()
    answer = _send(azure, PREVIEW_ACS_ENDPOINT, {"subject": "s", "html": "<p>h</p>"})
    assert set(answer["headers"]) == {"Operation-Location", "retry-after"}
    assert answer["headers"]["Operation-Location"] == (
        f"{PREVIEW_ACS_ENDPOINT}/emails/operations/op-1?api-version=2025-09-01")
    assert answer["body"] == {"id": "op-1", "status": "Running"}
    status = azure("Get_send_status", HttpRequest("GET", f"{PREVIEW_ACS_ENDPOINT}/emails/operations/op-1",
                                                  authentication=EMAIL))
    assert (status["statusCode"], status["body"]) == (200, {"id": "op-1", "status": "Succeeded"})


def test_a_message_without_html_is_captured_with_empty_html() -> None:
    """EmailContent: subject is required, html and plainText optional (the same spec)."""
    azure, record = _acs()
    _send(azure, PREVIEW_ACS_ENDPOINT, {"subject": "s", "plainText": "text only"})
    assert record.emails[0].html == ""


# --- the preview's Resource Graph stand-in ----------------------------------------------------------------


@pytest.mark.parametrize("audience", ["https://management.azure.com/", "https://management.azure.com"])
def test_another_management_group_is_authorization_failed(audience: str) -> None:
    """ARM's code for a caller without rights on the scope: 403 AuthorizationFailed (Learn, "Troubleshoot
    Azure RBAC"). Either form of ARM's audience is a token for ARM (Learn, "Authenticate access ... with
    managed identities": the HTTP action's Audience, e.g. https://management.azure.com/ with or without
    the slash)."""
    graph = ResourceGraphStandIn("mg-contoso", [])
    answer = graph("Discover", HttpRequest(
        "POST", "https://management.azure.com/providers/Microsoft.ResourceGraph/resources",
        queries={"api-version": "2024-04-01"}, body={"query": discovery.SUBSCRIPTIONS_QUERY,
                                                     "managementGroups": ["mg-other"]},
        authentication={"type": "ManagedServiceIdentity", "audience": audience}))
    assert (answer["statusCode"], answer["body"]["error"]["code"]) == (403, "AuthorizationFailed")
