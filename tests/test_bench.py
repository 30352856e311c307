"""Smoke test of the benchmarks: every item runs in quick mode with tiny sizes and reports positive numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bench import common, deploy, workflow
from bench.__main__ import ITEMS, run_items
from bench.common import quick_config
from bench.report import json_document, markdown, write_json

NUMBER = re.compile(r"^\d[\d,]*(\.\d+)?$")
SHIPPED_VARIANTS = ["default", "zero-touch", "management group"]


def test_every_item_runs_in_quick_mode_and_reports_positive_numbers(tmp_path: Path) -> None:
    config = quick_config()
    config.deploy_sizes, config.deploy_repeats = (1, 3), {1: 1, 3: 1}
    config.workflow_sizes = config.email_sizes = (1, 3)
    config.query_subscriptions, config.query_days = 3, 14
    config.csv_sizes, config.csv_days, config.csv_repeats = (3,), 14, {3: 1}

    results = run_items(config, list(ITEMS))

    text = markdown(results, 1.0, "test")
    assert [r.key for r in results] == list(ITEMS)
    by_key = {r.key: r for r in results}
    for number, result in enumerate(results, start=1):
        assert f"## {number}. {result.title}" in text
        tables = [(result.header, result.rows), *((h, r) for _, h, r in result.extra_tables)]
        for header, rows in tables:
            assert rows and all(len(row) == len(header) for row in rows)
        numbers = [float(c.replace(",", "")) for row in result.rows for c in row if NUMBER.match(c)]
        assert numbers and all(n > 0 for n in numbers), (result.key, result.rows)
        assert result.verdict in ("PASS", "MISS", "n/a")
    deploy_sizes = by_key["deploy"].raw["sizes"]
    assert all(m["custom_resources"] == m["baseline_custom_resources"] > 0 for m in deploy_sizes)
    assert all(m["project_median_s"] > 0 and m["baseline_median_s"] > 0 for m in deploy_sizes)
    assert [(v["variant"], v["subscriptions"]) for v in by_key["deploy"].raw["variants"]] == [
        (variant, n) for variant in SHIPPED_VARIANTS for n in (1, 3)]
    assert all(m["html_bytes"] > 0 for m in by_key["email_size"].raw["sizes"])
    assert {(m["variant"], m["subscriptions"]) for m in by_key["email_size"].raw["sizes"]} == {
        (v, n) for v in common.SETTINGS_VARIANTS for n in (1, 3)}
    assert {m["variant"] for m in by_key["workflow"].raw["sizes"]} == set(common.SETTINGS_VARIANTS)
    preview = by_key["preview_time"].raw
    assert preview["median_s"] > 0 and preview["bare_median_s"] > 0 and preview["cold_median_s"] > 0
    assert all(s > 0 for s in preview["phases_median_s"].values())
    assert all(s > 0 for s in by_key["queries"].raw["query_median_s"].values())
    (csv,) = by_key["csv_preview"].raw["sizes"]
    assert csv["rows"]["SecureScores"] > 0 and csv["rows"]["SecureScoreControls"] > 0
    assert csv["preview_median_peak_bytes"] > 0 and csv["duckdb_median_peak_bytes"] > 0

    path = tmp_path / "bench.json"
    write_json(path, json_document(results, 1.0, "test"))
    assert set(json.loads(path.read_text())["items"]) == set(ITEMS)


def test_a_settings_variant_is_one_more_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment mode is added to the deploy item by adding its stack values to SETTINGS_VARIANTS."""

    def two_recipients(count: int) -> dict[str, Any]:
        return {**common.config_values(count), "recipients": ["a@contoso.example", "b@contoso.example"]}

    monkeypatch.setitem(common.SETTINGS_VARIANTS, "two recipients", two_recipients)
    config = quick_config()
    config.deploy_sizes, config.deploy_repeats = (1, 2), {1: 1, 2: 1}

    result = deploy.run(config)

    (_title, header, rows) = result.extra_tables[0]
    assert header == ["settings variant", "1 subscription", "2 subscriptions"]
    assert [row[0] for row in rows] == [*SHIPPED_VARIANTS, "two recipients"]
    counts = {(v["variant"], v["subscriptions"]): v["custom_resources"] for v in result.raw["variants"]}
    # Recipients change no resource: the variant registers what the default does, at each size.
    assert counts["two recipients", 1] == counts["default", 1] < counts["two recipients", 2] == counts["default", 2]


def test_chain_counting_on_a_small_definition() -> None:
    actions = {
        "Scope": {"type": "Scope", "runAfter": {}, "actions": {
            "A": {"type": "Compose", "runAfter": {}},
            "B": {"type": "Compose", "runAfter": {"A": ["Succeeded"]}},
            "C": {"type": "Compose", "runAfter": {}},
        }},
        "After": {"type": "Compose", "runAfter": {"Scope": ["Succeeded"]}},
    }
    assert workflow.longest_chain(actions) == 3  # A -> B -> After
    assert workflow.longest_chain(actions, count_scopes=True) == 4
    assert workflow.count_actions(actions) == 5


def test_the_zero_touch_variant_is_the_zerotouch_stacks_mode() -> None:
    settings = common.make_settings(2, "zero-touch")
    assert (settings.modes.logs_http, settings.modes.mail_acs) == (True, True)
    assert list(common.SETTINGS_VARIANTS) == SHIPPED_VARIANTS


@pytest.mark.parametrize(("extra", "actions", "chain"), [
    # The connector's 17 / 5; one Rows_ Select per query (securescore.queries: 8 queries) on the http
    # path; the ACS send's five follow-up actions and three links (docs/design.md, "Zero-touch mode").
    ({}, 17, 5),
    ({"logsQuery": "http"}, 25, 6),
    ({"mailTransport": "acs", "acsDataLocation": "Europe"}, 22, 8),
    ({"logsQuery": "http", "mailTransport": "acs", "acsDataLocation": "Europe"}, 30, 9),
])
def test_the_workflow_bound_follows_the_transports(extra: dict[str, str], actions: int, chain: int) -> None:
    limit = workflow.bound(common.make_settings(1, **extra))
    assert (limit.actions, limit.chain) == (actions, chain)


def test_an_action_count_that_grows_with_subscriptions_is_not_constant() -> None:
    base = {"defined_actions": 19, "executed_actions": 17, "static_chain": 5, "executed_chain": 4}
    assert workflow.constant([base, dict(base)])
    assert not workflow.constant([base, {**base, "executed_actions": 18}])
