"""`preview --eml`: the file a mail client opens is an RFC 5322 message (CRLF line ends, lines of at most
998 characters, RFC 5321 4.5.3.1.6), and its subject reads back as the report's subject, whatever it is."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

import pytest

from securescore.cli import preview
from securescore.emulator.local_run import CapturedEmail

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def written(tmp_path: Path, subject: str, importance: str = "Normal") -> bytes:
    captured = CapturedEmail(("secops@contoso.example",), subject, "<p>report</p>", importance, "Send_report")
    path = tmp_path / "r.eml"
    preview.write_eml(captured, path, NOW)
    return path.read_bytes()


def header_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


@pytest.mark.parametrize("subject", ["Weekly report: 71%", "Réseau — 安全: 55.7% (-3.0)", "=?utf-8?q?hi?="])
def test_every_line_ends_with_crlf(tmp_path: Path, subject: str) -> None:
    raw = written(tmp_path, subject)
    assert raw.count(b"\n") == raw.count(b"\r\n") > 10


def test_a_long_ascii_subject_stays_on_its_header_line(tmp_path: Path) -> None:
    """Folding at 78 characters would break it after "Subject:"; up to 998 it stays one line."""
    subject = "Weekly secure score report for the platform subscriptions: 55.7% (-3.0 pts), " + "x" * 90
    raw = written(tmp_path, subject)
    assert f"Subject: {subject}".encode() in header_lines(raw)


@pytest.mark.parametrize("subject", ["=?utf-8?q?hi?=", "Report =?iso-8859-1?q?caf=E9?= now: 71%"])
def test_a_subject_that_looks_encoded_reads_back_as_written(tmp_path: Path, subject: str) -> None:
    raw = written(tmp_path, subject)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == subject
    line = next(h for h in header_lines(raw) if h.startswith(b"Subject: "))
    assert line.startswith(b"Subject: =?utf-8?") and subject.encode() not in line  # as encoded words
