"""The bench's large-export generator writes what the portal's "Export to CSV - all columns" writes."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from bench.common import make_settings
from bench.export_data import write_exports
from securescore.datasources.csv_export import CsvSource
from securescore.datasources.engine import table_schemas
from tests.conftest import REPORT_NOW

# As in a portal export published by Microsoft (Azure/Azure-Sentinel, "Sample Data/ASIM/Microsoft_Azure
# Firewall_NetworkSession_IngestedLogs.csv"): "7/18/2025, 12:26:46.737 PM", header "TimeGenerated [UTC]".
PORTAL_DATETIME = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}, \d{1,2}:\d{2}:\d{2}\.\d{3} [AP]M$")


def test_exports_have_every_column_in_the_portal_format_and_load_back(tmp_path: Path) -> None:
    files = write_exports(tmp_path, make_settings(3), REPORT_NOW, days=8)
    source = CsvSource(tmp_path)
    for table in ("SecureScores", "SecureScoreControls"):
        path = tmp_path / f"{table}.csv"
        header_line = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert '"TimeGenerated [UTC]"' in header_line.split(",")
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            rows = list(reader)
        schema = table_schemas()[table]
        assert header == [f"{c} [UTC]" if t == "datetime" else c for c, t in schema.items()]
        assert len(rows) == files.rows[table] > 0
        times = [row[header.index("TimeGenerated [UTC]")] for row in rows]
        assert all(PORTAL_DATETIME.match(t) for t in times), times[:3]
        # Every column has a value in every row, once loaded.
        nulls = " + ".join(f"countif(isnull({c}))" for c in schema)
        assert source.run_query(f"{table} | summarize Rows = count(), Nulls = {nulls}") == [
            {"Rows": files.rows[table], "Nulls": 0}]
    lines = (tmp_path / "SecureScoreControls.csv").read_text(encoding="utf-8").splitlines()
    # The portal quotes text unless it is only letters and digits; numbers and booleans stay bare.
    assert ",BuiltIn," in lines[1] and ",Azure," in lines[1] and re.search(r',"[0-9a-f-]{36}",', lines[1])
    assert re.search(r",(true|false),", lines[1])
