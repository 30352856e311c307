"""Calls out: ApiConnection (answered by the connector callback) and Http (answered by the HTTP
responder), both with Logic Apps' retry policies.

- Http inputs (schema reference for trigger and action types, HTTP action): method, uri, headers,
  queries, body, authentication. Authentication may be absent or `ManagedServiceIdentity` (with an
  optional `audience` and `identity`); other types (Basic, ClientCertificate, ActiveDirectoryOAuth,
  Raw) are unsupported: the preview never handles credentials.
- A status outside 2xx fails the action; its code is the status phrase (404 -> NotFound) and the
  error comes from the body's `error` object when there is one.
- Retry policies ("Handle errors and exceptions in Azure Logic Apps", Retry policies): a 408, 429
  or 5xx answer, or a `ConnectorError(retryable=True)`, is retried: 4 times by default, `count`
  times for `fixed` and `exponential`, never for `none`. Each retry calls the callback again; no
  time passes between attempts (the run's clock is pinned), so intervals are only checked for form.
- A 202 answer with a `Location` header starts Logic Apps' asynchronous polling pattern, which the
  emulator cannot follow (unless the action sets `operationOptions: DisableAsyncPattern`).
- `limit.timeout` of a call is accepted and never reached, for the same pinned-clock reason.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from securescore.emulator.errors import ConnectorError, ExpressionError, cannot_run
from securescore.emulator.runner.model import ActionRun
from securescore.emulator.runner.protocols import HttpRequest
from securescore.emulator.values import is_int, type_name

if TYPE_CHECKING:
    from securescore.emulator.runner.engine import Engine

Json = Any
DEFAULT_RETRIES = 4
_RETRY_TYPES = ("default", "none", "fixed", "exponential")


def status_phrase_code(status_code: int) -> str:
    """Logic Apps' action code for an HTTP status: 200 -> OK, 404 -> NotFound."""
    try:
        return http.HTTPStatus(status_code).phrase.replace(" ", "").replace("-", "")
    except ValueError:
        return str(status_code)


def error_from_body(status_code: int, body: Json) -> dict[str, Json]:
    inner = body.get("error") if isinstance(body, dict) else None
    if isinstance(inner, dict):
        return {
            "code": str(inner.get("code") or status_code),
            "message": str(inner.get("message") or f"The connector returned HTTP {status_code}"),
        }
    message = body.get("message") if isinstance(body, dict) else None
    return {"code": str(status_code), "message": str(message or f"The connector returned HTTP {status_code}")}


def retries_allowed(name: str, policy: Json) -> int:
    if policy is None:
        return DEFAULT_RETRIES
    if not isinstance(policy, dict) or str(policy.get("type", "")).lower() not in _RETRY_TYPES:
        raise cannot_run(f"the retryPolicy {policy!r} of action '{name}'", f"known types: {', '.join(_RETRY_TYPES)}")
    kind = policy["type"].lower()
    if kind == "none":
        return 0
    if kind == "default":
        return DEFAULT_RETRIES
    count = policy.get("count")
    if not is_int(count) or not 1 <= count <= 90:  # "must be between 1 and 90"
        raise cannot_run(f"the retryPolicy count {count!r} of action '{name}'", "the documented range is 1 to 90")
    return count


def _retryable(status_code: int) -> bool:
    return status_code in (408, 429) or 500 <= status_code <= 599


def call_with_retries(
    name: str, retries: int, call: Callable[[], dict[str, Json]]
) -> tuple[dict[str, Json] | ConnectorError, int]:
    """Call until an answer is not retryable or the retries are used up; the last answer and attempts."""
    attempts = 0
    while True:
        attempts += 1
        try:
            answer: dict[str, Json] | ConnectorError = call()
        except ConnectorError as exc:
            answer = exc
        if isinstance(answer, ConnectorError):
            if not (answer.retryable and attempts <= retries):
                return answer, attempts
            continue
        status_code = answer.get("statusCode") if isinstance(answer, dict) else None
        if not is_int(status_code):
            raise TypeError(f"the answer for action '{name}' has no integer statusCode: {answer!r}")
        if not (_retryable(status_code) and attempts <= retries):
            return answer, attempts


def _end(
    engine: Engine, name: str, action: dict[str, Json], scope: str | None, inputs: Json, answer, attempts: int
) -> ActionRun:
    if isinstance(answer, ConnectorError):
        error = {"code": answer.code, "message": str(answer)}
        return engine.finish(
            name, action, scope, "Failed", inputs=inputs, error=error, code=answer.code, attempts=attempts
        )
    status_code, body = answer["statusCode"], answer.get("body")
    outputs = {"statusCode": status_code, "headers": answer.get("headers") or {}, "body": body}
    code = status_phrase_code(status_code)
    if not 200 <= status_code <= 299:
        error = error_from_body(status_code, body)
        return engine.finish(
            name,
            action,
            scope,
            "Failed",
            inputs=inputs,
            outputs=outputs,
            error=error,
            code=code,
            body=body,
            attempts=attempts,
        )
    return engine.finish(
        name, action, scope, "Succeeded", inputs=inputs, outputs=outputs, code=code, body=body, attempts=attempts
    )


def api_connection(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = engine.evaluate(action.get("inputs"))
    retries = retries_allowed(name, inputs.get("retryPolicy") if isinstance(inputs, dict) else None)
    answer, attempts = call_with_retries(name, retries, lambda: engine.connector(name, inputs))
    return _end(engine, name, action, scope, inputs, answer, attempts)


def _http_request(name: str, inputs: Json) -> HttpRequest:
    if not isinstance(inputs, dict):
        raise ExpressionError(f"action '{name}' needs inputs with a method and a uri")
    method, uri = inputs.get("method"), inputs.get("uri")
    if not isinstance(method, str) or not isinstance(uri, str):
        raise ExpressionError(
            f"action '{name}' needs a string method and uri, got {type_name(method)} and {type_name(uri)}"
        )
    authentication = inputs.get("authentication")
    if authentication is not None:
        kind = authentication.get("type") if isinstance(authentication, dict) else None
        if not isinstance(kind, str) or kind.lower() != "managedserviceidentity":
            raise cannot_run(f"Http authentication of type {kind!r}", "only ManagedServiceIdentity is emulated")
    queries, headers = inputs.get("queries") or {}, inputs.get("headers") or {}
    if not isinstance(queries, dict) or not isinstance(headers, dict):
        raise ExpressionError(f"action '{name}': queries and headers must be objects")
    return HttpRequest(method.upper(), uri, queries, headers, inputs.get("body"), authentication)


def _async_pattern(action: dict[str, Json]) -> bool:
    options = str(action.get("operationOptions") or "").lower().replace(" ", "").split(",")
    return "disableasyncpattern" not in options


def http_action(engine: Engine, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
    inputs = engine.evaluate(action.get("inputs"))
    request = _http_request(name, inputs)
    retries = retries_allowed(name, inputs.get("retryPolicy"))
    responder = engine.http
    if responder is None:
        raise cannot_run(f"Http action '{name}'", "the run was given no HTTP responder")
    answer, attempts = call_with_retries(name, retries, lambda: responder(name, request))
    if not isinstance(answer, ConnectorError) and answer["statusCode"] == 202 and _async_pattern(action):
        headers = {str(key).lower() for key in (answer.get("headers") or {})}
        if "location" in headers:
            raise cannot_run(
                "the asynchronous polling pattern (202 with a Location header)",
                "answer 200, or set operationOptions DisableAsyncPattern",
            )
    return _end(engine, name, action, scope, inputs, answer, attempts)
