"""``python -m bench.measure_child RESULT -- COMMAND...``: run COMMAND, write its wall time and peak memory.

Why a middle process: on Linux a child's ru_maxrss starts from the memory of the process that
forked it, so a command started straight from the bench (which holds gigabytes after the deploy and
query items) would report the bench's size, not its own. Forked from this small process instead, the
command's peak is its own. RESULT gets one JSON object: seconds, peak KiB (Linux) or bytes (macOS),
exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    result, separator, *command = argv
    if separator != "--" or not command:
        raise SystemExit("usage: python -m bench.measure_child RESULT -- COMMAND...")
    start = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    with open(result, "w", encoding="utf-8") as handle:
        json.dump({"seconds": seconds, "maxrss": usage.ru_maxrss, "code": code}, handle)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
