"""Text into model blocks: computed passages (one paragraph per line, "+ "/"- " items)
and the school's Markdown (through mistune's syntax tree; raw HTML never survives)."""

from __future__ import annotations

import html
import re
import unicodedata

import mistune

from .model import HeadCell, Item, ItemList, Paragraph, Run, Table

_MD = mistune.create_markdown(renderer=None, plugins=["table", "strikethrough"])
_TAG = re.compile(r"<[^>]*>")
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)


def passage_blocks(text: str) -> list:
    """A computed passage: each line a paragraph, consecutive "+ "/"- " lines one list."""
    out: list = []
    for line in text.splitlines():
        if line[:2] in ("+ ", "- "):
            if not (out and isinstance(out[-1], ItemList)):
                out.append(ItemList([], marker="+"))
            out[-1].items.append(Item([Run(line[2:])]))
        else:
            out.append(Paragraph([Run(line)]))
    return out


_BOLD_LINE = re.compile(r"^\s{0,3}(\*\*|__)(?=\S).*\S\1\s*$")
_NUMBER = re.compile(r"^\s*(?:\d+\.)*\d+\.?\s*")
_LETTERED = re.compile(r"^\s*[a-zđ][).]\s")  # "a) …": the school's own lettered sub-heading, kept


def markdown_blocks(md: str, number: str | None = None) -> list:
    """The school's Markdown as blocks: paragraphs, lists, sub-headings, tables, quotes.

    A line that is all bold is a sub-heading, also right after a list item (Markdown would
    otherwise glue it to the item). With `number` ("3.1." or "" under a roman heading) the
    sub-headings are numbered in order ("3.1.1.", "1."); their own typed numbers are dropped."""
    md = unicodedata.normalize("NFC", _split_bold_lines(md))
    blocks = [b for tok in _MD(md) for b in _block(tok)]
    return number_subheadings(blocks, number) if number is not None else blocks


def _split_bold_lines(md: str) -> str:
    """Blank lines around every all-bold line, so that it is a block of its own."""
    out: list[str] = []
    after_bold = False
    for line in md.splitlines():
        bold = bool(_BOLD_LINE.match(line))
        if (bold or after_bold) and out and out[-1].strip() and line.strip():
            out.append("")
        out.append(line)
        after_bold = bold
    return "\n".join(out)


def number_subheadings(blocks: list, prefix: str) -> list:
    """Sub-headings numbered under their section ("3.1." → "3.1.1.", "3.1.2."); lettered ones
    ("a) …") keep their letter and are not counted."""
    out, n = [], 0
    for b in blocks:
        if isinstance(b, Paragraph) and b.style == "subheading" and not _LETTERED.match(b.text):
            n += 1
            title = _NUMBER.sub("", b.text, count=1)
            b = Paragraph([Run(f"{prefix}{n}. {title}", True, b.runs[0].italic if b.runs else False)],
                          "subheading")
        out.append(b)
    return out


def _block(tok: dict, depth: int = 0) -> list:
    kind = tok["type"]
    if kind == "paragraph":
        runs = _runs(tok.get("children", []))
        if _visible(runs) and all(r.bold for r in runs if r.text.strip()):
            return [Paragraph([Run("".join(r.text for r in runs).strip(), True, runs[0].italic)],
                              "subheading")]
        return [Paragraph(runs)] if _visible(runs) else []
    if kind == "heading":
        runs = [Run(r.text, True, True) for r in _runs(tok["children"])]
        return [Paragraph(runs, "subheading")] if _visible(runs) else []
    if kind == "list":
        return [ItemList(_items(tok, 0), marker="1." if tok["attrs"].get("ordered") else "-")]
    if kind == "block_quote":
        return [b for child in tok["children"] for b in _block(child)]
    if kind == "table":
        return [_table(tok)]
    if kind == "block_html":
        raw = _TAG.sub("", _HIDDEN.sub("", tok["raw"]))
        text = html.unescape(raw).strip()
        return [Paragraph([Run(text)])] if text else []
    if kind == "block_code":
        return [Paragraph([Run(tok["raw"].rstrip("\n"))])]
    return []  # blank lines, thematic breaks


def _items(tok: dict, level: int) -> list[Item]:
    items = []
    for li in tok["children"]:
        runs: list[Run] = []
        nested: list[Item] = []
        for child in li["children"]:
            if child["type"] == "list":
                nested += _items(child, level + 1)
            elif child["type"] in ("block_text", "paragraph"):
                if runs:
                    runs.append(Run(" "))
                runs += _runs(child.get("children", []))
        items.append(Item(runs, level))
        items += nested
    return items


def _table(tok: dict) -> Table:
    head, body = tok["children"][0], tok["children"][1] if len(tok["children"]) > 1 else {"children": []}
    header = [[HeadCell(_plain(c["children"])) for c in head["children"]]]
    rows = [[_plain(c["children"]) for c in row["children"]] for row in body["children"]]
    return Table("", header, rows)


def _runs(children: list, bold: bool = False, italic: bool = False) -> list[Run]:
    out: list[Run] = []
    for c in children:
        kind = c["type"]
        if kind in ("text", "codespan"):
            out.append(Run(c["raw"], bold, italic))
        elif kind == "strong":
            out += _runs(c["children"], True, italic)
        elif kind == "emphasis":
            out += _runs(c["children"], bold, True)
        elif kind in ("link", "strikethrough"):
            out += _runs(c["children"], bold, italic)
        elif kind == "softbreak":
            out.append(Run(" ", bold, italic))
        elif kind == "linebreak":
            out.append(Run("\n", bold, italic))
    return _merge(out)


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if out and (out[-1].bold, out[-1].italic) == (r.bold, r.italic) and not r.indicator:
            out[-1] = Run(out[-1].text + r.text, r.bold, r.italic)
        elif r.text:
            out.append(r)
    return out


def _plain(children: list) -> str:
    return "".join(r.text for r in _runs(children))


def _visible(runs: list[Run]) -> bool:
    return any(r.text.strip() for r in runs)
