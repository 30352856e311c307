"""Module-level values of the emulator that its first constants sample (seed 1) showed untested: the
fraction's 7 digits, the default ports of uriPort, the functions it refuses as unsupported, the retry
policy types, the exponent of a number literal."""

from __future__ import annotations

import pytest

from securescore.emulator.errors import UnsupportedConstructError
from securescore.emulator.expressions import ExpressionError
from tests.emulator.helpers import action, ev, run


def test_a_timestamp_fraction_has_at_most_seven_digits() -> None:
    # .NET DateTime has 100 ns ticks: ISO 8601 round-trip text ("o") carries 7 fraction digits.
    assert ev("ticks('0001-01-01T00:00:00.0000001Z')") == 1
    with pytest.raises(ExpressionError):
        ev("ticks('0001-01-01T00:00:00.00000001Z')")


@pytest.mark.parametrize(("uri", "port"), [
    ("http://example.com/a", 80), ("https://example.com/a", 443), ("ftp://example.com/a", 21),
    ("ws://example.com/a", 80), ("wss://example.com/a", 443), ("https://www.localhost:8080", 8080)])
def test_uri_port_gives_the_schemes_default_port(uri: str, port: int) -> None:
    # Reference, uriPort: "Return the port value for a uniform resource identifier (URI)";
    # uriPort('https://www.localhost:8080') is 8080. Without one, the scheme's default: http and ws 80
    # (RFC 9110, RFC 6455), https and wss 443, ftp 21.
    assert ev(f"uriPort('{uri}')") == port


@pytest.mark.parametrize("name", ["triggerFormDataValue", "triggerFormDataMultiValues", "triggerMultipartBody"])
def test_the_trigger_form_data_functions_are_unsupported_not_invalid(name: str) -> None:
    # Reference, workflow functions: they read a request trigger's form data, which a preview run never has;
    # the refusal says so, rather than that the function is unknown.
    with pytest.raises(UnsupportedConstructError, match="form-data"):
        ev(f"{name}('key')")


def test_the_default_retry_policy_type_is_accepted() -> None:
    # "Handle errors and exceptions in Azure Logic Apps", retry policies: type default, none, fixed, exponential.
    inputs = {"method": "GET", "uri": "https://example.com/a", "retryPolicy": {"type": "default"}}
    result = run({"Get": action("Http", inputs)}, http=lambda name, request: {"statusCode": 200, "body": None})
    assert result.actions["Get"].status == "Succeeded"


def test_a_number_literal_needs_digits_after_its_exponent() -> None:
    # Reference, expressions: numbers are written as JSON numbers, where an exponent has digits (RFC 8259, 6).
    assert ev("add(1e2, 0)") == 100
    with pytest.raises(ExpressionError):
        ev("add(1e, 0)")
