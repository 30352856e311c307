"""Dark-mode safe colours: every piece of text keeps a readable contrast against the background it sits
on, both as the email is written (light) and with lightness inverted, which is how Outlook.com and the
Gmail apps darken an email that declares no dark styles. Every coloured text also sits on an explicit
background colour, so a client that recolours backgrounds recolours the text with them.

Contrast is WCAG 2's (relative luminance ratio): 4.5:1 for text, 3:1 for large text (24px and more).
"""

from __future__ import annotations

import colorsys
import re
from html.parser import HTMLParser

import pytest

from tests.email_samples import example, run_canned, sample_email

VOID = {"meta", "br", "img", "hr", "input", "link"}


def parse_colour(value: str) -> tuple[float, float, float]:
    value = value.strip().lower()
    match = re.fullmatch(r"#([0-9a-f]{6})", value)
    assert match, f"colours are written as #rrggbb; got {value!r}"
    return tuple(int(match.group(1)[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def inverted(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    h, lightness, s = colorsys.rgb_to_hls(*rgb)
    return colorsys.hls_to_rgb(h, 1 - lightness, s)


class _Texts(HTMLParser):
    """Each text run with the colour, background and font size it inherits from inline styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[dict[str, str]] = []
        self.texts: list[tuple[str, str, str, float, bool]] = []  # text, colour, background, px, own background

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = dict(attrs).get("style") or ""
        props = {k.strip(): v.strip() for k, _, v in (d.partition(":") for d in style.split(";")) if v}
        if tag not in VOID:
            self.stack.append({"tag": tag, **props})

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def _inherited(self, prop: str, default: str) -> tuple[str, int]:
        for depth in range(len(self.stack) - 1, -1, -1):
            if prop in self.stack[depth]:
                return self.stack[depth][prop], depth
        return default, -1

    def handle_data(self, data: str) -> None:
        if not data.strip() or not self.stack or self.stack[-1]["tag"] in ("style", "title", "script"):
            return
        colour, colour_at = self._inherited("color", "#000000")
        background, background_at = self._inherited("background-color", "#ffffff")
        size = float(self._inherited("font-size", "16px")[0].removesuffix("px"))
        self.texts.append((data.strip(), colour, background, size, background_at >= 0 and colour_at >= 0))


def texts(html: str) -> list[tuple[str, str, str, float, bool]]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def documents() -> dict[str, str]:
    failed = run_canned(example(), {"trend": (400, {"error": {"message": "boom"}})}).mail.html
    return {"report": sample_email(), "report without assessments": sample_email(assessments=False),
            "no data yet": run_canned(example(), {}).mail.html, "failure notice": failed}


@pytest.mark.parametrize("name", ["report", "report without assessments", "no data yet", "failure notice"])
def test_text_is_readable_in_light_and_inverted_colours(name: str) -> None:
    found = texts(documents()[name])
    assert len(found) > 5
    poor = []
    for text, colour, background, size, explicit in found:
        assert explicit, f"{text!r}: colour and background must both be set explicitly"
        fg, bg = parse_colour(colour), parse_colour(background)
        needed = 3.0 if size >= 24 else 4.5
        for scheme, (f, b) in (("light", (fg, bg)), ("inverted", (inverted(fg), inverted(bg)))):
            if contrast(f, b) < needed:
                poor.append((scheme, text[:40], colour, background, round(contrast(f, b), 2)))
    assert poor == []


def test_the_contrast_check_does_catch_poor_colours() -> None:
    # Light grey on white fails in light; mid grey on mid grey fails both ways (WCAG's own arithmetic:
    # #777777 on #ffffff is 4.48:1).
    assert contrast(parse_colour("#777777"), parse_colour("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert contrast(inverted(parse_colour("#777777")), inverted(parse_colour("#888888"))) < 1.5
    html = '<td style="background-color:#ffffff"><span style="color:#aaaaaa">x</span></td>'
    ((_, colour, background, _, _),) = texts(html)
    assert contrast(parse_colour(colour), parse_colour(background)) < 4.5
