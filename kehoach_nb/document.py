"""The document frame shared by every plan: blocks, commentary builder, NĐ 30 header,
legal bases, closing with recipients and signature, audit appendix."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from . import catalogues as cat
from . import charts, commentary, narrative
from . import formatting as fm
from .facts import Facts, placeholder_values
from .sanitize import text_to_html

TEMPLATES = Path(__file__).parent / "templates" / "report"


@cache
def blocks():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("blocks.html.j2").module


@cache
def outline() -> dict:
    return yaml.safe_load((TEMPLATES / "outline.yaml").read_text(encoding="utf-8"))


@dataclass
class Block:
    """A piece of the document; displays itself as HTML in a notebook.

    Commentary sections inside it are delimited by <!--kc:KEY--> … <!--/kc--> and
    described in the display metadata, so the runner can turn each into an
    editable Markdown cell.
    """

    html: str
    commentary: list[dict] = field(default_factory=list)

    def _repr_html_(self):
        return self.html, {"kehoach": {"commentary": self.commentary}}


@dataclass
class Report:
    """The whole plan as display blocks, plus the plain texts for checks."""

    params: dict
    header: Block
    part1: Block
    part2: Block
    part3: Block
    closing: Block
    appendix: Block = field(default_factory=lambda: Block(""))
    texts: dict[str, str] = field(default_factory=dict)
    chart_count: int = 0

    def render_html(self) -> str:
        blocks = (self.header, self.part1, self.part2, self.part3, self.closing, self.appendix)
        return "".join(b.html for b in blocks)


class Builder:
    def __init__(self, f: Facts, narratives: dict[str, str], pad: bool, entries: dict,
                 threshold):
        self.f, self.narratives, self.pad = f, narratives, pad
        self.entries, self.threshold = entries, threshold
        self.values, self.raw_values = placeholder_values(f)
        self.texts: dict[str, str] = {}
        self.sections: list[dict] = []
        self.charts = 0
        self.tables = 0

    def take_sections(self) -> list[dict]:
        out, self.sections = self.sections, []
        return out

    def passage(self, key: str, text: str) -> Markup:
        self.texts[key] = text
        return Markup(text_to_html(text)) if text else Markup("")

    def analyst(self, key: str, title: str, area_label: str, optional: bool = False) -> Markup:
        """A commentary section: store, then narrative_section, then a marked draft."""
        draft = None if optional else narrative.draft_text(title, area_label)
        sec = commentary.choose(key, self.entries, self.narratives.get(key), draft,
                                self.raw_values, self.threshold)
        if sec.draft:
            self.texts[f"draft:{key}"] = draft
        html = sec.to_html(self.values) if sec.markdown else ""
        self.sections.append({"section": key, "markdown": sec.markdown, "store_digest": sec.store_digest,
                              "draft": sec.draft, "stale": sec.stale, "html": html,
                              "values": self.raw_values})
        return Markup(f"<!--kc:{key}-->{html}<!--/kc-->")

    def visual(self, obj) -> Markup:
        if obj is None:
            return Markup("")
        if isinstance(obj, charts.Chart):
            self.charts += 1
            obj.number = self.charts
        else:
            self.tables += 1
            obj.number = self.tables
        return Markup(obj.render_html())


def header(f: Facts, title: str) -> Block:
    m = f.meta
    number = m["register_number"]
    number = number.zfill(2) if number.isdigit() else number
    h = {"governing_body": f.school["governing_body"].upper(), "school_name": f.school["name"].upper(),
         "number": f"{number}/{m['symbol']}", "doc_type": "KẾ HOẠCH", "title": title,
         "date_line": fm.fmt_date_header(m["issue_date"], m.get("issue_place") or f.school["place_name"])}
    return Block(str(blocks().header(h)))


def legal_lines(rows: list[dict]) -> Markup:
    cats = outline()["doc_categories"]
    lines = []
    for r in sorted(rows, key=lambda r: r["seq"]):
        kind = cats.get(r["doc_category"], r["doc_category"].capitalize())
        date = fm.fmt_date(r["issue_date"]) if r.get("issue_date") else r.get("claimed_date_text")
        issuer = f" của {r['issuer']}" if r.get("issuer") else ""
        subject = r["subject"].rstrip(" ;.")
        lead = cat.label("lead_word", r.get("lead_word") or "can_cu")
        if r["doc_category"] == "luat":
            lines.append(f"{lead} Luật {subject} số {r['number']}" + (f" ngày {date}" if date else ""))
        else:
            lines.append(f"{lead} {kind} số {r['number']}" + (f" ngày {date}" if date else "")
                         + f"{issuer} {subject}")
    html = "".join(f'<p class="can-cu">{jinja2.utils.markupsafe.escape(t)}{";" if i < len(lines) - 1 else "."}</p>'
                   for i, t in enumerate(lines))
    return Markup(html)


def baseline(f: Facts, row: dict) -> str | None:
    code = row.get("indicator_code")
    if code in f.completion:
        n, d = f.completion[code]
        return fm.fmt_fraction(n, d)
    if code == "Q2" and f.previous:
        return f"{fm.fmt_int(f.previous.students)} học sinh"
    if code == "Q1" and f.previous:
        return f"{fm.fmt_int(f.previous.classes)} lớp"
    return None


def closing(f: Facts, recipients: list[dict], document_name: str) -> Block:
    m = f.meta
    names = [r["name"] + (f" ({r['purpose']})" if r.get("purpose") else "")
             for r in sorted(recipients, key=lambda r: r["order"])] + ["Lưu: VT"]
    authority = m.get("signer_authority") or ""
    lines = [f"{authority} HIỆU TRƯỞNG", m["signer_title"]] if authority else [m["signer_title"]]
    c = {"sentence": narrative.closing_sentence(document_name, f.school["name"]), "recipients": names,
         "title_lines": [line.upper() for line in lines], "signer_name": m["signer_name"]}
    return Block(str(blocks().closing(c)))


def appendix(tables: dict, school_id: str, year: int) -> Block:
    """The data audit of this school's own figures (a finding never changes a number)."""
    from .audit import audit_school
    from .audit_output import render_findings_html

    findings = audit_school(tables, school_id, plan_year=year)
    errors = sum(f.severity == "lỗi" for f in findings)
    return Block(f'<section class="appendix" data-findings="{len(findings)}" data-errors="{errors}">'
                 + render_findings_html(findings) + "</section>")




@dataclass
class Context:
    """Everything a plan builder needs for one school and document."""

    params: dict
    tables: dict
    year: int
    facts: Facts
    builder: Builder
    outline: dict
    audit: bool

    def fill(self, text: str) -> str:
        m = self.facts.meta
        start, end = m.get("period_start"), m.get("period_end")
        known = all(v is not None and v == v for v in (start, end))  # NaN-safe
        period = f"{int(start)}-{int(end)}" if known else fm.fmt_school_year(self.year)
        return text.format(school_year=fm.fmt_school_year(self.year), period=period)


def prepare(dataset: str, school_id: str, doc_kind: str, school_year: int | None) -> Context:
    """Validate parameters, load the school's data and compute its facts."""
    from .errors import DataError, Problem
    from .facts import compute_facts
    from .loading import document_year, load_dataset, read_commentary, require_school
    from .params import make_params

    p = make_params(dataset=dataset, school_id=school_id, doc_kind=doc_kind, school_year=school_year)
    ds = load_dataset(p.dataset)
    t = require_school(ds, p.school_id)
    year = p.school_year or document_year(ds, p.school_id, p.doc_kind)
    metas = t["document_meta"]
    meta = metas[(metas["doc_kind"] == p.doc_kind) & (metas["school_year"] == year)]
    if meta.empty:
        raise DataError([Problem(str(ds.root / "document_meta.csv"),
                                 f"không có thông tin văn bản {p.doc_kind} năm học {fm.fmt_school_year(year)}",
                                 school_id=p.school_id)])
    f = compute_facts(t, meta.iloc[0].to_dict(), year, ds.config.percent_decimals)
    ns = t["narrative_section"]
    ns = ns[ns["doc_kind"].isin([p.doc_kind, None])]
    entries = commentary.entries_for(read_commentary(ds.root, p.school_id), p.doc_kind)
    b = Builder(f, dict(zip(ns["section_key"], ns["text"])), ds.config.zero_pad_counts, entries,
                ds.config.stale_threshold)
    return Context(p.model_dump(), t, year, f, b, outline()[p.doc_kind], ds.config.audit_appendix)


def finish(ctx: Context, parts: list[Block]) -> Report:
    """Header, the plan's parts, closing and appendix; the closing carries the chart count."""
    f, b = ctx.facts, ctx.builder
    title = f.meta.get("title_summary") or ctx.fill(ctx.outline["title"])
    end = closing(f, ctx.tables["recipient"].to_dict("records"), ctx.fill(ctx.outline["closing_name"]))
    end = Block(end.html.replace('<section class="closing">',
                                 f'<section class="closing" data-charts="{b.charts}">', 1))
    parts = parts + [Block("")] * (3 - len(parts))
    report = Report(ctx.params, header(f, title), *parts, end)
    if ctx.audit:
        report.appendix = appendix(ctx.tables, ctx.params["school_id"], ctx.year)
    report.texts, report.chart_count = b.texts, b.charts
    return report
