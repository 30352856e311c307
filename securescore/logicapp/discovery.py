"""Management-group mode in the workflow: which subscriptions are under the group, asked at every run.

The actions, whatever the number of subscriptions (the paging loop is one Until):

    Initialize_discovery (InitializeVariable, top level)  discoveredSubscriptions [], resourceGraphSkipToken ""
    Run_queries (Scope)
      Discover_subscriptions (Until skip token empty, at most 100 pages of 1,000)
        Read_resource_graph (Http)       POST management.azure.com/providers/Microsoft.ResourceGraph/resources
                                         as the Logic App's identity: the subscriptions under the group
        Collect_subscriptions (Compose)  the rows so far plus this page's
        Set_discovered_subscriptions, Set_skip_token (SetVariable)
      Select_subscriptions (Select)      {id: lower-case text, name, state} of each row
      Filter_subscriptions (Query)       only rows whose id is a GUID (checked character by character)
      Select_subscription_ids (Select)   the ids
      Compose_subscription_filter        the ids joined by "," for the KQL, or "*" past MAX (no filter)
      Query_<name> ...                   run after it; the KQL reads it as `let MemberIds = "..."`
      Filter_uncovered_subscriptions     the group's subscriptions without a score row now (coverage query)
      Select_coverage_rows               one HTML row each, for the email's coverage section

No text from Azure becomes KQL or expression text: the KQL gets only ids that passed the GUID check
(32 hexadecimal digits and four hyphens in place), lower-cased; display names and states reach the
email as data, HTML-escaped by `wdl.text` like every value. Names are looked up by position: an id's
offset in the filter text divided by 37 (a GUID and its comma) is its index in Filter_subscriptions.

Past MAX subscriptions the KQL would exceed Logic Apps' expression evaluation limit (131,072
characters for a string an expression builds: "Limits and configuration for Azure Logic Apps"), so
the queries run without a subscription filter (every subscription that exports to the workspace;
the policy makes that the group's) and the email says so. Sources: docs/design.md,
"Management-group mode".
"""

from __future__ import annotations

from typing import Any

from securescore.logicapp.email import EmailTemplate
from securescore.logicapp.wdl import counted, fill_interpolated, lit, text
from securescore.queries import (
    LOGIC_APP_MEMBERSHIP,
    LOGIC_APP_REPORT_TIME,
    MEMBER_ID_STRIDE,
    MEMBERSHIP_ACTION,
    NO_MEMBERSHIP_FILTER,
)

RESOURCE_GRAPH_URI = "https://management.azure.com/providers/Microsoft.ResourceGraph/resources"
RESOURCE_GRAPH_API_VERSION = "2024-04-01"  # the newest stable version of the REST spec
ARM_AUDIENCE = "https://management.azure.com/"
PAGE_SIZE = 1000  # QueryRequestOptions.$top: maximum 1000
MAX_PAGES = 100  # 100,000 subscriptions; Until allows 5,000 iterations
# `id` is projected so that pages come in a stable order (the spec's paging examples: "id field is
# required in the response to return the pages in stable sorted fashion").
SUBSCRIPTIONS_QUERY = (
    "resourcecontainers | where type == 'microsoft.resources/subscriptions' "
    "| project id, subscriptionId, name, state = tostring(properties.state)"
)
# Logic Apps, "Limits and configuration": expression evaluation limit, and a margin for the run-time
# values (utcNow() is 28 characters where its placeholder is 11).
EXPRESSION_EVALUATION_LIMIT = 131_072
_RUN_TIME_MARGIN = 256
RESOURCE_GRAPH_RETRY_POLICY = {"type": "exponential", "count": 4, "interval": "PT15S", "maximumInterval": "PT2M"}

INITIALIZE_ACTION = "Initialize_discovery"
DISCOVERED, SKIP_TOKEN = "discoveredSubscriptions", "resourceGraphSkipToken"
UNTIL_ACTION, READ_ACTION = "Discover_subscriptions", "Read_resource_graph"
SELECT_ACTION, FILTER_ACTION, IDS_ACTION = "Select_subscriptions", "Filter_subscriptions", "Select_subscription_ids"
UNCOVERED_ACTION, COVERAGE_ROWS_ACTION = "Filter_uncovered_subscriptions", "Select_coverage_rows"
GROUP_PARAMETER, MAX_PARAMETER = "managementGroupId", "maxFilteredSubscriptions"
_HEX = "0123456789abcdef"
ITEM_ID, ITEM_NAME, ITEM_STATE = "item()?['id']", "item()?['name']", "item()?['state']"


def max_filtered_subscriptions(queries: dict[str, str]) -> int:
    """How many subscription ids the longest query can carry and stay under the evaluation limit."""
    longest = max(len(q.replace(LOGIC_APP_MEMBERSHIP, "").replace(LOGIC_APP_REPORT_TIME, "")) for q in queries.values())
    return max(0, (EXPRESSION_EVALUATION_LIMIT - longest - _RUN_TIME_MARGIN) // MEMBER_ID_STRIDE)


def is_guid(expr: str) -> str:
    """WDL: is the (lower-case) string a GUID: 36 characters, hyphens at 8, 13, 18 and 23 and only
    hexadecimal digits elsewhere. Padded before substring(), so a short value cannot fail the check."""
    stripped = expr
    for digit in _HEX:
        stripped = f"replace({stripped}, {lit(digit)}, '')"
    padded = f"concat({expr}, {lit('0' * 36)})"
    hyphens = ", ".join(f"equals(substring({padded}, {i}, 1), '-')" for i in (8, 13, 18, 23))
    return f"and(equals(length({expr}), 36), equals({stripped}, '----'), {hyphens})"


def parameters_section(management_group_id: str, max_filtered: int) -> dict[str, Any]:
    """The workflow parameters of the mode: config travels as parameter values, never expression text."""
    return {
        GROUP_PARAMETER: {"type": "String", "defaultValue": management_group_id},
        MAX_PARAMETER: {"type": "Int", "defaultValue": max_filtered},
    }


def initialize_action() -> dict[str, Any]:
    return {
        INITIALIZE_ACTION: {
            "type": "InitializeVariable",
            "inputs": {"variables": [
                {"name": DISCOVERED, "type": "array", "value": []},
                {"name": SKIP_TOKEN, "type": "string", "value": ""},
            ]},
            "runAfter": {},
        }
    }


def _options() -> str:
    first = lit(f'{{"$top":{PAGE_SIZE},"resultFormat":"objectArray"}}')
    token = f"variables({lit(SKIP_TOKEN)})"
    return f"@if(empty({token}), json({first}), setProperty(json({first}), '$skipToken', {token}))"


def read_action() -> dict[str, Any]:
    """One page of the subscriptions under the group (Resource Graph, the managed identity)."""
    return {
        "type": "Http",
        "inputs": {
            "method": "POST",
            "uri": RESOURCE_GRAPH_URI,
            "queries": {"api-version": RESOURCE_GRAPH_API_VERSION},
            "headers": {"Content-Type": "application/json"},
            "body": {
                "query": SUBSCRIPTIONS_QUERY,
                "managementGroups": f"@createArray(parameters({lit(GROUP_PARAMETER)}))",
                "options": _options(),
            },
            "authentication": {"type": "ManagedServiceIdentity", "audience": ARM_AUDIENCE},
            "retryPolicy": dict(RESOURCE_GRAPH_RETRY_POLICY),
        },
        "runAfter": {},
    }


def discovery_actions() -> dict[str, Any]:
    """Everything up to the KQL's subscription list (Compose_subscription_filter)."""
    page = f"body({lit(READ_ACTION)})"
    members = f"body({lit(FILTER_ACTION)})"
    cap = f"parameters({lit(MAX_PARAMETER)})"
    row_id = "toLower(string(coalesce(item()?['subscriptionId'], '')))"
    return {
        UNTIL_ACTION: {
            "type": "Until",
            "expression": f"@equals(variables({lit(SKIP_TOKEN)}), '')",
            "limit": {"count": MAX_PAGES, "timeout": "PT30M"},
            "actions": {
                READ_ACTION: read_action(),
                "Collect_subscriptions": {
                    "type": "Compose",
                    # A page without a `data` array (another result format, an error) fails the run.
                    "inputs": f"@union(variables({lit(DISCOVERED)}), {page}?['data'])",
                    "runAfter": {READ_ACTION: ["Succeeded"]},
                },
                "Set_discovered_subscriptions": {
                    "type": "SetVariable",
                    "inputs": {"name": DISCOVERED, "value": "@outputs('Collect_subscriptions')"},
                    "runAfter": {"Collect_subscriptions": ["Succeeded"]},
                },
                "Set_skip_token": {
                    "type": "SetVariable",
                    "inputs": {"name": SKIP_TOKEN, "value": f"@string(coalesce({page}?['$skipToken'], ''))"},
                    "runAfter": {"Set_discovered_subscriptions": ["Succeeded"]},
                },
            },
            "runAfter": {},
        },
        SELECT_ACTION: {
            "type": "Select",
            "inputs": {
                "from": f"@variables({lit(DISCOVERED)})",
                "select": {
                    "id": f"@{row_id}",
                    "name": "@string(coalesce(item()?['name'], ''))",
                    "state": "@string(coalesce(item()?['state'], ''))",
                },
            },
            "runAfter": {UNTIL_ACTION: ["Succeeded"]},
        },
        FILTER_ACTION: {
            "type": "Query",
            "inputs": {"from": f"@body({lit(SELECT_ACTION)})", "where": f"@{is_guid(ITEM_ID)}"},
            "runAfter": {SELECT_ACTION: ["Succeeded"]},
        },
        IDS_ACTION: {
            "type": "Select",
            "inputs": {"from": f"@{members}", "select": "@item()?['id']"},
            "runAfter": {FILTER_ACTION: ["Succeeded"]},
        },
        MEMBERSHIP_ACTION: {
            "type": "Compose",
            # take() first: Logic Apps evaluates both branches of if(), and the join must stay bounded.
            "inputs": (
                f"@if(greater(length({members}), {cap}), {lit(NO_MEMBERSHIP_FILTER)},"
                f" join(take(body({lit(IDS_ACTION)}), {cap}), ','))"
            ),
            "runAfter": {IDS_ACTION: ["Succeeded"]},
        },
    }


# --- names and the coverage section of the email ----------------------------------------------------

def subscription_name(sub_id: str) -> str:
    """A subscription's name in management-group mode: the stack's friendly name, else Azure's display
    name (looked up by the id's position in the filter text), else the id. Raw: wrap it in `text()`."""
    # The ids in the text and the row's id are GUIDs (no ","), so a match always starts an entry.
    position = f"indexOf(outputs({lit(MEMBERSHIP_ACTION)}), coalesce({sub_id}, '-'))"
    found = f"greater({position}, -1)"
    azure = f"coalesce(body({lit(FILTER_ACTION)})?[div(max({position}, 0), {MEMBER_ID_STRIDE})]?['name'], '')"
    return (f"coalesce(parameters('subscriptionNames')?[{sub_id}],"
            f" if(and({found}, not(empty({azure}))), {azure}, {sub_id}))")


def _coverage_ids(rows_expr: str, column: str) -> str:
    return f"coalesce({rows_expr}?[0]?[{lit(column)}], '')"


def coverage_actions(template: EmailTemplate, coverage_rows: str, rows_action: str) -> dict[str, Any]:
    """The uncovered subscriptions (no score row now) and their rows in the email.

    ``coverage_rows``: the coverage query's rows expression; ``rows_action``: the action holding them."""
    reporting = _coverage_ids(coverage_rows, "ReportingIds")
    return {
        UNCOVERED_ACTION: {
            "type": "Query",
            "inputs": {"from": f"@body({lit(FILTER_ACTION)})",
                       "where": f"@not(contains({reporting}, {ITEM_ID}))"},
            "runAfter": {rows_action: ["Succeeded"]},
        },
        COVERAGE_ROWS_ACTION: {
            "type": "Select",
            "inputs": {
                "from": f"@take(body({lit(UNCOVERED_ACTION)}), parameters('maxSubscriptionRows'))",
                "select": fill_interpolated(template.rows["coverage"], coverage_row_values(coverage_rows)),
            },
            "runAfter": {UNCOVERED_ACTION: ["Succeeded"]},
        },
    }


def coverage_row_values(coverage_rows: str) -> dict[str, str]:
    seen = _coverage_ids(coverage_rows, "SeenIds")  # a row in the history window, none in the lookback
    sub_id, state = ITEM_ID, ITEM_STATE
    friendly = f"coalesce(parameters('subscriptionNames')?[{sub_id}], if(empty({ITEM_NAME}), {sub_id}, {ITEM_NAME}))"
    # Short: up to maxSubscriptionRows rows, and the email stays under 90 KB (bench email_size).
    reason = (
        f"if(not(equals(toLower({state}), 'enabled')),"
        f" concat(if(empty({state}), 'state unknown', {text(state)}), ': cannot report'),"
        f" if(contains({seen}, {sub_id}), 'stopped reporting', 'never reported: export not deployed yet'))"
    )
    return {"name": text(friendly), "id": text(sub_id), "reason": reason}


def coverage_values(coverage_rows: str) -> tuple[dict[str, str], dict[str, tuple[str, dict[str, str]]]]:
    """Tokens of the coverage section (`email.html.j2`, id="coverage"), and its optional blocks
    (condition, their tokens)."""
    members = f"length(body({lit(FILTER_ACTION)}))"
    uncovered = f"length(body({lit(UNCOVERED_ACTION)}))"
    more = f"sub({uncovered}, parameters('maxSubscriptionRows'))"
    ignored = f"sub(length(body({lit(SELECT_ACTION)})), {members})"
    return {
        "coverage_covered": f"string(sub({members}, {uncovered}))",
        "coverage_members": counted(members, "subscription", "subscriptions"),
        "management_group": text(f"parameters({lit(GROUP_PARAMETER)})"),
        "rows:coverage": f"join(body({lit(COVERAGE_ROWS_ACTION)}), '')",
    }, {
        "coverage_all": (f"equals({uncovered}, 0)", {}),
        "coverage_more": (f"greater({more}, 0)",
                          {"coverage_more_text": f"concat('… and ', string({more}), ' more')"}),
        "coverage_unfiltered": (
            f"equals(outputs({lit(MEMBERSHIP_ACTION)}), {lit(NO_MEMBERSHIP_FILTER)})",
            {"coverage_limit": f"string(parameters({lit(MAX_PARAMETER)}))"},
        ),
        "coverage_ignored": (
            f"greater({ignored}, 0)",
            {"coverage_ignored_text": (
                f"concat({counted(ignored, 'entry', 'entries')},"
                " ' of Resource Graph''s answer were ignored: their id is not a subscription GUID.')")},
        ),
    }

