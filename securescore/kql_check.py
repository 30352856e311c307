"""Check KQL with Microsoft's own parser and binder (kql/validate.js, Node + Kusto.Language)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from securescore.queries import KQL_DIR

SCHEMA_FILE = KQL_DIR / "tables.json"


@dataclass(frozen=True)
class Diagnostic:
    query: str
    severity: str
    code: str
    message: str
    start: int
    length: int

    def describe(self, text: str) -> str:
        line = text.count("\n", 0, self.start) + 1
        snippet = text[self.start : self.start + max(self.length, 1)]
        return f"{self.query}:{line}: {self.severity} {self.code}: {self.message} (at {snippet!r})"


def table_schema(schema_file: Path = SCHEMA_FILE) -> dict[str, dict[str, str]]:
    return json.loads(schema_file.read_text(encoding="utf-8"))["tables"]


def check_queries(queries: dict[str, str], schema_file: Path = SCHEMA_FILE) -> list[Diagnostic]:
    """All diagnostics (errors and warnings) Kusto.Language reports for the queries."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH: Kusto.Language runs on Node.js (see README set-up)")
    request = json.dumps({"tables": table_schema(schema_file), "queries": queries})
    completed = subprocess.run(
        [node, str(KQL_DIR / "validate.js")], input=request, capture_output=True, text=True,
        cwd=KQL_DIR.parent, check=False, timeout=120,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"kql/validate.js failed: {completed.stderr.strip()}")
    result = json.loads(completed.stdout)
    return [
        Diagnostic(name, d["severity"], d["code"], d["message"], d["start"], d["length"])
        for name, diagnostics in result.items()
        for d in diagnostics
    ]
