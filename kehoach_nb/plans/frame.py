"""The frame shared by every plan: the block builder, NĐ 30 header, legal bases,
closing with recipients and signature, the audit appendix, and `prepare`/`finish`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

from .. import catalogues as cat
from .. import commentary, narrative
from .. import formatting as fm
from ..facts import Facts, placeholder_values
from ..markup import markdown_blocks, number_subheadings, passage_blocks
from ..model import Chart, Closing, Commentary, Document, Header, Heading, Paragraph, Run, Table

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "report"


@cache
def outline() -> dict:
    return yaml.safe_load((TEMPLATES / "outline.yaml").read_text(encoding="utf-8"))


class Builder:
    """Makes the blocks of one plan; remembers computed passages for the golden files."""

    def __init__(self, f: Facts, narratives: dict[str, str], pad: bool, entries: dict, threshold,
                 placeholders: bool = False, spelling: str = "tỉ lệ"):
        self.f, self.narratives, self.pad = f, narratives, pad
        self.entries, self.threshold = entries, threshold
        self.placeholders = placeholders  # dataset.yaml `placeholders`: marked drafts for empty sections
        self.spelling = spelling  # dataset.yaml `ty_le_spelling`: one spelling per document
        self.values, self.raw_values = placeholder_values(f)
        self.texts: dict[str, str] = {}
        self.warnings: list[str] = []  # what the run summary should name (rows not inventoried, …)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def spell(self, text: str) -> str:
        """Computed text with the document's one spelling of "tỉ lệ"."""
        return narrative.TY_LE.sub(lambda m: self.spelling.capitalize() if m.group(0)[0].isupper()
                                   else self.spelling, text)

    def passage(self, key: str, text: str) -> list:
        text = self.spell(text)
        self.texts[key] = text
        return passage_blocks(text) if text else []

    def items(self, key: str, lines: list[str]) -> list:
        """Computed lines (targets) as one list."""
        lines = [self.spell(t) for t in lines]
        self.texts[key] = "\n".join(lines)
        return passage_blocks("\n".join("- " + t for t in lines))

    def analyst(self, key: str, title: str, area_label: str, optional: bool = False) -> list:
        """A commentary section: store, then narrative_section, then a marked draft (only when
        the dataset asks for placeholders); nothing when there is no text (the section drops)."""
        draft = None if optional or not self.placeholders else narrative.draft_text(title, area_label)
        sec = commentary.choose(key, self.entries, self.narratives.get(key), draft,
                                self.raw_values, self.threshold)
        if sec.draft:
            self.texts[f"draft:{key}"] = draft
        if not sec.markdown and not optional:
            return []
        return [commentary_block(sec.key, sec.markdown, self.raw_values, self.values,
                                 sec.store_digest, sec.draft, sec.stale)]


def commentary_block(key: str, markdown: str, values: dict, shown: dict, store_digest: str = "",
                     draft: bool = False, stale: list | None = None, number: str | None = None) -> Commentary:
    """A commentary section with its Markdown turned into blocks ({{ placeholders }} filled);
    with `number`, its sub-headings are numbered under that section number."""
    filled = commentary.fill_placeholders(markdown, shown, key) if markdown else ""
    return Commentary(key, markdown, markdown_blocks(filled, number), store_digest, draft, list(stale or []),
                      dict(values), dict(shown), number)


def numbered_commentary(blocks: list, number: str) -> list:
    """The commentary sections of a section body, their sub-headings numbered under `number`."""
    return [replace(b, number=number, blocks=number_subheadings(b.blocks, number))
            if isinstance(b, Commentary) else b for b in blocks]


def visual(*objs) -> list:
    """Tables and charts that exist (a builder returns None when there is no data)."""
    return [o for o in objs if o is not None]


def section(level: int, number: str, title: str, body: list) -> list:
    return [Heading(level, number, title)] + body


@dataclass
class Sec:
    """A section before numbering: dropped when neither it nor a subsection has content."""

    title: str
    body: list = field(default_factory=list)
    children: list = field(default_factory=list)


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def has_content(blocks: list) -> bool:
    """Any block other than an empty commentary cell."""
    return any(not (isinstance(b, Commentary) and not b.markdown.strip()) for b in blocks)


def _kept(secs: list[Sec]) -> list[Sec]:
    out = []
    for s in secs:
        children = _kept(s.children)
        if has_content(s.body) or children:
            out.append(Sec(s.title, s.body, children))
    return out


def _number(style: str, i: int, prefix: str) -> str:
    if style == "roman":
        return f"{ROMAN[i - 1]}."
    if style == "alpha":
        return f"{chr(64 + i)}."
    return f"{prefix}{i}."


def sections(level: int, secs: list[Sec], style: str = "arabic", prefix: str = "",
             child_style: str = "arabic") -> list:
    """Headings numbered continuously over the sections that have content (no "5." after "3.");
    arabic subsections extend their parent's number ("2.1.")."""
    out = []
    for i, s in enumerate(_kept(secs), start=1):
        number = _number(style, i, prefix)
        sub_prefix = number if style == "arabic" else ""
        body = s.body if s.children else numbered_commentary(s.body, sub_prefix)
        out += [Heading(level, number, s.title)] + body + sections(
            level + 1, s.children, child_style, sub_prefix, "arabic")
    return out


def part(number_words: str, title: str, body: list) -> list:
    return [Heading(1, number_words, title)] + body


def header(f: Facts, title: str, state: str) -> Header:
    m = f.meta
    number = m["register_number"]
    number = number.zfill(2) if number.isdigit() else number
    return Header(f.school["governing_body"].upper(), f.school["name"].upper(), f"{number}/{m['symbol']}",
                  fm.fmt_date_header(m["issue_date"], m.get("issue_place") or f.school["place_name"]),
                  "KẾ HOẠCH", title, cat.label("state_mark", state))


def legal_lines(rows: list[dict]) -> list[Paragraph]:
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
    lines.append(narrative.render_passage("practice_basis"))
    return [Paragraph([Run(t + (";" if i < len(lines) - 1 else "."), italic=True)], "can_cu")
            for i, t in enumerate(lines)]


def baseline(f: Facts, row: dict, pad: bool = False) -> str | None:
    code = row.get("indicator_code")
    if code in f.completion:
        n, d = f.completion[code]
        return fm.fmt_fraction(n, d)
    if code == "Q2" and f.previous and f.previous.students is not None:
        return f"{fm.fmt_int(f.previous.students)} học sinh"
    if code == "Q1" and f.previous and f.previous.classes is not None:
        return f"{fm.fmt_int(f.previous.classes, pad)} lớp"
    return None


def closing(f: Facts, recipients: list[dict], document_name: str, request: str | None = None) -> Closing:
    m = f.meta
    names = [r["name"] + (f" ({r['purpose']})" if r.get("purpose") else "")
             for r in sorted(recipients, key=lambda r: r["order"])] + ["Lưu: VT"]
    names = [n + (";" if i < len(names) - 1 else ".") for i, n in enumerate(names)]
    authority = m.get("signer_authority") or ""
    lines = [f"{authority} HIỆU TRƯỞNG", m["signer_title"]] if authority else [m["signer_title"]]
    return Closing(narrative.closing_sentence(document_name, f.school["name"], request), names,
                   [line.upper() for line in lines], m["signer_name"])


def audit_counts(tables: dict, school_id: str, year: int, in_force_from: dict | None = None) -> list[int]:
    """[errors, findings] of the data audit of this school's figures; the findings themselves
    go to the school's audit report (kiem_tra_so_lieu), never into the plan."""
    from ..audit import AuditConfig, audit_school

    config = AuditConfig(in_force_from=dict(in_force_from)) if in_force_from else None
    findings = audit_school(tables, school_id, config, plan_year=year)
    return [sum(f.severity == "lỗi" for f in findings), len(findings)]


@dataclass
class Context:
    """Everything a plan builder needs for one school and document."""

    params: dict
    tables: dict
    year: int
    facts: Facts
    builder: Builder
    outline: dict
    state: str  # du_thao or ban_hanh
    in_force_from: dict = field(default_factory=dict)  # dataset.yaml: regulation start dates moved

    def framework(self) -> str | None:
        """The accreditation framework of the document: its own, else the one in force on its date."""
        from ..accreditation import framework_in_force

        f = self.facts
        return f.meta.get("framework") or framework_in_force(f.level, f.on, None, self.in_force_from)

    def lead_in(self) -> list:
        """"Trường … xây dựng Kế hoạch … như sau:", computed from the school and the kind."""
        name = self.fill(self.outline["closing_name"])
        return [Paragraph([Run(narrative.lead_in(name, self.facts.school["name"]))])]

    def fill(self, text: str) -> str:
        m = self.facts.meta
        start, end = m.get("period_start"), m.get("period_end")
        known = all(v is not None and v == v for v in (start, end))  # NaN-safe
        period = f"{int(start)}-{int(end)}" if known else fm.fmt_school_year(self.year)
        return text.format(school_year=fm.fmt_school_year(self.year), period=period)


def prepare(dataset: str, school_id: str, doc_kind: str, school_year: int | None,
            state: str | None = None) -> Context:
    """Validate parameters, load the school's data and compute its facts."""
    from ..errors import DataError, Problem
    from ..facts import compute_facts
    from ..loading import document_year, load_dataset, read_commentary, require_school
    from ..params import make_params

    p = make_params(dataset=dataset, school_id=school_id, doc_kind=doc_kind, school_year=school_year,
                    state=state)
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
                ds.config.stale_threshold, ds.config.placeholders, ds.config.ty_le_spelling)
    return Context(p.model_dump(), t, year, f, b, outline()[p.doc_kind],
                   p.state or f.meta.get("state") or "du_thao", dict(ds.config.in_force_from))


def numbered(blocks: list) -> list:
    """Tables and charts numbered in order of appearance ("Bảng 3.", "Biểu đồ 1:")."""
    count = {Table: 0, Chart: 0}
    out = []
    for b in blocks:
        if type(b) in count and (b.caption or isinstance(b, Chart)):
            count[type(b)] += 1
            b = replace(b, number=count[type(b)])
        out.append(b)
    return out


def finish(ctx: Context, body: list) -> tuple[Document, dict[str, str]]:
    """The whole document: header, the plan's body, closing with recipients and signature."""
    f = ctx.facts
    title = f.meta.get("title_summary") or ctx.fill(ctx.outline["title"])
    end = closing(f, ctx.tables["recipient"].to_dict("records"), ctx.fill(ctx.outline["closing_name"]),
                  ctx.builder.narratives.get("loi_ket"))
    blocks = [header(f, title, ctx.state)] + numbered(body) + [end]
    audit = audit_counts(ctx.tables, ctx.params["school_id"], ctx.year, ctx.in_force_from)
    from .record import record_figures

    figures = {**record_figures(ctx), **ctx.builder.raw_values}  # what the roll-up reads
    return (Document(ctx.params["doc_kind"], ctx.params, title, blocks, audit, ctx.state, figures,
                     list(ctx.builder.warnings)), ctx.builder.texts)
