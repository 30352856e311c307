"""Item 3: bytes of the Send_report HTML body for sample data with N subscriptions."""

from __future__ import annotations

from typing import Any

from bench.common import BenchConfig, ItemResult, kib
from bench.sample_runs import sample_run

TARGET_BYTES = 90 * 1024


def measure(subscriptions: int, controls: int) -> dict[str, Any]:
    sample = sample_run(subscriptions, controls)
    email = sample.local.email
    if email.action != "Send_report":
        raise AssertionError(f"{subscriptions} subscriptions: the run sent {email.action}, not the report")
    return {
        "subscriptions": subscriptions,
        "controls": controls,
        "sample_rows": sample.rows,
        "html_bytes": len(email.html.encode("utf-8")),
        "load_s": sample.load_s,
        "run_s": sample.run_s,
    }


def _row(m: dict[str, Any]) -> list[str]:
    size = m["html_bytes"]
    return [
        str(m["subscriptions"]), str(m["controls"]), f"{m['sample_rows']:,}", f"{size:,}", kib(size),
        f"{size / TARGET_BYTES:.0%}", "PASS" if size <= TARGET_BYTES else "MISS",
    ]


def run(config: BenchConfig) -> ItemResult:
    sizes = [measure(n, config.email_controls) for n in config.email_sizes]
    return ItemResult(
        key="email_size",
        title="Email HTML size (Send_report body)",
        target=f"<= 90 KiB ({TARGET_BYTES:,} bytes)",
        header=["subscriptions", "controls", "sample rows", "HTML bytes", "size", "of target", "result"],
        rows=[_row(m) for m in sizes],
        passed=all(m["html_bytes"] <= TARGET_BYTES for m in sizes),
        notes=["Sample data from generate_sample (default 120 days, so every trend week has rows), one run_locally "
               "per size; the size is the UTF-8 length of the captured Send_report Body."],
        raw={"sizes": sizes},
    )
