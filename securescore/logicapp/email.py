"""The email templates, rendered and CSS-inlined once at build time, split into fillable pieces.

A template marks run-time values as ``[[name]]``, row prototypes as ``<!--rows:X-->…<!--/rows:X-->`` and
optional fragments as ``<!--if:X-->…<!--/if:X-->``. After css-inline has put every style on its element,
the markers are cut out so that `logicapp.definition` can turn each piece into a Logic Apps expression:
the document into the Compose action's text, each row prototype into a Select action's template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import css_inline
import jinja2

from securescore.logicapp import links

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TOKEN = re.compile(r"\[\[([a-z_]+(?::[a-z_]+)?)\]\]")
_BLOCK = re.compile(r"<!--(rows|if):([a-z_]+)-->(.*?)<!--/\1:\2-->", re.S)


@dataclass(frozen=True)
class EmailTemplate:
    document: str  # inlined HTML; blocks replaced by [[rows:X]] / [[if:X]] tokens
    rows: dict[str, str]  # row prototypes, with [[field]] tokens
    optional: dict[str, str]  # optional fragments, with [[field]] tokens

    def tokens(self, text: str) -> list[str]:
        return TOKEN.findall(text)


# Outlook-only conditional comments (the fixed-width table for the Word engine) stay in the HTML.
_MSO_COMMENT = re.compile(r"<!--\[if mso\]>|<!\[endif\]-->")


@cache
def load_template(name: str, *, assessments: bool = False, coverage: bool = False) -> EmailTemplate:
    """Render templates/<name>.html.j2 with the stylesheet, inline the CSS and cut out the blocks.

    ``assessments``: whether the stack exports assessments (the recommendations section's rows, or how
    to turn the export on); ``coverage``: management-group mode's coverage section."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR), undefined=jinja2.StrictUndefined, autoescape=True
    )
    css = (TEMPLATE_DIR / "email.css").read_text(encoding="utf-8")
    html = env.get_template(f"{name}.html.j2").render(css=css, assessments=assessments, coverage=coverage,
                                                    links=links)
    inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False, minify_css=True)
    inlined = inliner.inline(html)
    rows: dict[str, str] = {}
    optional: dict[str, str] = {}

    def cut(match: re.Match[str]) -> str:
        kind, block, body = match.groups()
        (rows if kind == "rows" else optional)[block] = _compact(body)
        return f"[[{kind}:{block}]]"

    document = _compact(_BLOCK.sub(cut, inlined))
    if "<!--" in _MSO_COMMENT.sub("", document):
        raise ValueError(f"template {name}: unbalanced or unknown block marker left in the HTML")
    return EmailTemplate(document=document, rows=rows, optional=optional)


def _compact(html: str) -> str:
    """Drop the indentation between tags: it only costs bytes (Gmail clips mail over 102 KB)."""
    html = re.sub(r">\s+<", "><", html.strip())
    return re.sub(r"\s*(\[\[(?:rows|if):[a-z_]+\]\])\s*", r"\1", html)
