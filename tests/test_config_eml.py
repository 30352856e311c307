"""The preview's --eml never crashes on a valid title or recipient, and a mail reader gets them back as they are."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

import pytest

from securescore.cli import preview
from securescore.emulator.local_run import CapturedEmail
from tests.conftest import REPORT_NOW, make_settings

TITLES = [
    "Weekly secure score report",
    "Réseau — 安全 🚀 ü",
    "=?utf-8?q?hi?=",  # looks like an RFC 2047 encoded word: must stay this text
    "Report =?iso-8859-1?q?caf=E9?= now",
    '"quoted" <b> & ; , : (comment)',
    "x" * 100,
    " ".join(["word"] * 20),
    "a\u00a0b",
    "Subject: injected",
]
RECIPIENTS = ("secops@contoso.example", "o'brien@contoso.com", '"sec ops"@contoso.com', "SecOps+x@Contoso.COM")


def read_back(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


@pytest.mark.parametrize("title", TITLES)
def test_every_valid_title_round_trips(tmp_path: Path, title: str) -> None:
    settings = make_settings(reportTitle=title, recipients=list(RECIPIENTS))  # valid configuration
    subject = f"{settings.report.title}: 71.5% (+1.2)"
    captured = CapturedEmail(settings.recipients, subject, "<p>hi</p>", "High", "Send_report")
    path = tmp_path / "r.eml"
    preview.write_eml(captured, path, REPORT_NOW)
    message = read_back(path)
    assert message["Subject"] == subject
    assert [a.addr_spec for a in message["To"].addresses] == list(RECIPIENTS)
    assert message["Importance"] == "High" and message["X-Priority"] == "1"
    assert message.get_body(("html",)).get_content().strip() == "<p>hi</p>"
    assert all(len(line) <= 998 for line in path.read_bytes().split(b"\r\n"))  # RFC 5322 line limit
    assert b"\r\nSubject: injected" not in path.read_bytes()


@pytest.mark.parametrize(
    "subject", ["Weekly report: 71%", "Weekly secure score report: 55.7% (-3.0 pts), 1 subscription(s) dropped"]
)
def test_plain_subjects_stay_readable_in_the_file(tmp_path: Path, subject: str) -> None:
    captured = CapturedEmail(("a@contoso.com",), subject, "<p/>", "Normal", "Send_report")
    preview.write_eml(captured, tmp_path / "r.eml", datetime(2026, 11, 23, 7, tzinfo=UTC))
    raw = (tmp_path / "r.eml").read_bytes()
    assert f"\r\nSubject: {subject}\r\n".encode() in raw and b"X-Priority" not in raw
