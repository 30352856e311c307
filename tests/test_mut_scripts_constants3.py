"""Module-level rules of the helpers that scripts constants seed 3 showed untested: the GUID check of
the helpers' arguments, how many not-enabled subscriptions one line names, a new run follower's state,
and the Pulumi CLI's default time limit."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from securescore.cli.common import Console, UsageError
from securescore.cli.covered import Covered
from securescore.cli.run_now import Clock, Runner
from securescore.cli.stack_args import check_guid
from securescore.project import selected_stack
from securescore.settings import Subscription
from tests.test_project import make_project

GUID = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"

# --- a GUID argument: the whole value, any case ----------------------------------------------------


@pytest.mark.parametrize("value", [GUID + "x", GUID + "\n", GUID + "-0000", " " + GUID, GUID[:-1]])
def test_a_guid_argument_with_anything_more_or_less_is_refused(value: str) -> None:
    with pytest.raises(UsageError, match="--subscription must be a GUID"):
        check_guid(value, "--subscription")


def test_a_guid_argument_in_upper_case_is_taken_in_lower_case() -> None:
    """Subscription ids are case-insensitive GUIDs; the helpers compare them in lower case."""
    assert check_guid(GUID.upper(), "--subscription") == GUID


# --- not-enabled subscriptions: at most 10 named in one line ---------------------------------------


def _not_enabled(count: int) -> Covered:
    subs = tuple(Subscription(f"00000000-0000-4000-8000-{i:012d}", f"sub-{i}") for i in range(count))
    return Covered(subscriptions=(), management_group_id="mg-contoso", members=subs,
                   not_enabled=tuple((s, "Disabled") for s in subs))


def test_ten_not_enabled_subscriptions_are_all_named() -> None:
    line = _not_enabled(10).summary()
    assert "sub-9 (" in line and " more" not in line


def test_the_eleventh_is_counted_not_named() -> None:
    line = _not_enabled(11).summary()
    assert "sub-9 (" in line and "sub-10 (" not in line and line.endswith("and 1 more")


# --- a new run follower has printed no progress dots -----------------------------------------------


def test_a_new_follower_ends_no_line_of_dots() -> None:
    """Rule: the line break after the dots of "still running" is written only after a dot was."""
    out = io.StringIO()
    runner = Runner(arm=None, console=Console(out=out, err=io.StringIO()), workflow="w",  # type: ignore[arg-type]
                    clock=Clock(now=lambda: datetime(2026, 11, 23, 7, 0, tzinfo=UTC)), progress_to_stderr=False)
    runner.end_dots()
    assert out.getvalue() == ""


# --- the Pulumi CLI's default time limit: 5 s ---------------------------------------------------------


def test_the_pulumi_cli_is_given_5_seconds_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """README, "Which project, which stack": the default stack is the one `pulumi stack select` chose
    "when the Pulumi CLI is installed and answers within 5 s"."""
    given: list[float | None] = []

    def hang(*args: object, timeout: float | None = None, **kwargs: object) -> None:
        given.append(timeout)
        raise subprocess.TimeoutExpired("pulumi", timeout or 0)

    monkeypatch.setattr("securescore.project.subprocess.run", hang)
    monkeypatch.setattr("securescore.project.shutil.which", lambda name, path=None: "/usr/bin/pulumi")
    selection = selected_stack(make_project(tmp_path / "p"), env={"PATH": "/usr/bin"})
    assert given == [5.0] and "did not answer within 5 s" in (selection.reason or "")
