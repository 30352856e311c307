"""The Logic App workflow definition, built from a stack's settings (pure: no Pulumi, no Azure).

Shape of a run (the number of actions never depends on how many subscriptions or controls there are):

    Weekly_schedule (Recurrence)
    Run_queries (Scope)
      Query_<name> x6 (azuremonitorlogs POST /queryData, in parallel)
      Select_<table>_rows x4 (one HTML row per result row)       Compose_report_html
                                                                  Compose_no_data_html
    Send_report (office365 POST /v2/Mail)             after Run_queries succeeded
    Select_failed_actions -> Send_failure_notice      after Run_queries failed or timed out

Config values reach the workflow only as parameter values (recipients, names, title, …), never as
expression text; data values are HTML-escaped by `wdl.text`.
"""

from __future__ import annotations

import json
from typing import Any

from securescore.logicapp.email import load_template
from securescore.logicapp.wdl import change_parts, fill_expression, fill_interpolated, lit, local_time, number, text
from securescore.queries import LOGIC_APP_REPORT_TIME, QUERY_NAMES, render_queries
from securescore.settings import Settings

SCHEMA = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#"
TRIGGER_NAME = "Weekly_schedule"
SCOPE = "Run_queries"
# Logic Apps interprets startTime without an offset in the trigger's time zone; any past date works.
SCHEDULE_START = "2024-01-01T00:00:00"
ROW_TABLES = {  # Select action's row prototype <- the query whose rows it renders
    "subscriptions": "subscriptions",
    "trend": "trend",
    "top_controls": "top_controls",
    "unhealthy_controls": "unhealthy_controls",
}


def query_action(name: str) -> str:
    return f"Query_{name}"


def select_action(table: str) -> str:
    return f"Select_{table}_rows"


def _rows(query: str) -> str:
    return f"body({lit(query_action(query))})?['value']"


def _first(query: str, column: str) -> str:
    return f"{_rows(query)}?[0]?[{lit(column)}]"


def _item(column: str) -> str:
    return f"item()?[{lit(column)}]"


def _connection(api: str) -> dict[str, Any]:
    return {"connection": {"name": f"@parameters('$connections')['{api}']['connectionId']"}}


def build_parameters_section(settings: Settings) -> dict[str, Any]:
    """Workflow parameters: config values travel as data here, never as expression text."""
    return {
        "$connections": {"type": "Object", "defaultValue": {}},
        "recipients": {"type": "Array", "defaultValue": list(settings.recipients)},
        "subscriptionNames": {
            "type": "Object",
            "defaultValue": {s.id: s.name for s in settings.subscriptions},
        },
        "reportTitle": {"type": "String", "defaultValue": settings.report.title},
        "timeZone": {"type": "String", "defaultValue": settings.schedule.time_zone},
        "maxSubscriptionRows": {"type": "Int", "defaultValue": settings.report.max_subscription_rows},
        "dropAlertPoints": {"type": "Int", "defaultValue": settings.report.drop_alert_points},
        "lookbackDays": {"type": "Int", "defaultValue": settings.report.lookback_days},
        "workspaceName": {"type": "String", "defaultValue": settings.workspace.name},
        # Shown in the email when set: the preview uses it to say its data source has no history.
        "dataNote": {"type": "String", "defaultValue": ""},
    }


def build_trigger(settings: Settings) -> dict[str, Any]:
    schedule = settings.schedule
    return {
        TRIGGER_NAME: {
            "type": "Recurrence",
            "recurrence": {
                "frequency": "Week",
                "interval": 1,
                "schedule": {
                    "weekDays": list(schedule.week_days),
                    "hours": [schedule.hour],
                    "minutes": [schedule.minute],
                },
                "timeZone": schedule.time_zone,
                "startTime": SCHEDULE_START,
            },
        }
    }


def build_query_actions(settings: Settings) -> dict[str, Any]:
    workspace = settings.workspace
    queries = render_queries(settings, LOGIC_APP_REPORT_TIME)
    return {
        query_action(name): {
            "type": "ApiConnection",
            "inputs": {
                "host": _connection("azuremonitorlogs"),
                "method": "post",
                "path": "/queryData",
                "queries": {
                    "subscriptions": workspace.subscription_id,
                    "resourcegroups": workspace.resource_group_name,
                    "resourcetype": "Log Analytics Workspace",
                    "resourcename": workspace.name,
                    "timerange": "Set in query",
                },
                "body": queries[name],
            },
            "runAfter": {},
        }
        for name in QUERY_NAMES
    }


def _row_values() -> dict[str, dict[str, str]]:
    sub_id = _item("SubscriptionId")
    return {
        "subscriptions": {
            "name": text(f"coalesce(parameters('subscriptionNames')?[{sub_id}], {sub_id})"),
            "dropped": f"if(equals({_item('Dropped')}, true), '▼ dropped this week', '')",
            "no_data": f"if(equals({_item('HasData')}, true), '', 'no data in the lookback window')",
            "score_now": number(_item("ScoreNow"), "0.0"),
            "score_week_ago": number(_item("ScoreWeekAgo"), "0.0"),
            **change_parts(_item("Change")),
            "unhealthy": number(_item("UnhealthyResources"), "#,##0"),
        },
        "trend": {
            "week_end": local_time(_item("WeekEnd"), "d MMM"),
            "bar_width": f"formatNumber(coalesce({_item('Score')}, 0), '0', 'en-US')",
            "score": number(_item("Score"), "0.0"),
        },
        "top_controls": {
            "name": text(_item("ControlName")),
            "potential": f"concat('+', {number(_item('PotentialIncrease'), '0.0')}, ' %')",
            "unhealthy": number(_item("UnhealthyResources"), "#,##0"),
            "subscriptions": number(_item("Subscriptions"), "#,##0"),
        },
        "unhealthy_controls": {
            "name": text(_item("ControlName")),
            "unhealthy": number(_item("UnhealthyResources"), "#,##0"),
            "healthy": number(_item("HealthyResources"), "#,##0"),
            "subscriptions": number(_item("Subscriptions"), "#,##0"),
        },
    }


def build_select_actions() -> dict[str, Any]:
    template = load_template("email")
    actions: dict[str, Any] = {}
    for table, values in _row_values().items():
        rows = _rows(ROW_TABLES[table])
        source = f"@take({rows}, parameters('maxSubscriptionRows'))" if table == "subscriptions" else f"@{rows}"
        actions[select_action(table)] = {
            "type": "Select",
            "inputs": {"from": source, "select": fill_interpolated(template.rows[table], values)},
            "runAfter": {query_action(ROW_TABLES[table]): ["Succeeded"]},
        }
    return actions


def _report_values() -> dict[str, str]:
    overall = lambda column: _first("overall", column)  # noqa: E731
    fresh = lambda column: _first("freshness", column)  # noqa: E731
    all_subscription_rows = _rows("subscriptions")
    more = f"sub(length({all_subscription_rows}), parameters('maxSubscriptionRows'))"
    reporting = f"string(coalesce({fresh('SubscriptionsReporting')}, 0))"
    missing = f"coalesce({fresh('SubscriptionsMissing')}, 0)"
    template = load_template("email")
    optional = {
        "drop_alert": (
            f"greater(coalesce({overall('SubscriptionsDropped')}, 0), 0)",
            {"drop_alert_text": (
                f"concat('▼ ', string({overall('SubscriptionsDropped')}), ' subscription(s) dropped by more than ',"
                f" string(parameters('dropAlertPoints')), ' points this week.')"
            )},
        ),
        "data_note": ("not(empty(parameters('dataNote')))", {"data_note": text("parameters('dataNote')")}),
        "more_subscriptions": (
            f"greater({more}, 0)",
            {"more_subscriptions_text": f"concat('… and ', string({more}), ' more subscriptions')"},
        ),
        "no_top_controls": (f"empty(body('{select_action('top_controls')}'))", {}),
        "no_unhealthy_controls": (f"empty(body('{select_action('unhealthy_controls')}'))", {}),
    }
    values = {
        **_header_values(),
        "score_now": f"concat({number(overall('ScoreNow'), '0.0')}, ' %')",
        **change_parts(overall("Change")),
        "points": (
            f"concat({number(overall('CurrentPoints'), '#,##0.#')}, ' of ',"
            f" {number(overall('MaxPoints'), '#,##0')}, ' points')"
        ),
        "subscriptions_reporting": reporting,
        "subscriptions_configured": f"string(coalesce({fresh('SubscriptionsConfigured')}, 0))",
        "latest_data": local_time(fresh("LatestTimeGenerated"), "d MMM yyyy HH:mm"),
        "time_zone": text("parameters('timeZone')"),
        "freshness_text": (
            f"if(greater({missing}, 0), concat(string({missing}),"
            f" ' configured subscription(s) sent no data in the lookback window (marked above).'), '')"
        ),
        "lookback_days": "string(parameters('lookbackDays'))",
    }
    for table in ROW_TABLES:
        values[f"rows:{table}"] = f"join(body('{select_action(table)}'), '')"
    for block, (condition, block_values) in optional.items():
        values[f"if:{block}"] = f"if({condition}, {fill_expression(template.optional[block], block_values)}, '')"
    return values


def _header_values() -> dict[str, str]:
    return {
        "title": text("parameters('reportTitle')"),
        "report_date": "convertFromUtc(utcNow(), parameters('timeZone'), 'dddd d MMMM yyyy')",
    }


def build_compose_actions() -> dict[str, Any]:
    no_data_values = {
        **_header_values(),
        "workspace_name": text("parameters('workspaceName')"),
        "subscriptions_configured": f"string(coalesce({_first('freshness', 'SubscriptionsConfigured')}, 0))",
        "lookback_days": "string(parameters('lookbackDays'))",
    }
    return {
        "Compose_report_html": {
            "type": "Compose",
            "inputs": fill_interpolated(load_template("email").document, _report_values()),
            "runAfter": {select_action(t): ["Succeeded"] for t in ROW_TABLES}
            | {query_action("overall"): ["Succeeded"], query_action("freshness"): ["Succeeded"]},
        },
        "Compose_no_data_html": {
            "type": "Compose",
            "inputs": fill_interpolated(load_template("no_data").document, no_data_values),
            "runAfter": {query_action("freshness"): ["Succeeded"]},
        },
    }


def _has_data() -> str:
    return f"greater(coalesce({_first('overall', 'SubscriptionsReporting')}, 0), 0)"


def _subject() -> str:
    score = _first("overall", "ScoreNow")
    change = _first("overall", "Change")
    dropped = _first("overall", "SubscriptionsDropped")
    change_text = (
        f"if(equals({change}, null), '',"
        f" concat(' (', formatNumber(coalesce({change}, 0), '+0.0;-0.0;0.0', 'en-US'), ' pts)'))"
    )
    drop_text = (
        f"if(greater(coalesce({dropped}, 0), 0), concat(', ', string({dropped}), ' subscription(s) dropped'), '')"
    )
    report = (
        f"concat(parameters('reportTitle'), ': ', formatNumber(coalesce({score}, 0), '0.0', 'en-US'), '%',"
        f" {change_text}, {drop_text})"
    )
    return f"@if({_has_data()}, {report}, concat(parameters('reportTitle'), ': no data exported yet'))"


def _send_mail(body: dict[str, str], run_after: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "type": "ApiConnection",
        "inputs": {
            "host": _connection("office365"),
            "method": "post",
            "path": "/v2/Mail",
            "body": {"To": "@{join(parameters('recipients'), ';')}", **body},
            # The default policy retries timeouts (504), which can deliver the mail twice; a failed
            # send shows in the run history and in `scripts.check` instead.
            "retryPolicy": {"type": "none"},
        },
        "runAfter": run_after,
    }


def build_failure_actions() -> dict[str, Any]:
    failed = "or(equals(item()?['status'], 'Failed'), equals(item()?['status'], 'TimedOut'))"
    message = (
        "coalesce(item()?['outputs']?['body']?['error']?['message'], item()?['error']?['message'],"
        " item()?['code'], item()?['status'])"
    )
    line = f"concat('<li><b>', {text(_item('name'))}, '</b>: ', {text(message)}, '</li>')"
    failure_values = {
        **_header_values(),
        "failed_actions": "join(body('Select_failed_actions'), '')",
        "logic_app": text("workflow()?['name']"),
        "run_id": text("workflow()?['run']?['name']"),
    }
    return {
        "Select_failed_actions": {
            "type": "Select",
            "inputs": {"from": f"@result('{SCOPE}')", "select": f"@if({failed}, {line}, '')"},
            "runAfter": {SCOPE: ["Failed", "TimedOut"]},
        },
        "Send_failure_notice": _send_mail(
            {
                "Subject": "@{parameters('reportTitle')}: the report could not be built",
                "Body": fill_interpolated(load_template("failure").document, failure_values),
                "Importance": "High",
            },
            {"Select_failed_actions": ["Succeeded"]},
        ),
    }


def build_definition(settings: Settings) -> dict[str, Any]:
    """The complete workflow definition (schema 2016-06-01) for a stack."""
    scope_actions = {**build_query_actions(settings), **build_select_actions(), **build_compose_actions()}
    importance = f"@if(greater(coalesce({_first('overall', 'SubscriptionsDropped')}, 0), 0), 'High', 'Normal')"
    send_report = _send_mail(
        {
            "Subject": _subject(),
            "Body": f"@if({_has_data()}, outputs('Compose_report_html'), outputs('Compose_no_data_html'))",
            "Importance": importance,
        },
        {SCOPE: ["Succeeded"]},
    )
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": build_parameters_section(settings),
        "triggers": build_trigger(settings),
        "actions": {
            SCOPE: {"type": "Scope", "actions": scope_actions, "runAfter": {}},
            "Send_report": send_report,
            **build_failure_actions(),
        },
        "outputs": {},
    }


def definition_json(settings: Settings) -> str:
    """Canonical JSON text of the definition: same settings, same bytes."""
    return json.dumps(build_definition(settings), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
