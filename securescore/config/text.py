"""Free text from the configuration (titles, names, recipients): what it must not contain."""

from __future__ import annotations

import unicodedata

# Unicode categories of characters that break a line or are invisible controls: Cc is C0 (U+0000-U+001F),
# DEL and C1 (U+0080-U+009F); Zl and Zp are U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR.
# Any of them would split a mail header, a KQL string literal or a log line.
_CONTROL_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def control_characters(text: str) -> list[str]:
    """The control characters in text, as U+XXXX, in order of appearance (each once)."""
    found = dict.fromkeys(f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in _CONTROL_CATEGORIES)
    return list(found)


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(c) in _CONTROL_CATEGORIES for c in text)
