"""The Logic App workflow definition, built from a stack's settings (pure: no Pulumi, no Azure).

Shape of a run (the number of actions never depends on how many subscriptions, controls or
recommendations there are):

    Weekly_schedule (Recurrence)
    Run_queries (Scope)
      Query_<name> x7-8 (azuremonitorlogs POST /queryData, in parallel; recommendations only when
                         assessments are exported)
      Select_<table>_rows x5-6 (one HTML row per result row)      Compose_report_html
    Send_report (office365 POST /v2/Mail)             after Run_queries succeeded; the report, or the
                                                      "no data yet" email when nothing reported
    Select_failed_actions -> Send_failure_notice      after Run_queries failed or timed out

The zero-touch transports swap the connector actions for Http actions with the Logic App's managed
identity: ``logsQuery: http`` makes each Query_<name> an Http action plus a Rows_<name> Select
(`logicapp.logs_http`), ``mailTransport: acs`` sends through Communication Services and follows the
send to its end (`logicapp.mail_acs`). Values known only at deploy time (the workspace's customer id,
the ACS endpoint, the sender address) are workflow parameters, never expression text.

Config values reach the workflow only as parameter values (recipients, names, title, …), never as
expression text; data values are HTML-escaped by `wdl.text`. What the email shows, token by token, is
in `logicapp.email_values`, which reads every query result through `email_values.rows`.
"""

from __future__ import annotations

import json
from typing import Any

from securescore.logicapp import discovery, logs_http, mail_acs
from securescore.logicapp.connections import used_apis
from securescore.logicapp.email import load_template
from securescore.logicapp.email_values import (
    ROW_QUERIES,
    failure_values,
    has_data,
    item,
    no_data_values,
    query_action,
    report_values,
    row_tables,
    row_values,
    rows,
    rows_action,
    select_action,
    subject,
)
from securescore.logicapp.wdl import fill_expression, fill_interpolated, object_or_empty, text
from securescore.queries import LOGIC_APP_REPORT_TIME, MEMBERSHIP_ACTION, render_queries
from securescore.settings import Settings

__all__ = ["build_definition", "definition_json", "query_action", "select_action"]

SCHEMA = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#"
TRIGGER_NAME = "Weekly_schedule"
SCOPE = "Run_queries"
# Logic Apps interprets startTime without an offset in the trigger's time zone; any past date works.
SCHEDULE_START = "2024-01-01T00:00:00"


def _connection(api: str) -> dict[str, Any]:
    return {"connection": {"name": f"@parameters('$connections')['{api}']['connectionId']"}}


def uses_connections(settings: Settings) -> bool:
    """Whether any action goes through an API connection (and so needs the `$connections` parameter)."""
    return bool(used_apis(settings))


def build_parameters_section(settings: Settings) -> dict[str, Any]:
    """Workflow parameters: config values travel as data here, never as expression text."""
    modes = settings.modes
    recipients: list[Any] = (
        mail_acs.recipients_value(settings.recipients) if modes.mail_acs else list(settings.recipients))
    deploy_time: dict[str, Any] = {}
    if modes.logs_http:
        deploy_time[logs_http.WORKSPACE_PARAMETER] = {"type": "String", "defaultValue": ""}
    if modes.mail_acs:
        deploy_time[mail_acs.ENDPOINT_PARAMETER] = {"type": "String", "defaultValue": ""}
        deploy_time[mail_acs.SENDER_PARAMETER] = {"type": "String", "defaultValue": ""}
    names = {s.id: s.name for s in settings.subscriptions}
    if settings.scope is not None:
        names = dict(settings.scope.names)  # friendly names only; the rest come from Azure at run time
        deploy_time.update(discovery.parameters_section(settings.scope.management_group_id,
                                                        discovery.max_filtered_subscriptions(
                                                            render_queries(settings, LOGIC_APP_REPORT_TIME))))
    return {
        **({"$connections": {"type": "Object", "defaultValue": {}}} if uses_connections(settings) else {}),
        **deploy_time,
        "recipients": {"type": "Array", "defaultValue": recipients},
        "subscriptionNames": {
            "type": "Object",
            "defaultValue": names,
        },
        "reportTitle": {"type": "String", "defaultValue": settings.report.title},
        "timeZone": {"type": "String", "defaultValue": settings.schedule.time_zone},
        "maxSubscriptionRows": {"type": "Int", "defaultValue": settings.report.max_subscription_rows},
        "dropAlertPoints": {"type": "Int", "defaultValue": settings.report.drop_alert_points},
        "lookbackDays": {"type": "Int", "defaultValue": settings.report.lookback_days},
        # How far back the queries look at all: "never reported in the last N days".
        "historyDays": {
            "type": "Int",
            "defaultValue": (settings.report.trend_weeks - 1) * 7 + settings.report.lookback_days,
        },
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
    actions = _query_actions(settings)
    if settings.scope is not None:  # the KQL reads the run's subscription list
        for name in render_queries(settings, LOGIC_APP_REPORT_TIME):
            actions[query_action(name)]["runAfter"] = {MEMBERSHIP_ACTION: ["Succeeded"]}
    return actions


def _query_actions(settings: Settings) -> dict[str, Any]:
    workspace = settings.workspace
    queries = render_queries(settings, LOGIC_APP_REPORT_TIME)
    if settings.modes.logs_http:
        return logs_http.build_http_query_actions(queries)
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
        for name in queries
    }


def _email_template(settings: Settings):  # type: ignore[no-untyped-def]
    return load_template("email", assessments=settings.export.assessments, coverage=settings.scope is not None)


def build_select_actions(settings: Settings) -> dict[str, Any]:
    assessments, logs = settings.export.assessments, settings.modes.logs_query
    template = _email_template(settings)
    actions: dict[str, Any] = {}
    if settings.scope is not None:
        actions.update(discovery.coverage_actions(template, rows("coverage", logs), rows_action("coverage", logs)))
    for table, values in row_values(assessments, settings.scope is not None).items():
        query = ROW_QUERIES[table]
        source = f"@{rows(query, logs)}"
        if table == "subscriptions":
            source = f"@take({rows(query, logs)}, parameters('maxSubscriptionRows'))"
        actions[select_action(table)] = {
            "type": "Select",
            "inputs": {"from": source, "select": fill_interpolated(template.rows[table], values)},
            "runAfter": {rows_action(query, logs): ["Succeeded"]},
        }
    return actions


def build_compose_actions(settings: Settings) -> dict[str, Any]:
    assessments, logs = settings.export.assessments, settings.modes.logs_query
    management_group = settings.scope is not None
    template = _email_template(settings)
    run_after = {select_action(t): ["Succeeded"] for t in row_tables(assessments)} | {
        rows_action("overall", logs): ["Succeeded"], rows_action("freshness", logs): ["Succeeded"]}
    if management_group:
        run_after[discovery.COVERAGE_ROWS_ACTION] = ["Succeeded"]
    return {
        "Compose_report_html": {
            "type": "Compose",
            "inputs": fill_interpolated(
                template.document, report_values(template, assessments, logs, management_group)),
            "runAfter": run_after,
        },
    }


def mail_body(logs: str = "connector") -> str:
    """The HTML the report run sends: the report, or the "no data exported yet" email (one expression,
    well under the 8,192-character limit, so no Compose action of its own)."""
    no_data = fill_expression(load_template("no_data").document, no_data_values(logs))
    return f"@if({has_data(logs)}, outputs('Compose_report_html'), {no_data})"


def _send_mail(body: dict[str, str], run_after: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "type": "ApiConnection",
        "inputs": {
            "host": _connection("office365"),
            "method": "post",
            "path": "/v2/Mail",
            "body": {"To": "@{join(parameters('recipients'), ';')}", **body},
            # The default policy retries timeouts (504), which can deliver the mail twice; a failed
            # send shows in the run history and in `securescore check` instead.
            "retryPolicy": {"type": "none"},
        },
        "runAfter": run_after,
    }


def _send(
    settings: Settings, subject: str, html: str, high: str | None, run_after: dict[str, list[str]]
) -> dict[str, Any]:
    """The send action of the stack's mail transport; `high` is the condition for High importance
    (None: always High)."""
    if settings.modes.mail_acs:
        return mail_acs.send_action(subject, html, mail_acs.priority(high), run_after)
    importance = "High" if high is None else f"@if({high}, 'High', 'Normal')"
    return _send_mail({"Subject": subject, "Body": html, "Importance": importance}, run_after)


def build_failure_actions(settings: Settings) -> dict[str, Any]:
    # result() items carry bodies of every kind (a Select's is an array, a Compose's a string), and
    # Logic Apps may evaluate both branches of if() (docs/design.md, "The failure notice, type-safe"):
    # a body's properties are read only through object_or_empty, the same form in every mode.
    body = object_or_empty("item()?['outputs']?['body']")
    failed = "or(equals(item()?['status'], 'Failed'), equals(item()?['status'], 'TimedOut'))"
    if settings.modes.logs_http:
        # A query answered 200 with an error (PartialError) succeeded as an action: list it too, with
        # the error Log Analytics gave (its Rows_ Select failed because of it).
        failed = f"or({failed}, not(equals({body}?['error'], null)))"
    # The query API puts the specific reason in innererror (errors page: syntax, insufficient access);
    # a connector's error body has none, and the coalesce goes on to error.message.
    message = (f"coalesce({body}?['error']?['innererror']?['message'], {body}?['error']?['message'],"
               " item()?['error']?['message'], item()?['code'], item()?['status'])")
    line = f"concat('<li><b>', {text(item('name'))}, '</b>: ', {text(message)}, '</li>')"
    template = load_template("failure")
    return {
        "Select_failed_actions": {
            "type": "Select",
            "inputs": {"from": f"@result('{SCOPE}')", "select": f"@if({failed}, {line}, '')"},
            "runAfter": {SCOPE: ["Failed", "TimedOut"]},
        },
        "Send_failure_notice": _send(
            settings,
            "@{parameters('reportTitle')}: the report could not be built",
            fill_interpolated(template.document, failure_values(template)),
            None,
            {"Select_failed_actions": ["Succeeded"]},
        ),
    }


def build_definition(settings: Settings) -> dict[str, Any]:
    """The complete workflow definition (schema 2016-06-01) for a stack."""
    logs = settings.modes.logs_query
    scope_actions = {
        **build_query_actions(settings), **build_select_actions(settings), **build_compose_actions(settings)}
    dropped = f"{rows('overall', logs)}?[0]?['SubscriptionsDropped']"
    high = f"greater(coalesce({dropped}, 0), 0)"
    send_report = _send(settings, subject(logs), mail_body(logs), high, {SCOPE: ["Succeeded"]})
    actions: dict[str, Any] = {
        SCOPE: {"type": "Scope", "actions": scope_actions, "runAfter": {}},
        "Send_report": send_report,
        **build_failure_actions(settings),
    }
    if settings.modes.mail_acs:
        # The operation id exists before anything can be sent; the send is followed to its end.
        actions = {**mail_acs.initialize_operation_id(), **actions,
                   **mail_acs.follow_actions(("Send_report", "Send_failure_notice"))}
        actions[SCOPE]["runAfter"] = {mail_acs.INITIALIZE_ACTION: ["Succeeded"]}
    if settings.scope is not None:
        # Management-group mode: the run first asks Resource Graph which subscriptions to report on.
        actions = {**discovery.initialize_action(), **actions}
        actions[SCOPE]["actions"] = {**discovery.discovery_actions(), **actions[SCOPE]["actions"]}
        actions[SCOPE]["runAfter"] = {**actions[SCOPE]["runAfter"], discovery.INITIALIZE_ACTION: ["Succeeded"]}
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": build_parameters_section(settings),
        "triggers": build_trigger(settings),
        "actions": actions,
        "outputs": {},
    }


def definition_json(settings: Settings) -> str:
    """Canonical JSON text of the definition: same settings, same bytes."""
    return json.dumps(build_definition(settings), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
