"""The management-group report (coverage section included) passes the same email checks as the others:
Chromium layout at 390/600/800px, the caniemail data, WCAG contrast light and inverted, and the
90 KB budget at 500 subscriptions (bench/email_size.py's measure: the UTF-8 length of the body)."""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from pathlib import Path

import pytest

from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample import SampleSource
from securescore.datasources.sample_data import generate_sample, sample_membership
from securescore.emulator.local_run import run_locally
from securescore.emulator.resource_graph import subscription_row
from securescore.settings import settings_from_stack
from tests.conftest import REPORT_NOW, make_settings
from tests.test_email_browser import FRAME, SECTIONS, run_chromium
from tests.test_email_caniemail import EXCEPTIONS, lint
from tests.test_email_form import contrast, inverted, parse_colour, texts

BUDGET = 90 * 1024


@cache
def sample_report() -> str:
    settings = settings_from_stack("mgmt")
    return run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW).email.html


class Rows:
    def __init__(self, engine: LocalEngine) -> None:
        self.engine, self.warnings = engine, []

    def run_query(self, kql: str) -> list[dict]:
        return self.engine.run(kql)

    def describe(self) -> str:
        return "rows"


def test_five_hundred_subscriptions_stay_under_90_kb() -> None:
    # Assessments exported (every section has rows) and half of the group never reported: the
    # coverage section at its longest (maxSubscriptionRows rows and "… and N more").
    settings = make_settings(0, subscriptions=[], managementGroupId="bench-mg", exportAssessments=True)
    members = sample_membership(500)
    engine = LocalEngine(generate_sample(settings, REPORT_NOW, membership=members[:250] + members[-1:]))
    try:
        rows = [subscription_row(m.id, m.name, m.state) for m in members]
        result = run_locally(settings, Rows(engine), REPORT_NOW, membership=rows)
    finally:
        engine.close()
    body = result.email.html
    assert result.email.action == "Send_report"
    assert body.count("cannot report") + body.count("never reported: export not deployed yet") + \
        body.count("stopped reporting</span>") >= 25
    reporting = len(result.query_results["coverage"][0]["ReportingIds"].split(","))
    assert reporting < 251  # the other 250 never exported
    assert f"… and {len(members) - reporting - 25} more<" in body  # 25 shown (maxSubscriptionRows)
    assert len(body.encode("utf-8")) <= BUDGET


@pytest.mark.browser
@pytest.mark.parametrize(("window", "column"), [(390, 390), (600, 600), (800, 600)])
def test_the_report_fits_the_screen(tmp_path: Path, window: int, column: int) -> None:
    sections = [*SECTIONS, "coverage"]
    probed = tmp_path / "probed.html"
    probed.write_text(FRAME % (window, escape(sample_report(), quote=True), json.dumps(sections)), encoding="utf-8")
    dom = run_chromium("--window-size=900,4000", "--dump-dom", probed.as_uri(), tmp_path=tmp_path)
    match = re.search(r'<pre id="probe-result">(.*?)</pre>', dom, re.S)
    assert match, "the probe did not run"
    metrics = json.loads(match.group(1).replace("&quot;", '"'))
    assert metrics["container"] == column and metrics["scrollWidth"] <= metrics["viewport"]
    assert metrics["overflowing"] == []
    coverage = metrics["sections"]["coverage"]
    assert coverage["visible"] and coverage["height"] > 10 and coverage["width"] <= column


@pytest.mark.node
def test_no_unsupported_feature_without_a_fallback() -> None:
    errors = lint({"report": sample_report()})["report"]["errors"]
    assert [e for e in errors if e not in EXCEPTIONS] == []


def test_text_is_readable_in_light_and_inverted_colours() -> None:
    poor = []
    for text, colour, background, size, explicit in texts(sample_report()):
        assert explicit, f"{text!r}: colour and background must both be set explicitly"
        fg, bg = parse_colour(colour), parse_colour(background)
        needed = 3.0 if size >= 24 else 4.5
        for scheme, (f, b) in (("light", (fg, bg)), ("inverted", (inverted(fg), inverted(bg)))):
            if contrast(f, b) < needed:
                poor.append((scheme, text[:40], round(contrast(f, b), 2)))
    assert poor == []
