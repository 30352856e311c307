"""Rules scripts' constants seeds 7 and 8 showed untested: a proxy URL with a password but no user name is
redacted, configuring the helpers' logging twice leaves one handler of theirs, a credential's reason
is cut at its limit, the policy identity's role at the group is Contributor, an unknown sign-in error
gets the general fix, and every numeric or boolean column type of the query API is read from text."""

from __future__ import annotations

import io
import logging

import pytest
from azure.core.exceptions import ClientAuthenticationError

from securescore.arm import role_assignments_path
from securescore.cli import checks_management_group
from securescore.cli.common import HelperLogHandler, Redactor, configure_logging
from securescore.cli.signin import explain_sign_in_error, shorten
from securescore.datasources.workspace import table_rows
from tests.fakes.transport import Canned
from tests.test_mgmt_checks import (
    APP_PRINCIPAL,
    ASSIGNMENT,
    GROUP,
    POLICY_PRINCIPAL,
    WORKFLOW,
    assignment_body,
    context,
    role_assignment,
)


# RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), so socks5 is one.
@pytest.mark.parametrize("url", ["http://:hunter2@proxy.contoso.example:8080", "http://bob:hunter2@proxy:3128",
                                 "socks5://bob:hunter2@proxy:1080"])
def test_a_proxy_password_is_redacted_with_or_without_a_user_name(url: str) -> None:
    # RFC 3986 3.2.1: userinfo = *( unreserved / pct-encoded / sub-delims / ":" ); the user part may be empty.
    shown = Redactor()(f"HTTPS_PROXY={url} failed")
    assert "hunter2" not in shown and "proxy" in shown


def test_configuring_logging_twice_leaves_one_helper_handler_and_keeps_others() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    foreign = logging.StreamHandler(io.StringIO())
    try:
        root.addHandler(foreign)
        configure_logging(False, Redactor(), io.StringIO())
        second = configure_logging(False, Redactor(), io.StringIO())
        ours = [h for h in root.handlers if isinstance(h, HelperLogHandler)]
        assert ours == [second] and foreign in root.handlers
    finally:
        root.handlers = saved[0]
        root.setLevel(saved[1])


def test_a_credential_reason_is_cut_at_110_characters() -> None:
    at_limit = "A" + "b" * 109
    assert shorten(at_limit) == at_limit
    assert shorten(at_limit + "c") == "A" + "b" * 106 + "..."


def test_the_policy_identity_needs_contributor_at_the_group() -> None:
    # Contributor's id: Microsoft Learn, "Azure built-in roles" (b24988ac-6180-42a0-ab88-20f7382dd24c);
    # Reader's: acdd72a7-3385-48ef-bd42-f606fba81ae7.
    def assignments(sent: object) -> Canned:
        principal = sent.query["$filter"][0].split("'")[1]  # type: ignore[attr-defined]
        role = {APP_PRINCIPAL: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
                POLICY_PRINCIPAL: "b24988ac-6180-42a0-ab88-20f7382dd24c"}[principal]
        return Canned(200, {"value": [role_assignment(role)]})

    results = checks_management_group.check_identity_roles(context({
        ("GET", WORKFLOW): Canned(200, {"identity": {"type": "SystemAssigned", "principalId": APP_PRINCIPAL}}),
        ("GET", ASSIGNMENT): Canned(200, assignment_body()),
        ("GET", role_assignments_path(GROUP)): assignments}))
    assert [r.ok for r in results] == [True, True], [r.detail for r in results]


def test_an_unknown_sign_in_error_gets_the_general_fix() -> None:
    problem = explain_sign_in_error(ClientAuthenticationError(message="Authentication failed: something else"))
    assert problem.fix == "check the Azure sign-in (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, or az login)"


# A column's type is a Kusto scalar type (Learn, "Scalar data types": bool (boolean), datetime, decimal,
# dynamic, guid, int, long, real, string, timespan); the query API may give numbers as text
# (OperationalInsights.json's oms-post-example: longs and reals as strings).
@pytest.mark.parametrize(("kind", "text", "value"), [
    ("int", "7", 7), ("long", "7", 7), ("real", "1.5", 1.5), ("decimal", "1.50", 1.5),
    ("bool", "true", True), ("boolean", "False", False),
])
def test_every_numeric_and_boolean_column_type_is_converted_from_text(kind: str, text: str, value: object) -> None:
    [row] = table_rows({"columns": [{"name": "X", "type": kind}], "rows": [[text]]})
    assert row["X"] == value and type(row["X"]) is type(value)
