"""What changed between two versions of a plan, in the user's terms: figures, text paragraph
by paragraph, commentary sections, and input rows (table, row, column, old → new)."""

from __future__ import annotations

import csv
import difflib
import html
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .. import formatting as fm
from ..schema import TABLES

DIFF_PAGE = "{doc}.so_sanh.html"
FIGURE_LABELS = {
    "so_lop": "Số lớp", "so_hoc_sinh": "Số học sinh",
    "so_lop_nam_truoc": "Số lớp năm học trước", "so_hoc_sinh_nam_truoc": "Số học sinh năm học trước",
    "tang_giam_hoc_sinh": "Số học sinh tăng (+) / giảm (-) so với năm học trước",
    "so_can_bo_giao_vien_nhan_vien": "Tổng số cán bộ, giáo viên, nhân viên",
    "so_giao_vien": "Số giáo viên",
    "ty_le_hoan_thanh_chuong_trinh_lop_hoc": "Tỉ lệ hoàn thành chương trình lớp học",
    "ty_le_hoan_thanh_chuong_trinh_cap_hoc": "Tỉ lệ hoàn thành chương trình cấp học",
    "ty_le_len_lop": "Tỉ lệ lên lớp", "ty_le_khen_thuong": "Tỉ lệ học sinh được khen thưởng",
    # plans/record.py (what the roll-up reads)
    "hoc_sinh_binh_quan_lop": "Số học sinh bình quân một lớp", "si_so_toi_da": "Sĩ số tối đa một lớp",
    "so_giao_vien_day_lop": "Số giáo viên dạy lớp", "giao_vien_tren_lop": "Số giáo viên dạy lớp/lớp",
    "dinh_muc_giao_vien_lop": "Định mức giáo viên/lớp", "dinh_muc_giao_vien": "Số giáo viên tối đa theo định mức",
    "ty_le_tot_nghiep_thcs": "Tỉ lệ tốt nghiệp trung học cơ sở",
    "muc_kiem_dinh": "Mức kiểm định chất lượng giáo dục (tự đánh giá)",
    "muc_chuan_quoc_gia": "Mức trường đạt chuẩn quốc gia",
}


@dataclass
class Side:
    """One version of a plan as the diff sees it."""

    label: str
    lines: list[str]
    figures: dict
    commentary: dict[str, str]
    inputs: dict[str, bytes]
    notes: list[str] = field(default_factory=list)


@dataclass
class Changes:
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # label, old, new
    text: list[tuple[int, list[str], list[str]]] = field(default_factory=list)  # line no, old, new
    commentary: list[tuple[str, str, str]] = field(default_factory=list)  # section, old, new
    inputs: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # table,row,col,old,new

    def empty(self) -> bool:
        return not (self.figures or self.text or self.commentary or self.inputs)


def _read_notebook(path: Path):
    import nbformat

    from ..notebook import document

    return document(nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4))


def _side(label: str, doc, inputs: dict[str, bytes]) -> Side:
    from ..model import plain_text

    return Side(label, plain_text(doc).splitlines(), dict(doc.figures),
                {c.key: c.markdown for c in doc.commentary()}, inputs)


def from_version(v) -> Side:
    return _side(f"bản ban hành {v.manifest.get('issued_on')} ({v.name})", _read_notebook(
        v.path / f"{v.manifest['doc_kind']}.ipynb"), v.snapshot())


def from_outputs(ds, out_root: Path, school: str, doc: str) -> Side:
    """The current outputs of a plan, with today's input rows of the school."""
    import nbformat

    from ..run.batch import output_dir
    from ..errors import KehoachError
    from ..loading import document_year, school_snapshot
    from ..notebook import document
    from .provenance import input_hashes

    path = output_dir(Path(out_root), ds, document_year(ds, school, doc), school) / f"{doc}.ipynb"
    if not path.is_file():
        raise KehoachError(f"chưa có kết quả hiện tại của trường {school} ({doc}): {path}")
    nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    inputs = school_snapshot(ds, school)
    side = _side("kết quả hiện tại", document(nb), inputs)
    meta = nb.metadata.get("kehoach", {})
    if input_hashes(inputs) != (meta.get("input_tables"), meta.get("commentary_entries")):
        side.notes.append("dữ liệu đầu vào đã thay đổi sau lần chạy cuối: hãy chạy lại kehoach run "
                          "để văn bản hiện tại theo đúng dữ liệu")
    return side


def outputs_differ(version, notebook_path: Path) -> bool:
    """Whether a current executed notebook states anything other than an issued version."""
    a, b = (_read_notebook(p) for p in (version.path / f"{version.manifest['doc_kind']}.ipynb",
                                        notebook_path))
    from ..model import plain_text

    return (plain_text(a), a.figures, a.state) != (plain_text(b), b.figures, b.state)


def show_figure(name: str, value) -> str:
    if value is None:
        return "(không có)"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if name.startswith("ty_le"):
        return fm.fmt_percent(number)
    if number == number.to_integral_value():
        text = fm.fmt_int(abs(int(number)))
        return f"-{text}" if number < 0 else text
    return fm.fmt_dec(number, max(1, -number.as_tuple().exponent), drop_zero=False)  # 1.47 stays 1,47


def _rows(data: bytes) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    return (rows[0], rows[1:]) if rows else ([], [])


def _keyed(table: str, header: list[str], rows: list[list[str]]) -> dict[str, list[str]]:
    """Rows by their description ("năm học 2024-2025, kế hoạch, khối 1"), else by position."""
    from ..audit.base import describe

    def label(row: list[str], n: int) -> str:
        try:
            text = describe(table, {k: v for k, v in zip(header, row) if v != ""}) if table in TABLES else ""
        except (KeyError, ValueError, TypeError):
            text = ""
        return text or f"dòng {n}"

    out = {label(r, i + 1): r for i, r in enumerate(rows)}
    return out if len(out) == len(rows) else {f"dòng {i + 1}": r for i, r in enumerate(rows)}


def _column_label(table: str, column: str) -> str:
    spec = TABLES.get(table)
    col = spec.column(column) if spec else None
    return col.label if col and col.label else column


def _table_label(name: str) -> str:
    table = name.rsplit(".", 1)[0]
    return f"{TABLES[table].label} ({name})" if table in TABLES else name


def input_changes(old: dict[str, bytes], new: dict[str, bytes]) -> list[tuple[str, str, str, str, str]]:
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if not name.endswith(".csv") or a is None or b is None:
            what = "thêm" if a is None else "bỏ" if b is None else "đã thay đổi"
            out.append((_table_label(name), "", "", "", f"tệp {what}"))
            continue
        table = name[:-4]
        (ha, ra), (hb, rb) = _rows(a), _rows(b)
        ka, kb = _keyed(table, ha, ra), _keyed(table, hb, rb)
        for row in [k for k in ka if k not in kb]:
            out.append((_table_label(name), row, "", "", "dòng bị bỏ"))
        for row in [k for k in kb if k not in ka]:
            out.append((_table_label(name), row, "", "", "dòng mới"))
        for row in [k for k in ka if k in kb]:
            va, vb = dict(zip(ha, ka[row])), dict(zip(hb, kb[row]))
            for col in [c for c in hb if va.get(c) != vb.get(c)]:
                out.append((_table_label(name), row, _column_label(table, col),
                            va.get(col, ""), vb.get(col, "")))
    return out


def compare(a: Side, b: Side) -> Changes:
    ch = Changes()
    for name in sorted(set(a.figures) | set(b.figures)):
        if a.figures.get(name) != b.figures.get(name):
            ch.figures.append((FIGURE_LABELS.get(name, name.replace("_", " ").capitalize()),
                               show_figure(name, a.figures.get(name)), show_figure(name, b.figures.get(name))))
    matcher = difflib.SequenceMatcher(None, a.lines, b.lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            ch.text.append((i1 + 1, a.lines[i1:i2], b.lines[j1:j2]))
    for key in sorted(set(a.commentary) | set(b.commentary)):
        if a.commentary.get(key) != b.commentary.get(key):
            ch.commentary.append((key, a.commentary.get(key) or "", b.commentary.get(key) or ""))
    ch.inputs = input_changes(a.inputs, b.inputs)
    return ch


def as_text(a: Side, b: Side, ch: Changes) -> str:
    out = [f"So sánh: {a.label} → {b.label}"] + [f"Lưu ý: {n}" for n in a.notes + b.notes]
    if ch.empty():
        return "\n".join(out + ["Không có khác biệt."])
    if ch.figures:
        out += ["", "Số liệu:"] + [f"  - {lab}: {old} → {new}" for lab, old, new in ch.figures]
    if ch.text:
        out += ["", "Nội dung (theo đoạn):"]
        for line, old, new in ch.text:
            out += [f"  đoạn {line}:"] + [f"    - {t}" for t in old] + [f"    + {t}" for t in new]
    if ch.commentary:
        out += ["", "Nhận xét của nhà trường:"]
        for key, old, new in ch.commentary:
            what = "mục mới" if not old else "mục bị bỏ" if not new else "đã sửa"
            out.append(f"  - mục {key}: {what}")
    if ch.inputs:
        out += ["", "Dữ liệu đầu vào:"]
        for table, row, col, old, new in ch.inputs:
            where = ", ".join(x for x in (table, f"dòng [{row}]" if row else "", f"cột {col}" if col else "") if x)
            out.append(f"  - {where}: {old} → {new}" if col else f"  - {where}: {new}")
    return "\n".join(out)


def as_html(a: Side, b: Side, ch: Changes, title: str) -> str:
    e = html.escape
    parts = [f"<h1>{e(title)}</h1>", f"<p>{e(a.label)} → {e(b.label)}</p>"]
    parts += [f"<p class=note>Lưu ý: {e(n)}</p>" for n in a.notes + b.notes]
    if ch.empty():
        parts.append("<p>Không có khác biệt.</p>")
    if ch.figures:
        parts.append("<h2>Số liệu</h2><table><tr><th>Chỉ số</th><th>Trước</th><th>Sau</th></tr>"
                     + "".join(f"<tr><td>{e(lab)}</td><td>{e(o)}</td><td>{e(n)}</td></tr>"
                               for lab, o, n in ch.figures) + "</table>")
    if ch.text:
        parts.append("<h2>Nội dung (theo đoạn)</h2>")
        for line, old, new in ch.text:
            parts.append(f"<div class=hunk><p class=at>đoạn {line}</p>"
                         + "".join(f"<p class=del>{e(t)}</p>" for t in old)
                         + "".join(f"<p class=ins>{e(t)}</p>" for t in new) + "</div>")
    if ch.commentary:
        parts.append("<h2>Nhận xét của nhà trường</h2>")
        for key, old, new in ch.commentary:
            parts.append(f"<h3>mục {e(key)}</h3><pre class=del>{e(old)}</pre><pre class=ins>{e(new)}</pre>")
    if ch.inputs:
        parts.append("<h2>Dữ liệu đầu vào</h2><table><tr><th>Bảng</th><th>Dòng</th><th>Cột</th>"
                     "<th>Trước</th><th>Sau</th></tr>" + "".join(
                         "<tr>" + "".join(f"<td>{e(x)}</td>" for x in row) + "</tr>" for row in ch.inputs)
                     + "</table>")
    from ..render.html import CSP

    style = ("body{font-family:'Times New Roman',serif;max-width:60em;margin:2em auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
             ".del{background:#fdd}.ins{background:#dfd}.at{color:#666}.note{color:#a60}"
             "pre{white-space:pre-wrap}")
    return (f'<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f"<title>{e(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")
