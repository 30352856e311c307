"""Item 3: bytes of the Send_report HTML body for sample data with N subscriptions."""

from __future__ import annotations

import re
from typing import Any

from bench.common import REPORT_NOW, BenchConfig, ItemResult, config_values, kib, timed
from bench.sample_runs import EngineSource
from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample
from securescore.emulator.local_run import run_locally
from securescore.settings import parse_settings

TARGET_BYTES = 90 * 1024
# Every section of the report, each with rows (the recommendations need exported assessments).
SECTIONS = ("headline", "changes", "recommendations", "subscriptions", "trend", "top-controls", "unhealthy-controls")


def measure(subscriptions: int, controls: int) -> dict[str, Any]:
    settings = parse_settings({**config_values(subscriptions), "exportAssessments": True})
    tables = generate_sample(settings, REPORT_NOW, controls=controls)
    rows = sum(len(r) for r in tables.values())
    load_s, engine = timed(lambda: LocalEngine(tables))
    tables.clear()
    try:
        run_s, local = timed(lambda: run_locally(settings, EngineSource(engine), REPORT_NOW))
    finally:
        engine.close()
    email = local.email
    if email.action != "Send_report":
        raise AssertionError(f"{subscriptions} subscriptions: the run sent {email.action}, not the report")
    empty = [s for s in SECTIONS if not _filled(email.html, s)]
    if subscriptions >= 100 and empty:
        raise AssertionError(f"{subscriptions} subscriptions: sections without rows: {empty}")
    return {
        "subscriptions": subscriptions,
        "controls": controls,
        "sample_rows": rows,
        "html_bytes": len(email.html.encode("utf-8")),
        "sections_with_rows": len(SECTIONS) - len(empty),
        "load_s": load_s,
        "run_s": run_s,
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
        str(m["subscriptions"]), str(m["controls"]), f"{m['sample_rows']:,}",
        f"{m['sections_with_rows']}/{len(SECTIONS)}", f"{size:,}", kib(size),
        f"{size / TARGET_BYTES:.0%}", "PASS" if size <= TARGET_BYTES else "MISS",
    ]


def run(config: BenchConfig) -> ItemResult:
    sizes = [measure(n, config.email_controls) for n in config.email_sizes]
    return ItemResult(
        key="email_size",
        title="Email HTML size (Send_report body)",
        target=f"<= 90 KiB ({TARGET_BYTES:,} bytes)",
        header=["subscriptions", "controls", "sample rows", "sections with rows", "HTML bytes", "size", "of target",
                "result"],
        rows=[_row(m) for m in sizes],
        passed=all(m["html_bytes"] <= TARGET_BYTES for m in sizes),
        notes=["Sample data from generate_sample (default 120 days, so every trend week has rows) with assessments "
               "exported, one run_locally per size; the size is the UTF-8 length of the captured Send_report Body. "
               "Sections with rows: changes, recommendations, subscriptions, trend, both control tables and the "
               "headline's drop alert (required from 100 subscriptions on)."],
        raw={"sizes": sizes},
    )
