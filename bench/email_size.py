"""Item 3: bytes of the Send_report HTML body for sample data with N subscriptions, per settings variant."""

from __future__ import annotations

import re
from typing import Any

from bench.common import SETTINGS_VARIANTS, BenchConfig, ItemResult, kib
from bench.sample_runs import sample_run

TARGET_BYTES = 90 * 1024
# Every section of the report, each with rows (the recommendations need exported assessments).
SECTIONS = ("headline", "changes", "recommendations", "subscriptions", "trend", "top-controls", "unhealthy-controls")


def measure(subscriptions: int, controls: int, variant: str = "default") -> dict[str, Any]:
    sample = sample_run(subscriptions, controls, variant=variant)
    email = sample.local.email
    if email.action != "Send_report":
        raise AssertionError(f"{variant}, {subscriptions} subscriptions: the run sent {email.action}, not the report")
    empty = [s for s in SECTIONS if not _filled(email.html, s)]
    if subscriptions >= 100 and empty:
        raise AssertionError(f"{variant}, {subscriptions} subscriptions: sections without rows: {empty}")
    return {
        "variant": variant,
        "subscriptions": subscriptions,
        "controls": controls,
        "sample_rows": sample.rows,
        "html_bytes": len(email.html.encode("utf-8")),
        "sections_with_rows": len(SECTIONS) - len(empty),
        "load_s": sample.load_s,
        "run_s": sample.run_s,
    }


def _filled(html: str, section: str) -> bool:
    """A section with at least one data row (a link or a bar in a row), or the headline with its drop alert."""
    start = html.index(f'id="{section}"')
    end = re.compile(r'<tr><td class="(section|footer)').search(html, start)
    body = html[start: end.start() if end else len(html)]
    marker = {"headline": 'class="alert"', "trend": 'class="bar"'}.get(section, 'class="link"')
    return marker in body


def _row(m: dict[str, Any]) -> list[str]:
    size = m["html_bytes"]
    return [
        m["variant"], str(m["subscriptions"]), str(m["controls"]), f"{m['sample_rows']:,}",
        f"{m['sections_with_rows']}/{len(SECTIONS)}", f"{size:,}", kib(size),
        f"{size / TARGET_BYTES:.0%}", "PASS" if size <= TARGET_BYTES else "MISS",
    ]


def run(config: BenchConfig) -> ItemResult:
    variants = list(config.variants or SETTINGS_VARIANTS)
    sizes = [measure(n, config.email_controls, v) for v in variants for n in config.email_sizes]
    return ItemResult(
        key="email_size",
        title="Email HTML size (Send_report body)",
        target=f"<= 90 KiB ({TARGET_BYTES:,} bytes) for every variant at every size",
        header=["settings variant", "subscriptions", "controls", "sample rows", "sections with rows", "HTML bytes",
                "size", "of target",
                "result"],
        rows=[_row(m) for m in sizes],
        passed=all(m["html_bytes"] <= TARGET_BYTES for m in sizes),
        notes=["Sample data from generate_sample (default 120 days, so every trend week has rows) with assessments "
               "exported, one run_locally per variant and size (the runs the workflow item measures); the size is "
               "the UTF-8 length of the captured Send_report body (the Office 365 action's Body, ACS's "
               "content.html). Sections with rows: changes, recommendations, subscriptions, trend, both control "
               "tables and the headline's drop alert (required from 100 subscriptions on)."],
        raw={"sizes": sizes},
    )
