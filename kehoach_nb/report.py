"""build_report: data → indicators → narrative, tables, charts → HTML blocks of the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from . import catalogues as cat
from . import charts, narrative, tables
from . import formatting as fm
from . import commentary
from .facts import Facts, compute_facts, placeholder_values
from .loading import document_year, load_dataset, read_commentary, require_school
from .params import make_params
from .sanitize import text_to_html

TEMPLATES = Path(__file__).parent / "templates" / "report"


@cache
def _blocks():
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


class _Builder:
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


def _area_label(f: Facts, area: str) -> str:
    level = "tiểu học" if f.level == "tieu_hoc" else "trung học cơ sở"
    return cat.label("area", area).format(level=level)


def _header(f: Facts, title: str) -> Block:
    m = f.meta
    number = m["register_number"]
    number = number.zfill(2) if number.isdigit() else number
    h = {"governing_body": f.school["governing_body"].upper(), "school_name": f.school["name"].upper(),
         "number": f"{number}/{m['symbol']}", "doc_type": "KẾ HOẠCH", "title": title,
         "date_line": fm.fmt_date_header(m["issue_date"], m.get("issue_place") or f.school["place_name"])}
    return Block(str(_blocks().header(h)))


def _part1(b: _Builder) -> str:
    f, out = b.f, outline()["ke_hoach_phat_trien_giao_duc"]
    sections, prev = [], f.previous or f.plan
    describe = {"quy_mo": lambda: narrative.describe_scale(f, prev, b.pad) if prev else "",
                "doi_ngu": lambda: narrative.describe_staff(f, b.pad),
                "co_so_vat_chat": lambda: narrative.describe_rooms(f, b.pad)}
    visuals = {"quy_mo": [tables.enrollment_table(f, b.pad), charts.enrollment_chart(f)],
               "doi_ngu": [tables.staff_table(f)], "co_so_vat_chat": [tables.rooms_table(f, b.pad)]}
    for i, item in enumerate(out["context"], start=1):
        body = Markup("")
        if item.get("passage"):
            body += b.passage(item["key"], describe[item["passage"]]())
            body += Markup("").join(b.visual(v) for v in visuals[item["passage"]])
            body += b.analyst(item["key"], item["title"], item["title"], optional=True)
        else:
            body += b.analyst(item["key"], item["title"], item["title"])
        sections.append(_blocks().section(3, f"{i}.", item["title"], body))
    year = fm.fmt_school_year(prev.year if prev else f.year - 1)
    a = _blocks().section(2, "A.", "ĐẶC ĐIỂM TÌNH HÌNH", Markup("").join(sections))
    results = [_area_results(b, i, area) for i, area in enumerate(out["areas"], start=1)]
    bsec = _blocks().section(2, "B.", f"KẾT QUẢ THỰC HIỆN NĂM HỌC {year}", Markup("").join(results))
    return str(_blocks().part("Phần thứ nhất", f"BÁO CÁO KẾT QUẢ THỰC HIỆN NĂM HỌC {year}", a + bsec))


def _area_results(b: _Builder, i: int, area: str) -> str:
    f, labels = b.f, outline()["ke_hoach_phat_trien_giao_duc"]["results"]
    label = _area_label(f, area)
    computed = Markup("")
    if area == "quy_mo":
        computed = b.passage("ket_qua.quy_mo", narrative.describe_results_scale(f, b.pad))
    elif area == "giao_duc":
        computed = b.passage("ket_qua.giao_duc", narrative.describe_completion(f))
        computed += Markup("").join(b.visual(t) for t in tables.results_tables(f))
        computed += b.visual(charts.results_chart(f))
    subs = [_blocks().section(4, f"{i}.1.", labels["dat_duoc"],
                              computed + b.analyst(f"ket_qua.{area}.dat_duoc", labels["dat_duoc"], label)),
            _blocks().section(4, f"{i}.2.", labels["han_che"],
                              b.analyst(f"ket_qua.{area}.han_che", labels["han_che"], label))]
    return _blocks().section(3, f"{i}.", label, Markup("").join(subs))


def _legal_lines(rows: list[dict]) -> Markup:
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


def _part2(b: _Builder, legal: list[dict]) -> str:
    f, out = b.f, outline()["ke_hoach_phat_trien_giao_duc"]
    year = fm.fmt_school_year(f.year)
    a = _blocks().section(2, "A.", "CƠ SỞ PHÁP LÝ", _legal_lines(legal))
    areas = [_area_plan(b, i, area) for i, area in enumerate(out["areas"], start=1)]
    bsec = _blocks().section(2, "B.", "NỘI DUNG KẾ HOẠCH", Markup("").join(areas))
    return str(_blocks().part("Phần thứ hai", f"KẾ HOẠCH PHÁT TRIỂN GIÁO DỤC NĂM HỌC {year}", a + bsec))


def _area_plan(b: _Builder, i: int, area: str) -> str:
    f, labels = b.f, outline()["ke_hoach_phat_trien_giao_duc"]["plan"]
    label = _area_label(f, area)
    goals = Markup("")
    if area == "quy_mo":
        goals = b.passage("ke_hoach.quy_mo", narrative.describe_plan_scale(f, b.pad))
        goals += b.visual(tables.comparison_table(f, b.pad))
    targets = [narrative.describe_target(r, _baseline(f, r)) for r in f.targets.to_dict("records")
               if r["area"] == area]
    b.texts[f"ke_hoach.{area}.chi_tieu"] = "\n".join(targets)
    target_html = (Markup(text_to_html("\n".join("- " + t for t in targets))) if targets
                   else b.analyst(f"ke_hoach.{area}.chi_tieu", labels["chi_tieu"], label))
    subs = [_blocks().section(4, f"{i}.1.", labels["muc_tieu"],
                              goals + b.analyst(f"ke_hoach.{area}.muc_tieu", labels["muc_tieu"], label)),
            _blocks().section(4, f"{i}.2.", labels["chi_tieu"], target_html),
            _blocks().section(4, f"{i}.3.", labels["bien_phap"],
                              b.analyst(f"ke_hoach.{area}.bien_phap", labels["bien_phap"], label))]
    return _blocks().section(3, f"{i}.", label, Markup("").join(subs))


def _baseline(f: Facts, row: dict) -> str | None:
    code = row.get("indicator_code")
    if code in f.completion:
        n, d = f.completion[code]
        return fm.fmt_fraction(n, d)
    if code == "Q2" and f.previous:
        return f"{fm.fmt_int(f.previous.students)} học sinh"
    if code == "Q1" and f.previous:
        return f"{fm.fmt_int(f.previous.classes)} lớp"
    return None


def _closing(f: Facts, recipients: list[dict], name: str) -> Block:
    m = f.meta
    names = [r["name"] + (f" ({r['purpose']})" if r.get("purpose") else "")
             for r in sorted(recipients, key=lambda r: r["order"])] + ["Lưu: VT"]
    authority = m.get("signer_authority") or ""
    lines = [f"{authority} HIỆU TRƯỞNG", m["signer_title"]] if authority else [m["signer_title"]]
    c = {"sentence": narrative.closing_sentence(f.year, f.school["name"]).replace(
        "Kế hoạch phát triển giáo dục", name), "recipients": names,
         "title_lines": [line.upper() for line in lines], "signer_name": m["signer_name"]}
    return Block(str(_blocks().closing(c)))


def _appendix(tables: dict, school_id: str, year: int) -> Block:
    """The data audit of this school's own figures (a finding never changes a number)."""
    from .audit import audit_school
    from .audit_output import render_findings_html

    findings = audit_school(tables, school_id, plan_year=year)
    return Block('<section class="appendix">' + render_findings_html(findings) + "</section>")


def build_report(dataset: str, school_id: str, doc_kind: str = "ke_hoach_phat_trien_giao_duc",
                 school_year: int | None = None) -> Report:
    """Build one school's plan from a dataset folder; DataError lists every input problem."""
    p = make_params(dataset=dataset, school_id=school_id, doc_kind=doc_kind, school_year=school_year)
    ds = load_dataset(p.dataset)
    t = require_school(ds, p.school_id)
    year = p.school_year or document_year(ds, p.school_id, p.doc_kind)
    metas = t["document_meta"]
    meta = metas[(metas["doc_kind"] == p.doc_kind) & (metas["school_year"] == year)]
    if meta.empty:
        from .errors import DataError, Problem
        raise DataError([Problem(str(ds.root / "document_meta.csv"),
                                 f"không có thông tin văn bản {p.doc_kind} năm học {fm.fmt_school_year(year)}",
                                 school_id=p.school_id)])
    f = compute_facts(t, meta.iloc[0].to_dict(), year, ds.config.percent_decimals)
    ns = t["narrative_section"]
    ns = ns[ns["doc_kind"].isin([p.doc_kind, None])]
    entries = commentary.entries_for(read_commentary(ds.root, p.school_id), p.doc_kind)
    b = _Builder(f, dict(zip(ns["section_key"], ns["text"])), ds.config.zero_pad_counts, entries,
                 ds.config.stale_threshold)
    o = outline()[p.doc_kind]
    title = (f.meta.get("title_summary") or o["title"].format(school_year=fm.fmt_school_year(year)))
    part1 = Block(_part1(b), b.take_sections())
    part2 = Block(_part2(b, t["legal_basis"].to_dict("records")), b.take_sections())
    part3 = Block(str(_blocks().part("Phần thứ ba", "KIẾN NGHỊ, ĐỀ XUẤT",
                                     b.analyst("kien_nghi", "Kiến nghị, đề xuất", "kiến nghị"))),
                  b.take_sections())
    report = Report(p.model_dump(), _header(f, title), part1, part2, part3,
                    _closing(f, t["recipient"].to_dict("records"), o["closing_name"]))
    if ds.config.audit_appendix:
        report.appendix = _appendix(t, p.school_id, year)
    report.texts, report.chart_count = b.texts, b.charts
    report.closing = Block(report.closing.html.replace(
        '<section class="closing">', f'<section class="closing" data-charts="{b.charts}">', 1))
    return report
