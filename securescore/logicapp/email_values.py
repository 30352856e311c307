"""What each [[token]] of the email templates shows, as Workflow Definition Language expressions.

Every query result is read through `rows(query, logs)`: the one place that knows how the query actions
answer (the azuremonitorlogs connector's ``body('Query_x')?['value']``; with ``logsQuery: http`` the row
objects the ``Rows_x`` Select makes of the query API's positional rows, see `logicapp.logs_http`). The
rest of the email is the same for both. Every value from data or
config passes through `wdl.text` (HTML-escaped) or a number/time formatter; links come from
`logicapp.links` plus ids that `wdl.url_part` encodes.
"""

from __future__ import annotations

from securescore.logicapp import discovery, links
from securescore.logicapp.email import EmailTemplate
from securescore.logicapp.logs_http import rows_action_name
from securescore.logicapp.wdl import change_parts, counted, fill_expression, lit, local_time, number, text, url_part

# Select action's row prototype <- the query whose rows it renders.
ROW_QUERIES = {
    "changes": "changes",
    "recommendations": "recommendations",
    "subscriptions": "subscriptions",
    "trend": "trend",
    "top_controls": "top_controls",
    "unhealthy_controls": "unhealthy_controls",
}
ASSESSMENT_TABLES = ("recommendations",)  # rendered only when the stack exports assessments


def query_action(name: str) -> str:
    return f"Query_{name}"


def select_action(table: str) -> str:
    return f"Select_{table}_rows"


def rows(query: str, logs: str = "connector") -> str:
    """The result rows of a query (an array of {column: value}) for the stack's logsQuery mode."""
    if logs == "http":
        return f"body({lit(rows_action_name(query))})"
    return f"body({lit(query_action(query))})?['value']"


def rows_action(query: str, logs: str = "connector") -> str:
    """The action whose body holds the query's rows: what the Selects and the Compose run after."""
    return rows_action_name(query) if logs == "http" else query_action(query)


def first(query: str, column: str, logs: str = "connector") -> str:
    return f"{rows(query, logs)}?[0]?[{lit(column)}]"


def item(column: str) -> str:
    return f"item()?[{lit(column)}]"


def row_tables(assessments: bool) -> tuple[str, ...]:
    return tuple(t for t in ROW_QUERIES if assessments or t not in ASSESSMENT_TABLES)


def _subscription_name(sub_id: str, management_group: bool = False) -> str:
    if management_group:  # the stack's name, else Azure's display name found at run time, else the id
        return text(discovery.subscription_name(sub_id))
    return text(f"coalesce(parameters('subscriptionNames')?[{sub_id}], {sub_id})")


def _is(column: str, value: str) -> str:
    return f"equals({item(column)}, {lit(value)})"


def row_values(assessments: bool, management_group: bool = False) -> dict[str, dict[str, str]]:
    """Token -> expression of each row prototype (the Select actions' templates)."""
    sub_id = item("SubscriptionId")
    last_seen = item("LastSeen")
    values: dict[str, dict[str, str]] = {
        "changes": {
            "link": text(f"if({_is('Kind', 'subscription')}, {lit(links.SECURE_SCORE)}, {lit(links.RECOMMENDATIONS)})"),
            "name": (f"if({_is('Kind', 'subscription')}, {_subscription_name(item('Id'), management_group)},"
                     f" {text(item('Name'))})"),
            "detail": (
                f"if({_is('Kind', 'subscription')}, concat('subscription · ', {number(item('ScoreWeekAgo'), '0.0')},"
                f" ' → ', {number(item('ScoreNow'), '0.0')}, ' %'),"
                f" concat('control · in ', {counted(item('Subscriptions'), 'subscription', 'subscriptions')}))"
            ),
            **_without_flat(change_parts(item("Change"), "+0.00;-0.00", " pts")),
        },
        "recommendations": {
            "link": text(
                f"if(empty(coalesce({item('AssessmentKey')}, '')), {lit(links.RECOMMENDATIONS)},"
                f" concat({lit(links.RECOMMENDATION)}, {url_part(item('AssessmentKey'))}))"
            ),
            "name": text(item("Name")),
            "severity_high": f"if({_is('Severity', 'High')}, 'High', '')",
            "severity_medium": f"if({_is('Severity', 'Medium')}, 'Medium', '')",
            "severity_other": (
                f"if(or({_is('Severity', 'High')}, {_is('Severity', 'Medium')}), '', {text(item('Severity'))})"
            ),
            "subscriptions": counted(item("Subscriptions"), "subscription", "subscriptions"),
            "unhealthy": number(item("UnhealthyResources"), "#,##0"),
            "newly": (
                f"if(greater(coalesce({item('NewlyUnhealthy')}, 0), 0),"
                f" concat('+', {number(item('NewlyUnhealthy'), '#,##0')}), '0')"
            ),
        },
        "subscriptions": {
            "name": _subscription_name(sub_id, management_group),
            "dropped": (
                f"if(equals({item('Dropped')}, true),"
                f" concat('▼ dropped more than ', string(parameters('dropAlertPoints')), ' pts'), '')"
            ),
            "state": (
                f"if(equals({item('HasData')}, true), '', if(equals({last_seen}, null),"
                f" concat('never reported in the last ', string(parameters('historyDays')), ' days'),"
                f" concat('stopped reporting · last seen ', {local_time(last_seen, 'd MMM yyyy')})))"
            ),
            "score_now": number(item("ScoreNow"), "0.0"),
            **change_parts(item("Change")),
            "was": (
                f"if(equals({item('ScoreWeekAgo')}, null), '',"
                f" concat('from ', {number(item('ScoreWeekAgo'), '0.0')}))"
            ),
            "unhealthy": number(item("UnhealthyResources"), "#,##0"),
        },
        "trend": {
            "week_end": local_time(item("WeekEnd"), "d MMM"),
            "bar_width": f"formatNumber(coalesce({item('Score')}, 0), '0', 'en-US')",
            "score": number(item("Score"), "0.0"),
            **change_parts(item("Change")),
        },
        "top_controls": {
            "name": text(item("ControlName")),
            "subscriptions": counted(item("Subscriptions"), "subscription", "subscriptions"),
            "potential": f"concat('+', {number(item('PotentialIncrease'), '0.00')})",
            "unhealthy": number(item("UnhealthyResources"), "#,##0"),
        },
        "unhealthy_controls": {
            "name": text(item("ControlName")),
            "subscriptions": counted(item("Subscriptions"), "subscription", "subscriptions"),
            "unhealthy": number(item("UnhealthyResources"), "#,##0"),
            "healthy": number(item("HealthyResources"), "#,##0"),
        },
    }
    return {table: values[table] for table in row_tables(assessments)}


def _without_flat(parts: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in parts.items() if k != "change_flat"}  # a listed change is never zero


def header_values() -> dict[str, str]:
    return {
        "title": text("parameters('reportTitle')"),
        "report_date": "convertFromUtc(utcNow(), parameters('timeZone'), 'dddd d MMMM yyyy')",
    }


def fill_optional(template: EmailTemplate, blocks: dict[str, tuple[str, dict[str, str]]]) -> dict[str, str]:
    """[[if:X]] tokens: each block's HTML when its condition holds, else nothing."""
    return {
        f"if:{block}": f"if({condition}, {fill_expression(template.optional[block], block_values)}, '')"
        for block, (condition, block_values) in blocks.items()
    }


def report_values(
    template: EmailTemplate, assessments: bool, logs: str = "connector", management_group: bool = False,
) -> dict[str, str]:
    """Token -> expression of the report document (the Compose action's text); management-group mode
    adds the coverage section's tokens (`logicapp.discovery`)."""
    overall = lambda column: first("overall", column, logs)  # noqa: E731
    fresh = lambda column: first("freshness", column, logs)  # noqa: E731
    more = f"sub(length({rows('subscriptions', logs)}), parameters('maxSubscriptionRows'))"
    missing = f"coalesce({fresh('SubscriptionsMissing')}, 0)"
    dropped = overall("SubscriptionsDropped")
    lookback = "string(parameters('lookbackDays'))"
    blocks: dict[str, tuple[str, dict[str, str]]] = {
        "drop_alert": (
            f"greater(coalesce({dropped}, 0), 0)",
            {"drop_alert_text": (
                f"concat('▼ ', {counted(dropped, 'subscription', 'subscriptions')}, ' dropped by more than ',"
                f" string(parameters('dropAlertPoints')), ' pts this week.')"
            )},
        ),
        "data_note": ("not(empty(parameters('dataNote')))", {"data_note": text("parameters('dataNote')")}),
        "more_subscriptions": (
            f"greater({more}, 0)",
            {"more_subscriptions_text": f"concat('… and ', string({more}), ' more subscriptions')"},
        ),
        "no_changes": (f"empty(body('{select_action('changes')}'))", {}),
        "no_top_controls": (f"empty(body('{select_action('top_controls')}'))", {}),
        "no_unhealthy_controls": (f"empty(body('{select_action('unhealthy_controls')}'))", {}),
    }
    if assessments:
        blocks["no_recommendations"] = (
            f"empty(body('{select_action('recommendations')}'))", {"lookback_days": lookback})
    coverage: dict[str, str] = {}
    if management_group:
        coverage, coverage_blocks = discovery.coverage_values(rows("coverage", logs))
        blocks.update(coverage_blocks)
    values = {
        **header_values(),
        "score_now": f"concat({number(overall('ScoreNow'), '0.0')}, ' %')",
        **change_parts(overall("Change"), unit=" pts"),
        "points": (
            f"concat({number(overall('CurrentPoints'), '#,##0.#')}, ' of ',"
            f" {number(overall('MaxPoints'), '#,##0')}, ' points')"
        ),
        "subscriptions_reporting": f"string(coalesce({fresh('SubscriptionsReporting')}, 0))",
        "subscriptions_configured": f"string(coalesce({fresh('SubscriptionsConfigured')}, 0))",
        "latest_data": local_time(fresh("LatestTimeGenerated"), "d MMM yyyy HH:mm"),
        "time_zone": text("parameters('timeZone')"),
        "freshness_text": (
            f"if(greater({missing}, 0), concat("
            f"{counted(missing, 'configured subscription', 'configured subscriptions')},"
            f" ' sent no data in the lookback window (marked above).'), '')"
        ),
        "lookback_days": lookback,
        **{f"rows:{table}": f"join(body('{select_action(table)}'), '')" for table in row_tables(assessments)},
        **coverage,
        **fill_optional(template, blocks),
    }
    return values


def no_data_values(logs: str = "connector") -> dict[str, str]:
    return {
        **header_values(),
        "workspace_name": text("parameters('workspaceName')"),
        "subscriptions_configured": f"string(coalesce({first('freshness', 'SubscriptionsConfigured', logs)}, 0))",
        "lookback_days": "string(parameters('lookbackDays'))",
    }


def subject(logs: str = "connector") -> str:
    """'<title>: 72.3% ▼ -3.4 pts, 1 subscription dropped' (or ': no data exported yet')."""
    score, change = first("overall", "ScoreNow", logs), first("overall", "Change", logs)
    dropped = first("overall", "SubscriptionsDropped", logs)
    value = f"coalesce({change}, 0)"
    arrow = f"if(greater({value}, 0), ' ▲ ', if(less({value}, 0), ' ▼ ', ' '))"
    change_text = (
        f"if(equals({change}, null), '', if(equals({value}, 0), ' (no change)',"
        f" concat({arrow}, formatNumber({value}, '+0.0;-0.0;0.0', 'en-US'), ' pts')))"
    )
    drop_text = (
        f"if(greater(coalesce({dropped}, 0), 0),"
        f" concat(', ', {counted(dropped, 'subscription', 'subscriptions')}, ' dropped'), '')"
    )
    report = (
        f"concat(parameters('reportTitle'), ': ', formatNumber(coalesce({score}, 0), '0.0', 'en-US'), '%',"
        f" {change_text}, {drop_text})"
    )
    return f"@if({has_data(logs)}, {report}, concat(parameters('reportTitle'), ': no data exported yet'))"


def has_data(logs: str) -> str:
    return f"greater(coalesce({first('overall', 'SubscriptionsReporting', logs)}, 0), 0)"


def failure_values(template: EmailTemplate) -> dict[str, str]:
    run_id = "workflow()?['run']?['id']"
    return {
        **header_values(),
        "failed_actions": "join(body('Select_failed_actions'), '')",
        "logic_app": text("workflow()?['name']"),
        "run_id": text("workflow()?['run']?['name']"),
        **fill_optional(template, {
            "run_link": (
                f"not(empty(coalesce({run_id}, '')))",
                {"run_link": text(f"concat({lit(links.WORKFLOW_RUN)}, encodeUriComponent(coalesce({run_id}, '')))")},
            ),
        }),
    }
