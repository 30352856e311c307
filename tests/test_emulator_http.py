"""Http and ApiConnection actions: the responder protocol, failures and retry policies.

Shapes after Microsoft's "Schema reference guide for trigger and action types" (HTTP action:
method, uri, headers, queries, body, authentication, retryPolicy; `"queries": {"api-version":
"2018-01-01"}` adds `?api-version=2018-01-01`) and "Handle errors and exceptions in Azure Logic
Apps" (Retry policies: 408, 429 and 5xx are retried; the default policy sends up to four retries).
"""

from __future__ import annotations

from typing import Any

import pytest

from securescore.emulator import ConnectorError, HttpRequest, UnsupportedConstructError
from tests.emulator.helpers import action, compose, run

MSI = {"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"}


def http(uri: str = "https://mynews.example.com/latest", run_after=None, **inputs: Any) -> dict[str, Any]:
    return action("Http", {"method": "GET", "uri": uri, **inputs}, run_after)


class Responder:
    """Answers from a list, one answer per call (the last one repeats), recording each request."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers) or [{"statusCode": 200, "headers": {}, "body": {}}]
        self.requests: list[tuple[str, HttpRequest]] = []

    def __call__(self, name: str, request: HttpRequest) -> dict[str, Any]:
        self.requests.append((name, request))
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_the_responder_gets_the_evaluated_request_and_answers_the_action() -> None:
    responder = Responder({"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": {"value": [1]}})
    actions = {
        "HTTP": http(
            "https://mynews.example.com/@{parameters('path')}",
            queries={"api-version": "2018-01-01"},
            headers={"Accept-Language": "en-us"},
            body={"query": "@concat('a', 'b')"},
            authentication=MSI,
        ),
        "Use": compose("@body('HTTP')?['value']", {"HTTP": ["Succeeded"]}),
    }
    result = run(actions, http=responder, declared={"path": {"type": "String", "defaultValue": "latest"}})
    ((name, request),) = responder.requests
    assert name == "HTTP"
    assert request.method == "GET"
    assert request.url == "https://mynews.example.com/latest?api-version=2018-01-01"
    assert request.body == {"query": "ab"}
    assert request.audience == "https://management.azure.com/"
    assert request.header("accept-language") == "en-us"
    assert result.actions["HTTP"].outputs == {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": {"value": [1]},
    }
    assert result.actions["Use"].outputs == [1]
    assert result.actions["HTTP"].code == "OK"


@pytest.mark.parametrize(
    ("status", "code"), [(199, "199"), (300, "MultipleChoices"), (404, "NotFound"), (400, "BadRequest")]
)
def test_a_status_outside_2xx_fails_the_action(status: int, code: str) -> None:
    answer = {"statusCode": status, "body": {"error": {"code": "PathNotFound", "message": "no such path"}}}
    result = run(
        {"HTTP": http(), "Handler": compose("@actions('HTTP')['error']['code']", {"HTTP": ["Failed"]})},
        http=Responder(answer),
    )
    assert result.actions["HTTP"].status == "Failed"
    assert result.actions["HTTP"].code == code
    assert result.actions["Handler"].outputs == "PathNotFound"


@pytest.mark.parametrize("status", [200, 204, 299])
def test_every_2xx_status_succeeds(status: int) -> None:
    assert run({"HTTP": http()}, http=Responder({"statusCode": status})).actions["HTTP"].status == "Succeeded"


def test_retryable_statuses_are_retried_four_times_by_default() -> None:
    responder = Responder({"statusCode": 503})
    result = run({"HTTP": http()}, http=responder)
    assert len(responder.requests) == 5  # the first call and four retries
    assert result.actions["HTTP"].attempts == 5
    assert result.actions["HTTP"].status == "Failed"


@pytest.mark.parametrize("status", [408, 429, 500, 599])
def test_a_transient_failure_then_success(status: int) -> None:
    responder = Responder({"statusCode": status}, {"statusCode": 200, "body": "ok"})
    result = run({"HTTP": http()}, http=responder)
    assert result.actions["HTTP"].status == "Succeeded"
    assert result.actions["HTTP"].attempts == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
def test_other_failures_are_not_retried(status: int) -> None:
    responder = Responder({"statusCode": status})
    run({"HTTP": http()}, http=responder)
    assert len(responder.requests) == 1


@pytest.mark.parametrize(
    ("policy", "calls"),
    [
        ({"type": "none"}, 1),
        ({"type": "fixed", "interval": "PT30S", "count": 2}, 3),
        ({"type": "exponential", "count": 1, "interval": "PT7S"}, 2),
    ],
)
def test_retry_policies(policy: dict, calls: int) -> None:
    # The "Fixed interval" example: "attempts to get the latest news two more times after the first failed request"
    responder = Responder({"statusCode": 500})
    run({"HTTP": http(retryPolicy=policy)}, http=responder)
    assert len(responder.requests) == calls


@pytest.mark.parametrize(
    "policy", [{"type": "fixed", "count": 0}, {"type": "fixed", "count": 91}, {"type": "sometimes"}]
)
def test_retry_policies_outside_the_documented_range_are_unsupported(policy: dict) -> None:
    # "The number of retry attempts, which must be between 1 and 90"; types: default, none, fixed, exponential
    with pytest.raises(UnsupportedConstructError, match="retryPolicy"):
        run({"HTTP": http(retryPolicy=policy)}, http=Responder())


def test_connectivity_failures_are_retried_only_when_retryable() -> None:
    flaky = Responder(ConnectorError("connection reset", retryable=True), {"statusCode": 200})
    assert run({"HTTP": http()}, http=flaky).actions["HTTP"].status == "Succeeded"
    broken = Responder(ConnectorError("no route", code="NoRoute"))
    result = run({"HTTP": http()}, http=broken)
    assert len(broken.requests) == 1
    assert result.actions["HTTP"].error == {"code": "NoRoute", "message": "no route"}


def test_the_asynchronous_pattern_is_refused_unless_disabled() -> None:
    accepted = {"statusCode": 202, "headers": {"Location": "https://mynews.example.com/status/1"}}
    with pytest.raises(UnsupportedConstructError, match="asynchronous polling pattern"):
        run({"HTTP": http()}, http=Responder(accepted))
    disabled = http()
    disabled["operationOptions"] = "DisableAsyncPattern"
    assert run({"HTTP": disabled}, http=Responder(accepted)).actions["HTTP"].status == "Succeeded"
    no_location = {"statusCode": 202, "headers": {"Operation-Location": "https://x.example/op"}}
    assert run({"HTTP": http()}, http=Responder(no_location)).actions["HTTP"].status == "Succeeded"


@pytest.mark.parametrize("kind", ["Basic", "ClientCertificate", "ActiveDirectoryOAuth", "Raw"])
def test_other_authentication_types_are_unsupported(kind: str) -> None:
    with pytest.raises(UnsupportedConstructError, match=f"Http authentication of type '{kind}'"):
        run({"HTTP": http(authentication={"type": kind})}, http=Responder())


def test_an_http_action_needs_a_responder_before_anything_runs() -> None:
    with pytest.raises(UnsupportedConstructError, match="Http action 'HTTP': the run was given no HTTP responder"):
        run({"First": compose(1), "HTTP": http(run_after={"First": ["Succeeded"]})})


def test_api_connections_use_the_same_retry_policy() -> None:
    calls: list[str] = []

    def connector(name: str, inputs: dict) -> dict:
        calls.append(name)
        return {"statusCode": 429, "body": None} if len(calls) == 1 else {"statusCode": 200, "body": {"value": []}}

    declared = {"$connections": {"type": "Object", "defaultValue": {"x": {"connectionId": "/c/x"}}}}
    api = action(
        "ApiConnection", {"host": {"connection": {"name": "@parameters('$connections')['x']['connectionId']"}}}
    )
    result = run({"Query": api}, connector=connector, declared=declared)
    assert calls == ["Query", "Query"]
    assert result.actions["Query"].status == "Succeeded"
