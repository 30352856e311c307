"""Number formatting like .NET `number.ToString(format, en-US)` (the `formatNumber` function)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from securescore.emulator.dotnet.literals import quoted as _quoted
from securescore.emulator.errors import ExpressionError, UnsupportedConstructError

# --------------------------------------------------------------------------------------------------
# .NET numeric formatting (en-US)
# --------------------------------------------------------------------------------------------------


def _to_decimal(number: int | float | Decimal) -> Decimal:
    # Via the shortest repr, so 2.675 rounds to 2.68 as .NET Framework's formatting does.
    if isinstance(number, Decimal | int):
        return Decimal(number)
    return Decimal(repr(float(number)))


def _round_away(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # ties away from zero


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


def _fixed(value: Decimal, places: int, grouping: bool) -> str:
    """|value| rounded to `places` decimals, optionally with thousands separators."""
    text = f"{abs(_round_away(value, places)):f}"
    whole, _, fraction = text.partition(".")
    whole = _group(whole) if grouping else whole
    return f"{whole}.{fraction}" if places else whole


_STANDARD_NUMBER = re.compile(r"([A-Za-z])(\d{0,9})")


def format_number(number: int | float | Decimal, fmt: str) -> str:
    """Format like .NET `number.ToString(format, en-US)`: standard C/D/F/N/P, or a custom pattern."""
    if isinstance(number, float) and not math.isfinite(number):
        raise ExpressionError(f"function 'formatNumber' cannot format {number}")
    match = _STANDARD_NUMBER.fullmatch(fmt)
    if match:
        return _format_standard_number(number, match.group(1), match.group(2))
    return _format_custom_number(_to_decimal(number), fmt)


def _format_standard_number(number: int | float | Decimal, letter: str, precision_text: str) -> str:
    spec = letter.upper()
    value = _to_decimal(number)
    precision = int(precision_text) if precision_text else None
    if spec == "D":
        if not isinstance(number, int):
            raise ExpressionError("format 'D' is only valid for integers")
        return ("-" if number < 0 else "") + str(abs(number)).rjust(precision or 0, "0")
    if spec in ("F", "N"):
        places = 2 if precision is None else precision
        body = _fixed(value, places, grouping=spec == "N")
        return ("-" if value < 0 and _round_away(value, places) != 0 else "") + body
    if spec == "P":
        places = 2 if precision is None else precision
        scaled = value * 100
        body = _fixed(scaled, places, grouping=True) + "%"
        return ("-" if scaled < 0 and _round_away(scaled, places) != 0 else "") + body
    if spec == "C":
        if value < 0:
            raise UnsupportedConstructError("format 'C' for negative numbers is not supported")
        return "$" + _fixed(value, 2 if precision is None else precision, grouping=True)
    if spec in ("E", "G", "R", "X", "B"):
        raise UnsupportedConstructError(f"numeric format '{letter}{precision_text}' is not supported")
    raise ExpressionError(f"'{letter}{precision_text}' is not a valid numeric format")


def _split_sections(fmt: str) -> list[str]:
    sections, current, pos = [], [], 0
    while pos < len(fmt):
        char = fmt[pos]
        if char in "'\"":
            _, end = _quoted(fmt, pos, "numeric")
            current.append(fmt[pos:end])
            pos = end
            continue
        if char == "\\" and pos + 1 < len(fmt):
            current.append(fmt[pos : pos + 2])
            pos += 2
            continue
        if char == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
        pos += 1
    sections.append("".join(current))
    if len(sections) > 3:
        raise ExpressionError(f"numeric format '{fmt}' has more than three sections")
    return sections


@dataclass
class _NumberPattern:
    """A tokenized custom numeric section: tokens are ('0'|'#'|'.'|','|'%'|'lit', text)."""

    tokens: list[tuple[str, str]]
    point: int  # index of the decimal point token, or len(tokens)
    grouping: bool = False
    scale: int = 0  # power of ten applied (percent: +2, each scaling comma: -3)

    @property
    def int_tokens(self) -> list[tuple[str, str]]:
        return self.tokens[: self.point]

    @property
    def frac_placeholders(self) -> list[str]:
        return [kind for kind, _ in self.tokens[self.point + 1 :] if kind in "0#"]


def _tokenize_number_section(section: str) -> _NumberPattern:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(section):
        char = section[pos]
        if char in "'\"":
            text, pos = _quoted(section, pos, "numeric")
            tokens.append(("lit", text))
            continue
        if char == "\\" and pos + 1 < len(section):
            tokens.append(("lit", section[pos + 1]))
            pos += 2
            continue
        if char in "eE" and re.match(r"[eE][-+]?0", section[pos:]):
            raise UnsupportedConstructError(f"scientific notation in numeric format '{section}' is not supported")
        if char == "‰":
            raise UnsupportedConstructError(f"per-mille in numeric format '{section}' is not supported")
        if char == "." and any(kind == "." for kind, _ in tokens):
            pos += 1  # .NET ignores every decimal point after the first
            continue
        tokens.append((char, char) if char in "0#.,%" else ("lit", char))
        pos += 1
    point = next((i for i, (kind, _) in enumerate(tokens) if kind == "."), len(tokens))
    pattern = _NumberPattern(tokens, point)
    _classify_commas(pattern)
    pattern.scale += 2 * sum(1 for kind, _ in tokens if kind == "%")
    return pattern


def _classify_commas(pattern: _NumberPattern) -> None:
    """Commas between digit placeholders group thousands; commas right before the point scale by 1000."""
    int_tokens = pattern.int_tokens
    digit_positions = [i for i, (kind, _) in enumerate(int_tokens) if kind in "0#"]
    if not digit_positions:
        return
    first, last = digit_positions[0], digit_positions[-1]
    pattern.grouping = any(kind == "," and first < i < last for i, (kind, _) in enumerate(int_tokens))
    trailing = 0
    for kind, _ in int_tokens[last + 1 :]:
        if kind != ",":
            break
        trailing += 1
    pattern.scale -= 3 * trailing


def _format_custom_number(value: Decimal, fmt: str) -> str:
    sections = [_tokenize_number_section(section) for section in _split_sections(fmt)]
    pattern, auto_sign = sections[0], value < 0
    if value < 0 and len(sections) > 1 and sections[1].tokens:
        pattern, auto_sign = sections[1], False
    rounded = _round_away(abs(value).scaleb(pattern.scale), len(pattern.frac_placeholders))
    if rounded == 0 and len(sections) > 2 and sections[2].tokens:
        pattern, auto_sign = sections[2], False
        rounded = _round_away(abs(value).scaleb(pattern.scale), len(pattern.frac_placeholders))
    text = _render_number(rounded, pattern)
    return ("-" + text) if auto_sign and rounded != 0 else text


def _render_number(rounded: Decimal, pattern: _NumberPattern) -> str:
    whole_text, _, frac_text = f"{rounded:f}".partition(".")
    frac_kinds = pattern.frac_placeholders
    min_frac = max((i + 1 for i, kind in enumerate(frac_kinds) if kind == "0"), default=0)
    frac_text = frac_text.ljust(len(frac_kinds), "0")[: len(frac_kinds)]
    while len(frac_text) > min_frac and frac_text.endswith("0"):
        frac_text = frac_text[:-1]
    int_kinds = [kind for kind, _ in pattern.int_tokens if kind in "0#"]
    first_zero = next((i for i, kind in enumerate(int_kinds) if kind == "0"), len(int_kinds))
    digits = whole_text.lstrip("0").rjust(len(int_kinds) - first_zero, "0")
    out = _render_integer_part(digits, pattern)
    for kind, text in pattern.tokens[pattern.point :]:
        if kind == ".":
            out.append("." if frac_text else "")
        elif kind in "0#":
            out.append(frac_text[:1])
            frac_text = frac_text[1:]
        elif kind != ",":
            out.append(text)
    return "".join(out)


def _render_integer_part(digits: str, pattern: _NumberPattern) -> list[str]:
    """Right-align digits to the placeholders; the first placeholder takes any extra digits."""
    count = sum(1 for kind, _ in pattern.int_tokens if kind in "0#")
    out: list[str] = []
    remaining = len(digits)  # digits not yet written, counted from the right
    seen = 0
    if count == 0:
        out.append(digits)
    for kind, text in pattern.int_tokens:
        if kind not in "0#":
            if kind != ",":
                out.append(text)
            continue
        seen += 1
        take = remaining - (count - seen) if seen == 1 else (1 if remaining > count - seen else 0)
        for _ in range(max(take, 0)):
            out.append(digits[len(digits) - remaining])
            remaining -= 1
            if pattern.grouping and remaining and remaining % 3 == 0:
                out.append(",")
    return out
