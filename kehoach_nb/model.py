"""The typed document model: what every plan builds and every renderer reads.

A `Document` is a flat sequence of blocks (headings carry their level and number),
framed by the NĐ 30 `Header` and the `Closing` (closing sentence, Nơi nhận, signature).
Blocks are plain dataclasses; `to_json`/`from_json` give a versioned JSON form that
travels in executed notebooks under `MIME`. Renderers never compute a figure: every
number is already formatted text here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Union

VERSION = 1


@dataclass
class Run:
    """Inline text; `indicator` names the computed figure this run states, if any."""

    text: str
    bold: bool = False
    italic: bool = False
    indicator: str = ""


@dataclass
class Heading:
    """A numbered heading. Level 1 is a part ("Phần thứ nhất" + title on a second line)."""

    level: int
    number: str
    title: str
    new_page: bool = False


class _HasRuns:
    runs: list[Run]

    @property
    def text(self) -> str:
        """The runs' text joined, as a reader sees it."""
        return "".join(r.text for r in self.runs)


@dataclass
class Paragraph(_HasRuns):
    """A paragraph; style: body, can_cu (legal basis), subheading, note, stale."""

    runs: list[Run]
    style: str = "body"


@dataclass
class Item(_HasRuns):
    runs: list[Run]
    level: int = 0


@dataclass
class ItemList:
    """Items; marker "+" (computed passages), "-" (analyst text) or "1." (ordered)."""

    items: list[Item]
    marker: str = "-"


@dataclass
class HeadCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    """A bordered table: header rows with spans, body rows of formatted text."""

    caption: str
    header: list[list[HeadCell]]
    rows: list[list[str]]
    total_rows: int = 0  # the last n rows are totals (bold)
    landscape: bool = False
    notes: list[str] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)  # percent of the table width
    number: int = 0  # "Bảng n." set in order of appearance; 0 = unnumbered
    numeric: list[list[bool]] = field(default_factory=list)  # right-aligned cells

    @property
    def title(self) -> str:
        return f"Bảng {self.number}. {self.caption}" if self.number else self.caption

    @property
    def columns(self) -> int:
        return sum(c.colspan for c in self.header[0]) if self.header else len(self.rows[0])


@dataclass
class Chart:
    """A chart: the data it plots, and the drawing as SVG."""

    caption: str
    categories: list[str]
    series: dict[str, list[float | None]]  # None: not reported (no bar is drawn)
    ylabel: str
    stacked: bool = False
    svg: str = ""
    number: int = 0

    @property
    def title(self) -> str:
        return f"Biểu đồ {self.number}: {self.caption}" if self.number else self.caption


@dataclass
class Commentary:
    """The school's own text for a section: Markdown as stored, and its blocks.

    `values` are the raw indicator values the text may cite ({{ name }}) and
    `shown` their printed forms; `blocks` is the Markdown with placeholders filled.
    """

    key: str
    markdown: str
    blocks: list = field(default_factory=list)
    store_digest: str = ""
    draft: bool = False
    stale: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    shown: dict = field(default_factory=dict)
    number: str | None = None  # the section number its sub-headings extend ("3.1."); None: unnumbered


@dataclass
class Header:
    """The NĐ 30 header: governing body and school, Quốc hiệu, number, place and date, title."""

    governing_body: str
    school_name: str
    number: str
    date_line: str
    doc_type: str
    title: str
    mark: str = ""  # "DỰ THẢO" at the top of the first page of a draft


@dataclass
class Closing:
    """The closing sentence, Nơi nhận and the signature block."""

    sentence: str
    recipients: list[str]
    title_lines: list[str]
    signer_name: str


Block = Union[Heading, Paragraph, ItemList, Table, Chart, Commentary, Header, Closing]
BLOCK_TYPES = {c.__name__: c for c in (Heading, Paragraph, ItemList, Table, Chart, Commentary,
                                       Header, Closing)}
NESTED = {"runs": Run, "items": Item, "header": HeadCell}


@dataclass
class Document:
    """One plan for one school: its kind, parameters, title and blocks in reading order."""

    kind: str
    params: dict
    title: str
    blocks: list
    audit: list[int] | None = None  # [errors, findings] of the data audit, if it ran
    state: str = "du_thao"  # du_thao (draft) or ban_hanh (final)
    figures: dict = field(default_factory=dict)  # indicator name -> plain number, as stated
    warnings: list[str] = field(default_factory=list)  # for the run summary ("Phòng chưa kiểm kê: …")

    def charts(self) -> list[Chart]:
        return [b for b in walk(self.blocks) if isinstance(b, Chart)]

    def commentary(self) -> list[Commentary]:
        return [b for b in self.blocks if isinstance(b, Commentary)]


def walk(blocks: list):
    """Every block, including those inside commentary sections."""
    for b in blocks:
        yield b
        if isinstance(b, Commentary):
            yield from walk(b.blocks)


# --- JSON --------------------------------------------------------------------------------

def block_to_json(b) -> dict:
    out = {"type": type(b).__name__}
    for f in fields(b):
        v = getattr(b, f.name)
        if f.name == "blocks":
            v = [block_to_json(x) for x in v]
        elif isinstance(v, list) and v and hasattr(v[0], "__dataclass_fields__"):
            v = [asdict(x) for x in v]
        elif f.name == "header" and isinstance(b, Table):
            v = [[asdict(c) for c in row] for row in v]
        elif hasattr(v, "__dataclass_fields__"):
            v = asdict(v)
        out[f.name] = v
    if isinstance(b, (Table, Chart)):
        out["title"] = b.title  # "Bảng 3. …", "Biểu đồ 1: …" as printed (read-only)
    return out


def block_from_json(d: dict):
    cls = BLOCK_TYPES[d["type"]]
    kw = {}
    for f in fields(cls):
        if f.name not in d:
            continue
        v = d[f.name]
        if f.name == "blocks":
            v = [block_from_json(x) for x in v]
        elif f.name == "header" and cls is Table:
            v = [[HeadCell(**c) for c in row] for row in v]
        elif f.name in NESTED and isinstance(v, list):
            v = [NESTED[f.name](**x) for x in v]
        if f.name == "items":
            v = [Item([Run(**r) if isinstance(r, dict) else r for r in i.runs], i.level) for i in v]
        kw[f.name] = v
    return cls(**kw)


def fragment(part: str, blocks: list, doc: Document | None = None) -> dict:
    """What one display cell carries: its blocks, and (on the first) the document's info."""
    out = {"version": VERSION, "part": part, "blocks": [block_to_json(b) for b in blocks]}
    if doc is not None:
        out["document"] = {"kind": doc.kind, "params": doc.params, "title": doc.title,
                           "charts": len(doc.charts()), "audit": doc.audit, "state": doc.state,
                           "figures": doc.figures, "warnings": doc.warnings}
    return out


def blocks_from_fragment(frag: dict) -> list:
    if frag.get("version") != VERSION:
        raise ValueError(f"phiên bản mô hình văn bản {frag.get('version')} không được hỗ trợ")
    return [block_from_json(b) for b in frag["blocks"]]


# --- text --------------------------------------------------------------------------------

def block_lines(b) -> list[str]:
    """The text of a block as a reader sees it, one line per paragraph, row or cell group."""
    if isinstance(b, Heading):
        return [f"{b.number} {b.title}".strip()]
    if isinstance(b, Paragraph):
        return [b.text]
    if isinstance(b, ItemList):
        return [f"{b.marker} {i.text}" for i in b.items]
    if isinstance(b, Table):
        return ([b.title] + [" | ".join(c.text for c in row) for row in b.header]
                + [" | ".join(row) for row in b.rows] + list(b.notes))
    if isinstance(b, Chart):
        return [b.title]
    if isinstance(b, Commentary):
        return ([f"Cần xem lại: {'; '.join(b.stale)}"] if b.stale else []) + [
            line for x in b.blocks for line in block_lines(x)]
    if isinstance(b, Header):
        return ([b.mark] if b.mark else []) + [b.governing_body, b.school_name, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc", f"Số: {b.number}", b.date_line, b.doc_type, b.title]
    if isinstance(b, Closing):
        return ([b.sentence, "Nơi nhận:"] + [f"- {r}" for r in b.recipients] + b.title_lines
                + [b.signer_name])
    raise TypeError(type(b).__name__)


def plain_text(doc: Document) -> str:
    """The whole document as text: the golden files compare this."""
    return "\n".join(line for b in doc.blocks for line in block_lines(b))


def text(*parts: str, bold: bool = False, italic: bool = False) -> list[Run]:
    return [Run(p, bold, italic) for p in parts if p]
