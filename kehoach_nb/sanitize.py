"""Analyst Markdown to safe HTML: mistune renders, nh3 keeps only an allowlist."""

from __future__ import annotations

import html

import mistune
import nh3

TAGS = {"h2", "h3", "h4", "h5", "p", "br", "strong", "em", "ul", "ol", "li", "blockquote",
        "table", "thead", "tbody", "tr", "th", "td", "a", "span"}
ATTRIBUTES = {"a": {"href"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
_MD = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])


def markdown_to_html(text: str) -> str:
    """Render analyst Markdown; scripts, handlers, iframes and images never survive."""
    rendered = _MD(text)
    return nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES,
                     url_schemes={"https", "mailto"}, link_rel="noopener noreferrer")


def text_to_html(text: str) -> str:
    """Plain passage (one paragraph per line, "+ "/"- " items) to escaped HTML."""
    out, items = [], []
    for line in text.splitlines():
        if line[:2] in ("+ ", "- "):
            items.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if items:
            out.append('<ul class="dash">' + "".join(items) + "</ul>")
            items = []
        out.append(f"<p>{html.escape(line)}</p>")
    if items:
        out.append('<ul class="dash">' + "".join(items) + "</ul>")
    return "".join(out)
