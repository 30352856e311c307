"""Queries over HTTP (``logsQuery: http``): the Log Analytics query API, called as the Logic App's identity.

Per query two actions, whatever the number of subscriptions:

    Query_<name> (Http)   POST https://api.loganalytics.azure.com/v1/workspaces/{customer id}/query
                          {"query": <the same KQL the connector mode sends>}, managed identity,
                          audience https://api.loganalytics.io, Prefer: wait=100
    Rows_<name> (Select)  tables[0].rows (positional) -> [{column: value}], the connector's row objects,
                          so every email expression reads rows the same way (email_values.rows)

Shapes (sources in docs/design.md, "Zero-touch mode"):
- the response is ``{"tables": [{"name", "columns": [{"name", "type"}], "rows": [[...], ...]}]}``; a
  non-fatal problem still answers 200 with an ``error`` object whose code is ``PartialError``;
- column order is a contract: QUERY_COLUMNS lists each query's final ``project`` / ``print`` columns
  (tested against the KQL text and against the rows the local engine returns);
- no data at all (204, no body) gives no rows;
- a 200 carrying an ``error`` (PartialError) fails the Rows_ Select on purpose: its ``from`` is then
  the error object, not an array, so the run fails and the failure notice names the query and the
  error, rather than mailing numbers computed from part of the data;
- 429 and 5xx (including the server's 504 when ``Prefer: wait`` runs out) are retried: a query reads
  and never writes, so a retry cannot duplicate anything.
"""

from __future__ import annotations

from typing import Any

from securescore.logicapp.wdl import lit

QUERY_API = "https://api.loganalytics.azure.com/v1/workspaces"
QUERY_AUDIENCE = "https://api.loganalytics.io"
# Logic Apps (Consumption, multitenant) gives an outbound request 120 s; the query API's own timeout
# (Prefer: wait, default 180 s, at most 600 s) must end first, so the answer is Log Analytics' 504
# with its error body instead of the Logic Apps timeout.
LOGIC_APPS_OUTBOUND_TIMEOUT_SECONDS = 120
SERVER_WAIT_SECONDS = 100
WORKSPACE_PARAMETER = "workspaceCustomerId"
# Exponential back-off for 408/429/5xx: 4 retries, 15 s growing to at most 2 minutes.
QUERY_RETRY_POLICY = {"type": "exponential", "count": 4, "interval": "PT15S", "maximumInterval": "PT2M"}

# Each query's result columns, in order: the final `project` (or `print`) of kql/<name>.kql.
QUERY_COLUMNS: dict[str, tuple[str, ...]] = {
    "overall": ("ScoreNow", "ScoreWeekAgo", "Change", "CurrentPoints", "MaxPoints", "SubscriptionsReporting",
                "SubscriptionsDropped"),
    "subscriptions": ("SubscriptionId", "ScoreNow", "ScoreWeekAgo", "Change", "CurrentPoints", "MaxPoints",
                      "UnhealthyResources", "HasData", "Dropped", "LastSeen"),
    "trend": ("WeekEnd", "Score", "Subscriptions", "Change"),
    "top_controls": ("ControlId", "ControlName", "PotentialIncrease", "PotentialPoints", "UnhealthyResources",
                     "Subscriptions"),
    "unhealthy_controls": ("ControlId", "ControlName", "UnhealthyResources", "HealthyResources", "Subscriptions"),
    "freshness": ("LatestTimeGenerated", "SubscriptionsConfigured", "SubscriptionsReporting", "SubscriptionsMissing",
                  "MissingSubscriptionIds"),
    "changes": ("Kind", "Id", "Name", "Change", "Subscriptions", "ScoreNow", "ScoreWeekAgo"),
    "recommendations": ("RecommendationId", "AssessmentKey", "Name", "Severity", "UnhealthyResources",
                        "NewlyUnhealthy", "Subscriptions"),
    "coverage": ("ReportingIds", "SeenIds"),  # management-group mode (logicapp.discovery)
}


def query_action_name(query: str) -> str:
    return f"Query_{query}"


def rows_action_name(query: str) -> str:
    return f"Rows_{query}"


def query_uri() -> str:
    return f"{QUERY_API}/@{{uriComponent(parameters({lit(WORKSPACE_PARAMETER)}))}}/query"


def http_query_action(kql: str) -> dict[str, Any]:
    return {
        "type": "Http",
        "inputs": {
            "method": "POST",
            "uri": query_uri(),
            "headers": {"Content-Type": "application/json", "Prefer": f"wait={SERVER_WAIT_SECONDS}"},
            "body": {"query": kql},
            "authentication": {"type": "ManagedServiceIdentity", "audience": QUERY_AUDIENCE},
            "retryPolicy": dict(QUERY_RETRY_POLICY),
        },
        "runAfter": {},
    }


def rows_select_action(query: str) -> dict[str, Any]:
    """Positional rows -> {column: value}; the answer's error object instead of rows fails the Select."""
    body = f"body({lit(query_action_name(query))})"
    rows = f"coalesce({body}?['tables']?[0]?['rows'], createArray())"
    return {
        "type": "Select",
        "inputs": {
            "from": f"@if(equals({body}?['error'], null), {rows}, {body}?['error'])",
            "select": {column: f"@item()?[{index}]" for index, column in enumerate(QUERY_COLUMNS[query])},
        },
        "runAfter": {query_action_name(query): ["Succeeded"]},
    }


def build_http_query_actions(queries: dict[str, str]) -> dict[str, Any]:
    """Query_<name> and Rows_<name> for every rendered query (name -> KQL)."""
    actions: dict[str, Any] = {}
    for name, kql in queries.items():
        actions[query_action_name(name)] = http_query_action(kql)
        actions[rows_action_name(name)] = rows_select_action(name)
    return actions
