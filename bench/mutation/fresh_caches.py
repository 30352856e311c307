"""pytest plugin for mutmut runs (``-p bench.mutation.fresh_caches``): empty the project's caches per session.

mutmut forks every mutant's test run from a process that has already run the tests, so a function
cache (`functools.cache`, `lru_cache`: the parsed expressions, the declarations, the jinja2
environment) would answer with what the unmutated code computed and hide the mutant.
"""

from __future__ import annotations

import sys
from typing import Any


def pytest_sessionstart(session: Any) -> None:
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "securescore" or name.startswith("securescore.")):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()
