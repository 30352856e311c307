"""Item 2: actions executed per run and the longest runAfter chain, static and as executed.

How the chain is counted: the longest sequence of actions each waiting (runAfter) on the one before,
over every runAfter edge whatever status it waits for. A Scope is not a link of its own: it
contributes the longest chain of the actions inside it (inner actions with no runAfter start when the
scope starts, and an action after the scope starts when its longest inner chain ends). The number
with the Scope also counted as one link is reported beside it.
"""

from __future__ import annotations

from typing import Any

from bench.common import BenchConfig, ItemResult, make_settings
from bench.sample_runs import sample_run
from securescore.emulator.runner import RunResult
from securescore.logicapp.definition import build_definition

TARGET_ACTIONS = 15
TARGET_CHAIN = 5
ORIGINAL_ACTIONS = 9  # Microsoft's template: 9 actions, all in series
ORIGINAL_CHAIN = 9

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


def measure(subscriptions: int, fail_query: str | None = None) -> dict[str, Any]:
    actions = build_definition(make_settings(subscriptions))["actions"]
    local = sample_run(subscriptions, fail_query=fail_query).local
    ran = executed_actions(actions, local.run)
    return {
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


def _passed(m: dict[str, Any]) -> bool:
    return m["executed_actions"] <= TARGET_ACTIONS and max(m["static_chain"], m["executed_chain"]) <= TARGET_CHAIN


def _row(m: dict[str, Any]) -> list[str]:
    return [
        f"{m['subscriptions']} ({m['run']})", str(m["defined_actions"]), str(m["executed_actions"]),
        f"{m['static_chain']} ({m['static_chain_scope_counted']})",
        f"{m['executed_chain']} ({m['executed_chain_scope_counted']})",
        "PASS" if _passed(m) else "MISS",
    ]


def run(config: BenchConfig) -> ItemResult:
    sizes = [measure(n) for n in config.workflow_sizes]
    sizes.append(measure(min(config.workflow_sizes), fail_query="overall"))
    original = ["original solution (any)", str(ORIGINAL_ACTIONS), str(ORIGINAL_ACTIONS), str(ORIGINAL_CHAIN),
                str(ORIGINAL_CHAIN), "-"]
    return ItemResult(
        key="workflow",
        title="Logic App actions per run and longest runAfter chain",
        target=f"executed actions <= {TARGET_ACTIONS} at any size, chain <= {TARGET_CHAIN} (original: 9 / 9)",
        header=["subscriptions (run)", "actions defined", "actions executed", "static chain (scope counted)",
                "executed chain (scope counted)", "result"],
        rows=[original] + [_row(m) for m in sizes],
        passed=all(_passed(m) for m in sizes),
        notes=[
            "Executed = actions of the local run (run_locally on sample data) whose status is not Skipped, "
            "nested ones included; the Run_queries Scope counts as one action.",
            "Chain = the longest sequence of actions each waiting (runAfter, any status) on the previous one; the "
            "Run_queries Scope is not a link itself, it adds its longest inner chain (e.g. Query_subscriptions -> "
            "Select_subscriptions_rows -> Compose_report_html -> Send_report = 4). In brackets: the Scope also "
            "counted as one link. Static = over the definition (build_definition); executed = over the actions "
            "that ran.",
        ],
        raw={"sizes": sizes},
    )
