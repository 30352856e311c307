"""Markdown tables of the items and the JSON of their raw numbers."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

from bench.common import ItemResult


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def item_markdown(number: int, item: ItemResult) -> str:
    parts = [
        f"## {number}. {item.title}",
        f"Target: {item.target} — **{item.verdict}** (item took {item.seconds:.1f} s)",
        table(item.header, item.rows),
    ]
    for title, header, rows in item.extra_tables:
        parts += [title, table(header, rows)]
    text = "\n\n".join(parts)
    return text + ("\n\n" + "\n".join(f"- {note}" for note in item.notes) if item.notes else "")


def summary(items: list[ItemResult], total_seconds: float, mode: str) -> str:
    rows = [[str(i), item.key, item.target, item.verdict] for i, item in enumerate(items, start=1)]
    return "\n\n".join([
        f"# Benchmarks ({mode}; {platform.python_implementation()} {platform.python_version()}, "
        f"total {total_seconds:.1f} s)",
        table(["#", "item", "target", "result"], rows),
    ])


def markdown(items: list[ItemResult], total_seconds: float, mode: str) -> str:
    sections = [summary(items, total_seconds, mode)]
    sections += [item_markdown(i, item) for i, item in enumerate(items, start=1)]
    return "\n\n".join(sections) + "\n"


def json_document(items: list[ItemResult], total_seconds: float, mode: str) -> dict[str, Any]:
    return {
        "mode": mode,
        "python": platform.python_version(),
        "total_s": total_seconds,
        "items": {
            item.key: {"title": item.title, "target": item.target, "passed": item.passed,
                       "seconds": item.seconds, "raw": item.raw}
            for item in items
        },
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
