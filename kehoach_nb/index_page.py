"""outputs/<dataset>/<year>/index.html: every school, its status, links, key figures."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from pathlib import Path

from . import formatting as fm
from . import indicators as ind
from .archive import atomic_write, os_error_vi, read_ledger
from .loading import Dataset, document_year
from .status import Status, is_good, is_placed, label
from .catalogues import label as catalogue_label
from .run.progress import SHORT_DOC
from .rollup.scope import folders
from .run.worker import Outcome

FORMAT_LABELS = {"html": "HTML", "pdf": "PDF", "docx": "Word"}

CSS = ("body{font-family:'Liberation Serif','Times New Roman',serif;margin:2em;}"
       "table{border-collapse:collapse}th,td{border:1px solid #444;padding:3px 8px}"
       "td.num{text-align:right}.ok{color:#064}.loi{color:#a00}")


def _figures(ds: Dataset, school_id: str, year: int, level: str) -> tuple[str, str]:
    enr = ds.tables["enrollment_by_grade"].iloc[ds.school_rows("enrollment_by_grade", school_id)]
    scen = ind.best_scenario(enr, year, ("plan", "estimate", "actual"))
    sc = ind.scale(enr, year, scen, level) if scen else None
    return (fm.fmt_int(sc.classes), fm.fmt_int(sc.students)) if sc else ("—", "—")


def _audit_text(audit: list[int] | None, link: str | None) -> str:
    """"2 lỗi / 5 phát hiện", from the counts the report carried, linked to the audit report."""
    if not audit:
        return "—"
    errors, total = audit
    text = f"{errors} lỗi / {total} phát hiện" if total else "không có sai lệch"
    return f'<a href="{html.escape(link)}">{text}</a>' if link else text


def state_label(state: str) -> str:
    return catalogue_label("state", state).lower()


def audit_name(school_id: str) -> str:
    return f"{school_id}/kiem_tra_so_lieu.html"


def _issued_text(v: dict | None) -> str:
    """The last issued version (kehoach archive issue) and whether today's outputs differ."""
    if not v:
        return "—"
    date = v.get("date") or ""
    try:
        date = fm.fmt_date(dt.date.fromisoformat(date[:10])) if date else ""
    except ValueError:
        pass
    text = html.escape(" ".join(x for x in (f"số {v['number']}" if v.get("number") else "",
                                            f"ngày {date}" if date else "") if x) or "có")
    if v.get("differs_from_outputs"):
        link = v.get("diff_href")
        more = f'<a href="{html.escape(link)}">khác bản hiện tại</a>' if link else "khác bản hiện tại"
        return f"{text}; {more}"
    return text if v.get("differs_from_outputs") is None else f"{text}; trùng bản hiện tại"


ROLLUP = ("_tong_hop", "bao_cao_tong_hop")  # rollup.run.FOLDER and the document's name
ROLLUP_FORMATS = {**FORMAT_LABELS, "xlsx": "Excel"}


def rollup_links(folder: Path, prefix: str = "", slug: str = "") -> str:
    """Links to the roll-up's files in a year folder (a commune's: in its slug folder), or ""."""
    sub, name = ROLLUP
    where = f"{sub}/{slug}/" if slug else f"{sub}/"
    found = [(ext, lab) for ext, lab in ROLLUP_FORMATS.items() if (folder / where / f"{name}.{ext}").is_file()]
    return " ".join(f'<a href="{html.escape(f"{prefix}{where}{name}.{ext}")}">{lab}</a>' for ext, lab in found)


def commune_links(ds: Dataset, folder: Path, prefix: str = "") -> list[str]:
    """"xã Hòa Bình: HTML PDF Word Excel" for each commune's roll-up in a year folder."""
    return [f"{html.escape(commune)}: {links}" for commune, slug in folders(ds).items()
            if (links := rollup_links(folder, prefix, slug))]


def render_index(ds: Dataset, year: int, outcomes: list[Outcome], folder: Path = Path("."),
                 issued: dict | None = None) -> str:
    names = dict(zip(ds.tables["school"]["school_id"], ds.tables["school"]["name"]))
    levels = dict(zip(ds.tables["school"]["school_id"], ds.tables["school"]["school_level"]))
    rows = []
    for o in sorted(outcomes, key=lambda o: o.school_id):
        ok = is_good(o.status) or is_placed(o.status)
        links = " ".join(f'<a href="{html.escape(o.school_id)}/{html.escape(f)}">{FORMAT_LABELS[ext]}</a>'
                         for ext, f in sorted(o.files.items()) if ext in FORMAT_LABELS)
        audit = f"{o.school_id}/kiem_tra_so_lieu.html" if (folder / audit_name(o.school_id)).is_file() else None
        kind = SHORT_DOC.get(o.doc_kind, o.doc_kind) + (f" ({state_label(o.state)})" if o.state else "")
        classes, pupils = _figures(ds, o.school_id, year, levels[o.school_id]) if o.school_id in names else ("—", "—")
        rows.append(f"<tr><td>{html.escape(o.school_id)}</td><td>{html.escape(names.get(o.school_id, ''))}</td>"
                    f"<td>{html.escape(kind)}</td>"
                    f"<td class=\"{'ok' if ok else 'loi'}\">{html.escape(label(o.status))}</td>"
                    f"<td class=\"num\">{classes}</td><td class=\"num\">{pupils}</td>"
                    f"<td class=\"num\">{_audit_text(o.audit, audit)}</td>"
                    f"<td>{_issued_text((issued or {}).get((o.school_id, o.doc_kind)))}</td>"
                    f"<td>{links}</td></tr>")
    title = html.escape(f"{ds.config.name} — năm học {fm.fmt_school_year(year)}")
    return ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{title}</title><style>{CSS}</style></head><body><h1>{title}</h1>"
            + (f"<p>Báo cáo tổng hợp các trường: {links}</p>" if (links := rollup_links(folder)) else "")
            + (f"<p>Báo cáo tổng hợp theo xã, phường, đặc khu:</p><ul><li>{'</li><li>'.join(by)}</li></ul>"
               if (by := commune_links(ds, folder)) else "")
            + "<table><thead><tr><th>Mã trường</th><th>Tên trường</th><th>Văn bản</th><th>Trạng thái</th><th>Số lớp</th>"
            f"<th>Số học sinh</th><th>Kiểm tra số liệu</th><th>Bản đã ban hành</th><th>Báo cáo</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "</body></html>")


def _year_rollups(ds: Dataset, folder: Path, prefix: str) -> str:
    """The dataset's roll-up links, then one line per commune's roll-up; "—" when none."""
    whole, communes = rollup_links(folder, prefix), commune_links(ds, folder, prefix)
    if not communes:
        return whole or "—"
    return "<br>".join(([f"Tất cả các trường: {whole}"] if whole else []) + communes)


def render_years(ds: Dataset, years: list[int], base: Path) -> str:
    """outputs/<dataset>/index.html: each school year's list and its roll-up."""
    title = html.escape(ds.config.name)
    rows = "".join(
        f"<tr><td>{fm.fmt_school_year(y)}</td><td><a href=\"{y}/index.html\">Danh sách các trường</a></td>"
        f"<td>{_year_rollups(ds, base / str(y), f'{y}/')}</td></tr>" for y in years)
    return ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{title}</title><style>{CSS}</style></head><body><h1>{title}</h1>"
            "<table><thead><tr><th>Năm học</th><th>Các trường</th><th>Báo cáo tổng hợp</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></body></html>")


def latest_outcomes(records: Iterable[dict]) -> list[Outcome]:
    """The state of every school and document in a run ledger's records: its latest outcome,
    except that "skipped" means the report on disk is the one its last good render made, so
    that render is shown (with its links and audit counts)."""
    latest: dict[tuple[str, str], Outcome] = {}
    good: dict[tuple[str, str], Outcome] = {}
    for rec in records:
        key = (rec["school_id"], rec["doc_kind"])
        o = Outcome(rec["school_id"], rec["doc_kind"], rec["status"], rec.get("message", ""),
                    rec.get("seconds", 0.0), rec.get("files") or {}, audit=rec.get("audit"),
                    state=rec.get("state", ""))
        if is_placed(o.status):
            good[key] = o
        latest[key] = good.get(key, o) if o.status == Status.SKIPPED else o
    return list(latest.values())


def _issued(ds: Dataset, out_root: Path) -> dict:
    """Issued versions in the archive beside the outputs folder (luu_tru/), if any."""
    from .issued.cli import ARCHIVE
    from .issued.store import latest_versions

    archive = Path(out_root).resolve().parent / ARCHIVE
    if not archive.is_dir():
        return {}
    try:
        return latest_versions(archive, ds.root.resolve().name, out_root)
    except (OSError, ValueError):
        return {}


def damaged_notice(ledger: Path, damaged: list[int]) -> str:
    lines = ", ".join(str(n) for n in damaged[:10]) + (" …" if len(damaged) > 10 else "")
    return (f"sổ {ledger}: bỏ qua {fm.fmt_int(len(damaged))} dòng hỏng (dòng {lines}), "
            "có thể do ổ đĩa đầy hoặc sửa tay; các dòng khác vẫn được dùng")


def write_index(ds: Dataset, out_root: Path) -> list[str]:
    """One index.html per school year, from the ledger (so earlier runs still show).
    Returns notices for the user (damaged ledger lines, an index that could not be written)."""
    base = out_root / ds.root.resolve().name
    ledger = base / "so_cai_chay.jsonl"
    records, damaged = read_ledger(ledger)
    notices = [damaged_notice(ledger, damaged)] if damaged else []
    by_year: dict[int, list[Outcome]] = {}
    known = set(ds.school_ids())
    for o in latest_outcomes(records):
        if o.school_id not in known:
            continue
        by_year.setdefault(document_year(ds, o.school_id, o.doc_kind), []).append(o)
    issued = _issued(ds, out_root)
    if by_year:
        try:
            atomic_write(base / "index.html", render_years(ds, sorted(by_year), base).encode("utf-8"))
        except OSError as exc:
            notices.append(f"không ghi được {base / 'index.html'}: {os_error_vi(exc)}")
    for year, group in by_year.items():
        path = base / str(year) / "index.html"
        try:
            atomic_write(path, render_index(ds, year, group, path.parent, issued).encode("utf-8"))
        except OSError as exc:
            notices.append(f"không ghi được {path}: {os_error_vi(exc)}")
    return notices
