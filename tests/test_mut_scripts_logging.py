"""Whose log records a helper prints at once, and which libraries it silences (scripts constants seed 3):
the helpers' own loggers (securescore.*, scripts.*) print as they come; the Azure libraries' problems
wait until the helper has explained the failure; without -v azure, msal and urllib3 stay silent."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from securescore.cli.common import HelperLogHandler, Redactor, configure_logging


def _record(name: str, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, "something to say", None, None)


@pytest.mark.parametrize("logger", ["securescore", "securescore.cli.check", "scripts", "scripts.check"])
def test_the_helpers_own_warnings_print_at_once(logger: str) -> None:
    stream = io.StringIO()
    handler = HelperLogHandler(Redactor(), stream)
    handler.emit(_record(logger))
    assert stream.getvalue() == f"WARNING {logger}: something to say\n" and handler.held == []


@pytest.mark.parametrize("logger", ["azure.core.pipeline", "msal.application", "urllib3.connectionpool",
                                    "securescorex", "scriptsx.module"])
def test_other_loggers_warnings_wait_for_the_helpers_explanation(logger: str) -> None:
    """Rule: a logger is the helpers' own only by its first dotted part ("securescorex" is not)."""
    stream = io.StringIO()
    handler = HelperLogHandler(Redactor(), stream)
    handler.emit(_record(logger))
    assert stream.getvalue() == "" and [r.name for r in handler.held] == [logger]
    handler.flush_held()
    assert stream.getvalue() == f"details (-v), from the Azure libraries:\nWARNING {logger}: something to say\n"


@pytest.fixture
def library_levels() -> Iterator[None]:
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in ("azure", "msal", "urllib3")}
    handlers, root_level = list(root.handlers), root.level
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)
    root.handlers, root.level = handlers, root_level


@pytest.mark.usefixtures("library_levels")
@pytest.mark.parametrize("library", ["azure", "msal", "urllib3"])
def test_without_verbose_each_library_is_silent_and_with_it_speaks(library: str) -> None:
    """azure-identity signs in through msal, and azure-core's transport is requests over urllib3: each
    would print its own warnings and tracebacks before the helper's one line."""
    configure_logging(False, Redactor(), io.StringIO())
    assert not logging.getLogger(f"{library}.anything").isEnabledFor(logging.CRITICAL)
    configure_logging(True, Redactor(), io.StringIO())
    assert logging.getLogger(f"{library}.anything").isEnabledFor(logging.DEBUG)
