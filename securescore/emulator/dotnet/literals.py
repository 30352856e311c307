"""Quoted literal text inside .NET format strings ('...' or "...", with backslash escapes)."""

from __future__ import annotations

from securescore.emulator.errors import ExpressionError


def quoted(fmt: str, pos: int, what: str) -> tuple[str, int]:
    """Literal text of a quoted section starting at `pos` (the quote); returns it and the next position."""
    quote, chars, pos = fmt[pos], [], pos + 1
    while pos < len(fmt) and fmt[pos] != quote:
        if fmt[pos] == "\\" and pos + 1 < len(fmt):
            pos += 1
        chars.append(fmt[pos])
        pos += 1
    if pos >= len(fmt):
        raise ExpressionError(f"unterminated quoted literal in {what} format '{fmt}'")
    return "".join(chars), pos + 1
