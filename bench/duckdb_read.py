"""The reference for the CSV preview: DuckDB reading the export files into tables by itself.

    python -m bench.duckdb_read DIR/SecureScores.csv DIR/SecureScoreControls.csv

One table per file, ``CREATE TABLE ... AS SELECT * FROM read_csv(file)`` with DuckDB's own sniffing
and defaults: what a user would type to load the exports, with nothing of this project imported.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def main(paths: list[str]) -> int:
    con = duckdb.connect()
    for path in paths:
        literal = path.replace("'", "''")
        con.execute(f"CREATE TABLE \"{Path(path).stem}\" AS SELECT * FROM read_csv('{literal}')")
    print(sum(con.execute(f'SELECT count(*) FROM "{Path(p).stem}"').fetchone()[0] for p in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
