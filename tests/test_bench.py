"""Smoke test of the benchmarks: every item runs in quick mode with tiny sizes and reports positive numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench import workflow
from bench.__main__ import ITEMS, run_items
from bench.common import quick_config
from bench.report import json_document, markdown, write_json

NUMBER = re.compile(r"^\d[\d,]*(\.\d+)?$")


def test_every_item_runs_in_quick_mode_and_reports_positive_numbers(tmp_path: Path) -> None:
    config = quick_config()
    config.deploy_sizes, config.deploy_repeats = (1, 3), {1: 1, 3: 1}
    config.workflow_sizes = config.email_sizes = (1, 3)
    config.query_subscriptions, config.query_days = 3, 14

    results = run_items(config, list(ITEMS))

    text = markdown(results, 1.0, "test")
    assert [r.key for r in results] == list(ITEMS)
    for number, result in enumerate(results, start=1):
        assert f"## {number}. {result.title}" in text
        assert result.rows and all(len(row) == len(result.header) for row in result.rows)
        numbers = [float(c.replace(",", "")) for row in result.rows for c in row if NUMBER.match(c)]
        assert numbers and all(n > 0 for n in numbers), (result.key, result.rows)
        assert result.verdict in ("PASS", "MISS", "n/a")
    deploy = results[0].raw["sizes"]
    assert all(m["custom_resources"] == m["baseline_custom_resources"] > 0 for m in deploy)
    assert all(m["project_median_s"] > 0 and m["baseline_median_s"] > 0 for m in deploy)
    assert all(m["html_bytes"] > 0 for m in results[2].raw["sizes"])
    assert results[3].raw["median_s"] > 0 and all(s > 0 for s in results[3].raw["phases_median_s"].values())
    assert all(s > 0 for s in results[4].raw["query_median_s"].values())

    path = tmp_path / "bench.json"
    write_json(path, json_document(results, 1.0, "test"))
    assert set(json.loads(path.read_text())["items"]) == set(ITEMS)


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
