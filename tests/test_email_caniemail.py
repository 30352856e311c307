"""The emails against the caniemail data (npm @jsx-email/doiuse-email): no HTML or CSS feature that
Outlook on Windows, Outlook.com, Gmail or Apple Mail does not support, except the ones named below,
each with the fallback the email carries for it (and a check that the fallback is there)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from html.parser import HTMLParser

import pytest

from securescore.settings import PROJECT_ROOT, settings_from_stack
from tests.email_samples import example, run_canned, sample_email

pytestmark = pytest.mark.node

# caniemail's client keys: Outlook on Windows (Word engine), Outlook.com, Gmail (web, apps), Apple Mail.
CLIENTS = [
    "outlook.windows", "outlook.outlook-com", "gmail.desktop-webmail", "gmail.ios", "gmail.android",
    "gmail.mobile-webmail", "apple-mail.macos", "apple-mail.ios",
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def nowrap_attribute_beside_white_space(html: str) -> bool:
    """Outlook's Word engine ignores white-space; the nowrap attribute on the same cell does the job."""
    styled = [(tag, a) for tag, a in elements(html) if "white-space:nowrap" in (a.get("style") or "").replace(" ", "")]
    return bool(styled) and all(tag in ("td", "th") and "nowrap" in a for tag, a in styled)


EXCEPTIONS: dict[str, Callable[[str], bool]] = {
    "`white-space` is not supported by `outlook.windows`": nowrap_attribute_beside_white_space,
}


def lint(documents: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH (see the README set-up)")
    completed = subprocess.run(
        [node, str(PROJECT_ROOT / "tests" / "caniemail_check.js")], cwd=PROJECT_ROOT, capture_output=True,
        text=True, timeout=120, check=False, input=json.dumps({"clients": CLIENTS, "documents": documents}),
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@cache
def documents() -> dict[str, str]:
    failed = run_canned(settings_from_stack("example"), {"trend": (400, {"error": {"message": "x <y>"}})})
    return {
        "report": sample_email(),
        "report without assessments": sample_email(assessments=False),
        "no data yet": run_canned(example(), {}).mail.html,
        "failure notice": failed.mail.html,
    }


@cache
def results() -> dict[str, dict[str, list[str]]]:
    return lint(documents())


@pytest.mark.parametrize("name", ["report", "report without assessments", "no data yet", "failure notice"])
def test_no_unsupported_feature_without_a_fallback(name: str) -> None:
    errors = results()[name]["errors"]
    assert [e for e in errors if e not in EXCEPTIONS] == []
    for error in errors:
        assert EXCEPTIONS[error](documents()[name]), f"{error}: the email lacks its fallback"


def test_each_named_exception_still_occurs() -> None:
    # An exception nobody needs any more is removed from the list, so the list stays true.
    found = {e for r in results().values() for e in r["errors"]}
    assert set(EXCEPTIONS) <= found


def test_the_checker_does_report_unsupported_features() -> None:
    # Guard against a checker that accepts everything (and against Outlook.com silently not being
    # checked): caniemail has "display:flex" unsupported in Outlook on Windows, "position" in Gmail,
    # the <video> element in Outlook.com.
    probe = '<html><body><div style="display:flex;position:absolute"><video></video></div></body></html>'
    found = lint({"probe": probe})["probe"]["errors"]
    assert "`display:flex` is not supported by `outlook.windows`" in found
    assert "`position` is not supported by `gmail.desktop-webmail`" in found
    assert "`<video> element` is not supported by `outlook.outlook-com`" in found
