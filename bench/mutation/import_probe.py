"""``python -m bench.mutation.import_probe OUT.json FILE... -- TEST...``: the functions that run at import.

Run in the project copy. Imports the given modules and collects the tests (which runs their module
level code) while recording every call into those files; writes the functions called, as mutmut
names them (`pkg.module.x_function`, `pkg.module.xǁClassǁmethod`). A mutant of such a function is
active only if the module is imported with it, which mutmut's forks never do: bench.mutation
rechecks those survivors in a fresh process.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import FrameType
from typing import Any


def mutmut_key(module: str, qualname: str) -> str:
    parts = qualname.split(".<locals>.")[0].split(".")
    if len(parts) >= 2:
        return f"{module}.xǁ{parts[-2]}ǁ{parts[-1]}"
    return f"{module}.x_{parts[0]}"


def main(argv: list[str]) -> int:
    out, rest = argv[0], argv[1:]
    split = rest.index("--") if "--" in rest else len(rest)
    files, tests = rest[:split], rest[split + 1:]
    here = Path.cwd()
    modules = {str((here / f).resolve()): f.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
               for f in files}
    called: set[str] = set()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            module = modules.get(frame.f_code.co_filename)
            if module and frame.f_code.co_name != "<module>":
                called.add(mutmut_key(module, frame.f_code.co_qualname))

    sys.path.insert(0, str(here))
    sys.setprofile(profile)
    try:
        for module in modules.values():
            importlib.import_module(module)
        import pytest

        pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "--rootdir=.", *tests])
    finally:
        sys.setprofile(None)
    Path(out).write_text(json.dumps(sorted(called), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
