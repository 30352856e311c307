"""The deployed workflow's shape rules the mutation run found untested: runAfter names a sibling action,
parameters have a declared type of the schema and a default of that type, row prototypes read the
columns their query returns as the query spells them, and the connections that need a person's consent.

Sources: Learn "Schema reference guide for the Workflow Definition Language in Azure Logic Apps"
(parameters: "type": one of array, bool, float, int, object, secureobject, securestring, string, which the
Microsoft.Logic REST spec's ParameterType spells String, SecureString, Int, Float, Bool, Array, Object,
SecureObject;
"runAfter": the names of actions that must finish first, in the same scope: actions of a Scope, a
Foreach, an Until or an If branch run after actions of that block only) and the ARM template reference
for Microsoft.Web/connections (an office365 connection is authorized by a signed-in user).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from securescore.logicapp.connections import connections_needing_consent, connections_value
from securescore.logicapp.definition import build_definition
from securescore.logicapp.email_values import ROW_QUERIES
from securescore.logicapp.wdl import fill_expression, fill_interpolated
from securescore.queries import KQL_DIR
from tests.conftest import make_settings
from tests.test_zerotouch_definition import _final_columns

ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}
MODES = [
    pytest.param({}, id="connector+office365"),
    pytest.param({"logsQuery": "http"}, id="http+office365"),
    pytest.param({"logsQuery": "http", **ACS}, id="http+acs"),
    pytest.param({"logsConnectionAuth": "oauth", **ACS}, id="connector(oauth)+acs"),
    pytest.param({"managementGroupId": "contoso-landing-zones", "subscriptions": []}, id="management-group"),
    pytest.param({"managementGroupId": "contoso-landing-zones", "subscriptions": [], "logsQuery": "http", **ACS},
                 id="management-group+zero-touch"),
]
# The parameter types as the Microsoft.Logic REST spec's ParameterType spells them (the Python SDK's
# azure.mgmt.logic.models.ParameterType lists the same), and the JSON value each one holds.
PARAMETER_TYPES: dict[str, tuple[type, ...]] = {
    "Array": (list,), "Bool": (bool,), "Float": (float, int), "Int": (int,), "Object": (dict,),
    "SecureObject": (dict,), "SecureString": (str,), "String": (str,),
}


def _blocks(actions: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every block of actions in the definition (the top level, each Scope/Foreach/Until, each If branch)."""
    found = [(path or "(top level)", actions)]
    for name, action in actions.items():
        if action.get("actions"):
            found += _blocks(action["actions"], f"{path}/{name}")
        if (action.get("else") or {}).get("actions"):
            found += _blocks(action["else"]["actions"], f"{path}/{name}/else")
    return found


@pytest.mark.parametrize("mode", MODES)
def test_run_after_names_only_actions_of_the_same_block(mode: dict[str, Any]) -> None:
    definition = build_definition(make_settings(exportAssessments=True, **mode))
    for where, actions in _blocks(definition["actions"]):
        for name, action in actions.items():
            unknown = set(action.get("runAfter") or {}) - set(actions)
            assert not unknown, f"{where}/{name} runs after {unknown}, not actions of its block"


@pytest.mark.parametrize("mode", MODES)
def test_each_rows_select_runs_after_the_action_whose_body_it_reads(mode: dict[str, Any]) -> None:
    definition = build_definition(make_settings(exportAssessments=True, **mode))
    for _, actions in _blocks(definition["actions"]):
        for name, action in actions.items():
            if not re.fullmatch(r"Select_\w+_rows", name) or name == "Select_coverage_rows":
                continue
            read = set(re.findall(r"body\('(\w+)'\)", action["inputs"]["from"]))
            assert read and read <= set(action["runAfter"]), (name, read, action["runAfter"])


@pytest.mark.parametrize("mode", MODES)
def test_every_parameter_declares_a_schema_type_and_a_default_of_that_type(mode: dict[str, Any]) -> None:
    parameters = build_definition(make_settings(**mode))["parameters"]
    for name, parameter in parameters.items():
        kind = parameter["type"]
        assert kind in PARAMETER_TYPES, (name, kind)
        if "defaultValue" in parameter:
            value = parameter["defaultValue"]
            assert isinstance(value, PARAMETER_TYPES[kind]) and not (kind != "Bool" and isinstance(value, bool)), (
                name, kind, value)


def test_the_management_group_limit_is_an_int_parameter() -> None:
    parameters = build_definition(make_settings(managementGroupId="contoso-landing-zones", subscriptions=[]))[
        "parameters"]
    assert parameters["maxFilteredSubscriptions"]["type"] == "Int"
    assert parameters["managementGroupId"]["type"] == "String"
    assert parameters["managementGroupId"]["defaultValue"] == "contoso-landing-zones"


# --- the row prototypes read their query's columns -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_row_prototypes_read_only_their_querys_columns_spelled_as_the_query_spells_them(mode: dict[str, Any]) -> None:
    # No Microsoft page says a property name is selected case-insensitively, so the definition spells each
    # column exactly as the KQL's final projection does.
    definition = build_definition(make_settings(exportAssessments=True, **mode))
    seen = 0
    for _, actions in _blocks(definition["actions"]):
        for table, query in ROW_QUERIES.items():
            action = actions.get(f"Select_{table}_rows")
            if action is None:
                continue
            columns = set(_final_columns((KQL_DIR / f"{query}.kql").read_text()))
            read = set(re.findall(r"item\(\)\?\['(\w+)'\]", str(action["inputs"]["select"])))
            assert read and read <= columns, (table, read - columns)
            seen += 1
    assert seen == len(ROW_QUERIES)


# --- WDL helpers ------------------------------------------------------------------------------------------


def test_an_empty_fragment_is_the_empty_string_expression() -> None:
    # concat() needs two arguments; nothing at all is the empty string literal ''.
    assert fill_expression("", {}) == "''"
    assert fill_expression("a", {}) == "'a'"
    assert fill_interpolated("", {}) == ""


# --- connections ------------------------------------------------------------------------------------------


def test_office365_always_needs_a_persons_consent() -> None:
    settings = make_settings(logicAppName="la-report")
    assert connections_needing_consent(settings) == [settings.office365_connection_name]
    assert settings.office365_connection_name  # a real name, which `securescore authorize` is given


def test_an_oauth_logs_connection_needs_consent_too_a_managed_identity_one_does_not() -> None:
    oauth = make_settings(logsConnectionAuth="oauth")
    assert connections_needing_consent(oauth) == [oauth.office365_connection_name, oauth.logs_connection_name]
    assert connections_needing_consent(make_settings(logsConnectionAuth="oauth", **ACS)) == [
        oauth.logs_connection_name]
    assert connections_needing_consent(make_settings(**ACS)) == []


def test_zero_touch_needs_no_consent() -> None:
    assert connections_needing_consent(make_settings(logsQuery="http", **ACS)) == []


def test_a_missing_connection_id_is_refused_naming_the_connection() -> None:
    settings = make_settings()
    with pytest.raises(ValueError, match="office365"):
        connections_value(settings, logs_connection_id="/subscriptions/x/connections/logs")
    with pytest.raises(ValueError, match="azuremonitorlogs"):
        connections_value(settings, office365_connection_id="/subscriptions/x/connections/o365")


def test_a_managed_identity_logs_connection_calls_as_the_identity_an_oauth_one_does_not() -> None:
    # Learn, "Authenticate access and connections with managed identities": the workflow's $connections
    # entry gets connectionProperties.authentication.type ManagedServiceIdentity.
    ids = {"logs_connection_id": "/subscriptions/x/connections/logs", "office365_connection_id": "/subscriptions/x/o"}
    managed = connections_value(make_settings(logsConnectionAuth="managedIdentity"), **ids)["azuremonitorlogs"]
    assert managed["connectionProperties"] == {"authentication": {"type": "ManagedServiceIdentity"}}
    oauth = connections_value(make_settings(logsConnectionAuth="oauth"), **ids)["azuremonitorlogs"]
    assert "connectionProperties" not in oauth
