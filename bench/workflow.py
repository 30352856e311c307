"""Item 2: actions executed per run and the longest runAfter chain, static and as executed, per settings variant.

How the chain is counted: the longest sequence of actions each waiting (runAfter) on the one before,
over every runAfter edge whatever status it waits for. A Scope is not a link of its own: it
contributes the longest chain of the actions inside it (inner actions with no runAfter start when the
scope starts, and an action after the scope starts when its longest inner chain ends). The number
with the Scope also counted as one link is reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.common import SETTINGS_VARIANTS, BenchConfig, ItemResult
from bench.sample_runs import every_section, sample_run
from securescore.emulator.runner import RunResult
from securescore.logicapp.definition import build_definition
from securescore.queries import MANAGEMENT_GROUP_QUERIES, QUERY_NAMES
from securescore.settings import Settings

ORIGINAL_ACTIONS = 9  # Microsoft's template: 9 actions, all in series
ORIGINAL_CHAIN = 9


@dataclass(frozen=True)
class Bound:
    """An absolute bound on the actions a run executes and on its longest runAfter chain, and why."""

    actions: int
    chain: int
    why: str


# The first release's target for the connector mode was 15 actions and a chain of 5, for the report
# without recommendations; with every section (exportAssessments) the recommendations add their
# query and its Select: 17 / 5. Each transport of the zero-touch mode adds a fixed set of actions, per
# query or per send and never per subscription: logsQuery http a Rows_ Select after each Query_
# (+ one action per query, + 1 on the chain: Query_ -> Rows_ -> Select_); mailTransport acs the
# operation id variable before the queries and the follow-up after the send (Initialize_operation_id,
# Follow_send with its Wait and status read, Check_delivery: + 5 actions, + 3 on the chain).
# managementGroupId adds the discovery before the queries and the coverage section: Initialize_discovery,
# Discover_subscriptions (one Until paging Resource Graph: Read_resource_graph, Collect_subscriptions,
# Set_discovered_subscriptions, Set_skip_token), Select_subscriptions, Filter_subscriptions,
# Select_subscription_ids, Compose_subscription_filter, Query_coverage, Filter_uncovered_subscriptions,
# Select_coverage_rows: + 13 actions; the queries wait on the composed filter: + 7 on the chain.
CONNECTOR_ACTIONS, CONNECTOR_CHAIN = 17, 5
ACS_ACTIONS, ACS_CHAIN = 5, 3
MANAGEMENT_GROUP_ACTIONS, MANAGEMENT_GROUP_CHAIN = 13, 7


def bound(settings: Settings) -> Bound:
    """The bound of a stack's modes (a new variant with the connector's transports gets 17 / 5)."""
    actions, chain, parts = CONNECTOR_ACTIONS, CONNECTOR_CHAIN, ["connector 17 / 5"]
    if settings.scope is not None:
        actions, chain = actions + MANAGEMENT_GROUP_ACTIONS, chain + MANAGEMENT_GROUP_CHAIN
        parts.append(f"managementGroupId + {MANAGEMENT_GROUP_ACTIONS} / + {MANAGEMENT_GROUP_CHAIN}")
    if settings.modes.logs_http:
        queries = len(QUERY_NAMES) + (len(MANAGEMENT_GROUP_QUERIES) if settings.scope is not None else 0)
        actions, chain = actions + queries, chain + 1
        parts.append(f"logsQuery http + {queries} Rows_ / + 1")
    if settings.modes.mail_acs:
        actions, chain = actions + ACS_ACTIONS, chain + ACS_CHAIN
        parts.append(f"mailTransport acs + {ACS_ACTIONS} / + {ACS_CHAIN}")
    return Bound(actions, chain, ", ".join(parts))


Actions = dict[str, dict[str, Any]]


def _ordered(actions: Actions) -> list[str]:
    """Names in an order where every runAfter predecessor comes first (same-level references only)."""
    done: list[str] = []
    pending = dict(actions)
    while pending:
        ready = [n for n, a in pending.items() if all(p in done for p in a.get("runAfter") or {})]
        if not ready:
            raise ValueError(f"runAfter cycle or unknown predecessor among {sorted(pending)}")
        for name in sorted(ready):
            done.append(name)
            del pending[name]
    return done


def chain_ends(actions: Actions, start: int = 0, count_scopes: bool = False) -> dict[str, int]:
    """Chain length at the end of each action of one level (see the module docstring)."""
    ends: dict[str, int] = {}
    for name in _ordered(actions):
        action = actions[name]
        begin = max((ends[p] for p in action.get("runAfter") or {}), default=start)
        if action.get("type", "").lower() == "scope":
            inner = chain_ends(action.get("actions") or {}, begin, count_scopes)
            ends[name] = max(inner.values(), default=begin) + (1 if count_scopes else 0)
        else:
            ends[name] = begin + 1
    return ends


def longest_chain(actions: Actions, count_scopes: bool = False) -> int:
    return max(chain_ends(actions, 0, count_scopes).values(), default=0)


def count_actions(actions: Actions) -> int:
    """Every action, nested ones included (a Scope counts as one action, as Logic Apps bills it)."""
    return sum(1 + count_actions(a.get("actions") or {}) for a in actions.values())


def executed_actions(actions: Actions, run: RunResult) -> Actions:
    """The definition's actions that ran (status other than Skipped), nested ones filtered too."""
    ran = {name for name, action in run.actions.items() if action.status != "Skipped"}
    kept: Actions = {}
    for name, action in actions.items():
        if name not in ran:
            continue
        copy = dict(action)
        if "actions" in action:
            copy["actions"] = executed_actions(action["actions"], run)
        copy["runAfter"] = {p: s for p, s in (action.get("runAfter") or {}).items() if p in ran}
        kept[name] = copy
    return kept


def measure(subscriptions: int, fail_query: str | None = None, variant: str = "default") -> dict[str, Any]:
    actions = build_definition(every_section(subscriptions, variant))["actions"]
    local = sample_run(subscriptions, fail_query=fail_query, variant=variant).local
    ran = executed_actions(actions, local.run)
    limit = bound(every_section(subscriptions, variant))
    return {
        "variant": variant,
        "bound_actions": limit.actions,
        "bound_chain": limit.chain,
        "bound_why": limit.why,
        "subscriptions": subscriptions,
        "run": f"failure run: Query_{fail_query} fails" if fail_query else "report run",
        "run_status": local.run.status,
        "email_action": local.email.action,
        "defined_actions": count_actions(actions),
        "executed_actions": count_actions(ran),
        "executed_names": sorted(n for n, a in local.run.actions.items() if a.status != "Skipped"),
        "static_chain": longest_chain(actions),
        "static_chain_scope_counted": longest_chain(actions, count_scopes=True),
        "executed_chain": longest_chain(ran),
        "executed_chain_scope_counted": longest_chain(ran, count_scopes=True),
    }


def _within(m: dict[str, Any]) -> bool:
    return m["executed_actions"] <= m["bound_actions"] and max(m["static_chain"], m["executed_chain"]) <= \
        m["bound_chain"]


def constant(measures: list[dict[str, Any]]) -> bool:
    """The same action counts and chains at every size (the report runs of one variant)."""
    keys = ("defined_actions", "executed_actions", "static_chain", "executed_chain")
    return len({tuple(m[k] for k in keys) for m in measures}) == 1


def _row(m: dict[str, Any], is_constant: bool) -> list[str]:
    return [
        m["variant"], f"{m['subscriptions']} ({m['run']})", str(m["defined_actions"]), str(m["executed_actions"]),
        f"{m['static_chain']} ({m['static_chain_scope_counted']})",
        f"{m['executed_chain']} ({m['executed_chain_scope_counted']})",
        f"{m['bound_actions']} / {m['bound_chain']}", "yes" if is_constant else "NO",
        "PASS" if _within(m) and is_constant else "MISS",
    ]


def run(config: BenchConfig) -> ItemResult:
    variants = list(config.variants or SETTINGS_VARIANTS)
    measures: list[dict[str, Any]] = []
    rows = [["original solution", "any", str(ORIGINAL_ACTIONS), str(ORIGINAL_ACTIONS), str(ORIGINAL_CHAIN),
             str(ORIGINAL_CHAIN), "-", "yes", "-"]]
    passed = True
    for variant in variants:
        reports = [measure(n, variant=variant) for n in config.workflow_sizes]
        failure = measure(min(config.workflow_sizes), fail_query="overall", variant=variant)
        is_constant = constant(reports)
        passed = passed and is_constant and all(_within(m) for m in [*reports, failure])
        rows += [_row(m, is_constant) for m in reports] + [_row(failure, True)]
        measures += [*reports, failure]
    limits = {m["variant"]: m for m in measures}
    bounds = "; ".join(f"{v} <= {m['bound_actions']} actions, chain <= {m['bound_chain']}" for v, m in limits.items())
    return ItemResult(
        key="workflow",
        title="Logic App actions per run and longest runAfter chain, per settings variant",
        target=f"per variant: the same at every size, and {bounds} (original: 9 / 9)",
        header=["settings variant", "subscriptions (run)", "actions defined", "actions executed",
                "static chain (scope counted)", "executed chain (scope counted)", "bound (actions / chain)",
                "constant in subscriptions", "result"],
        rows=rows,
        passed=passed,
        notes=[
            "Every section of the report (exportAssessments: true), the variant's settings from "
            "bench.common.SETTINGS_VARIANTS; the failure run is at the smallest size.",
            "Executed = actions of the local run (run_locally on sample data) whose status is not Skipped, "
            "nested ones included; the Run_queries Scope and the Follow_send Until count as one action each "
            "(an Until's repetitions are not counted).",
            "Chain = the longest sequence of actions each waiting (runAfter, any status) on the previous one; the "
            "Run_queries Scope is not a link itself, it adds its longest inner chain (e.g. Query_subscriptions -> "
            "Select_subscriptions_rows -> Compose_report_html -> Send_report = 4). In brackets: the Scope also "
            "counted as one link. Static = over the definition (build_definition); executed = over the actions "
            "that ran.",
            "Bounds follow the transports (bench.workflow.bound): the connector mode's 17 actions / chain 5 (the "
            "first release's 15 / 5, plus the recommendations' query and Select), logsQuery http + one Rows_ "
            "Select per query / + 1, mailTransport acs + 5 (operation id, Until, Wait, status read, delivery "
            "check) / + 3; each addition is per query or per send, none per subscription.",
            *(f"Bound of {v}: {m['bound_actions']} actions, chain {m['bound_chain']} ({m['bound_why']})."
              for v, m in limits.items()),
        ],
        raw={"sizes": measures},
    )
