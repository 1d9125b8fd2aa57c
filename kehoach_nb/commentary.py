"""The commentary store: one Markdown file per school × document × section.

`params/<dataset>/nhan_xet/<school_id>/<doc_kind>/<section_key>.md`, with a small
YAML front matter (when and by whom it was last edited, and the indicator values
the text was written against). The store is the single source of truth for
analyst text; a section absent from the store falls back to narrative_section.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .paths import SECTION_PATTERN, UnsafePath, check_name, inside, no_symlink

STORE = "nhan_xet"
SECTION_KEY = re.compile(SECTION_PATTERN)
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
FRONT = re.compile(r"^---\n(.*?)\n---\n?", re.S)


@dataclass
class Entry:
    """One stored commentary: text plus front matter; `digest` identifies the file version."""

    text: str
    meta: dict = field(default_factory=dict)
    digest: str = ""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def parse_entry(data: bytes) -> Entry:
    raw = data.decode("utf-8-sig").replace("\r\n", "\n")
    m = FRONT.match(raw)
    meta = (yaml.load(m.group(1), Loader=yaml.BaseLoader) or {}) if m else {}
    text = raw[m.end():] if m else raw
    return Entry(text.strip("\n"), meta if isinstance(meta, dict) else {}, digest(data))


def render_entry(text: str, meta: dict) -> bytes:
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip()
    return f"---\n{front}\n---\n{text.strip()}\n".encode("utf-8")


def entry_path(root: Path, school_id: str, doc_kind: str, section: str) -> Path:
    """The store file of one entry; paths.UnsafePath for a bad name, a path leaving the
    dataset or a symlink on the way."""
    parts = (STORE, check_name("school_id", school_id), check_name("doc_kind", doc_kind),
             check_name("section", section) + ".md")
    path = inside(root, *parts)
    no_symlink(Path(root), path)
    return path


def store_files(root: Path, school_id: str, max_bytes: int | None = None) -> dict[str, tuple[bytes, str | None]]:
    """The school's store files, "<doc>/<section>.md" -> (bytes, None), or (b"", the Vietnamese
    reason it cannot be used): a symlink (never followed), an entry over `max_bytes`, not UTF-8."""
    base = Path(root) / STORE / school_id
    try:
        no_symlink(Path(root), base)
    except UnsafePath as exc:
        return {".": (b"", str(exc))}
    if not base.is_dir():
        return {}
    out = {}
    for path in sorted(base.glob("*/*.md")):
        if SECTION_KEY.match(path.stem):
            out[path.relative_to(base).as_posix()] = _store_file(Path(root), path, max_bytes)
    return out


def _store_file(root: Path, path: Path, max_bytes: int | None) -> tuple[bytes, str | None]:
    try:
        no_symlink(root, path)
    except UnsafePath as exc:
        return b"", str(exc)
    if max_bytes is not None and path.stat().st_size > max_bytes:
        return b"", (f"mục nhận xét quá lớn ({path.stat().st_size} byte; tối đa {max_bytes} byte, "
                     "đổi bằng limits: max_commentary_kb trong dataset.yaml)")
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return b"", (f"tệp không phải UTF-8 (byte {exc.start + 1} không đọc được); hãy lưu lại "
                     "bằng trình soạn thảo với mã hóa UTF-8")
    return data, None


def entries_for(files: dict[str, bytes], doc_kind: str) -> dict[str, Entry]:
    """Section key -> Entry for one document, from loading.read_commentary's files."""
    return {Path(name).stem: parse_entry(data) for name, data in files.items()
            if Path(name).parent.name == doc_kind}


def fill_placeholders(text: str, values: dict[str, str], section: str) -> str:
    """Replace {{ ten_chi_so }} with formatted values; an unknown name is an error."""
    unknown = sorted({m.group(1) for m in PLACEHOLDER.finditer(text)} - set(values))
    if unknown:
        from .errors import DataError, Problem

        names = ", ".join(unknown)
        raise DataError([Problem(f"{STORE}/…/{section}.md",
                                 f"mục \"{section}\": không có chỉ số {names}; dùng một trong: "
                                 + ", ".join(sorted(values)))])
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def shown(name: str, value: Decimal) -> str:
    """An indicator value as the report prints it: "1.095", "79,2%"."""
    from .formatting import fmt_dec, fmt_int, fmt_percent

    if name.startswith("ty_le"):
        return fmt_percent(value)
    return fmt_int(int(value)) if value == value.to_integral_value() else fmt_dec(value)


def quotes(text: str, number: str, percent: bool = False) -> bool:
    """Does the text contain this number on its own: not inside a longer number, a date or a
    document number ("21/11/2023", "43/2019/QH14"), and followed by "%" when it is a rate?"""
    tail = r"\s?%" if percent else r"(?!\d|[.,]\d|/|\s?%)"
    return re.search(rf"(?<![\d.,/]){re.escape(number)}{tail}", text) is not None


def _quoted_forms(name: str, value: Decimal) -> list[str]:
    """How a text may write an indicator's value: "1.095" or "1095"; "79,2" for "79,2%"."""
    printed = shown(name, abs(value)).rstrip("%")
    return list(dict.fromkeys([printed, printed.replace(".", "")]))


def changed_values(written: dict, current: dict, threshold: Decimal, text: str = "") -> list[str]:
    """Why a text needs review: an indicator it was written against moved by more than
    `threshold` (relative), or changed at all while the text still quotes the old value.
    A number that is also another indicator's current value is left to the threshold rule."""
    now_shown = {}
    for name, value in current.items():
        try:
            now_shown[name] = shown(name, Decimal(str(value)))
        except InvalidOperation:
            continue
    out = []
    for name, old in (written or {}).items():
        try:
            a, b = Decimal(str(old)), Decimal(str(current[name]))
        except (KeyError, InvalidOperation):
            continue
        if a == b:
            continue
        was, now = shown(name, a), shown(name, b)
        rate = name.startswith("ty_le")
        ambiguous = any(v == was for k, v in now_shown.items() if k != name)
        if text and (abs(a) >= 10 or rate) and not ambiguous and any(
                quotes(text, form, rate) for form in _quoted_forms(name, a)):
            out.append(f"văn bản ghi {was} ({name}) nhưng số liệu hiện là {now}")
        elif abs(b - a) / (abs(a) if a else Decimal(1)) > threshold:
            out.append(f"{name}: {was} → {now}")
    return out


DRAFT_MARK = "*[Dự thảo tự động — nhà trường cần bổ sung, chỉnh sửa]*"


@dataclass
class Section:
    """What a commentary cell needs: the Markdown as stored, where it came from, its state."""

    key: str
    markdown: str
    store_digest: str = ""  # digest of the store file it was rendered from ("" = none)
    draft: bool = False
    stale: list[str] = field(default_factory=list)


def choose(key: str, entries: dict[str, Entry], csv_text: str | None, draft: str | None,
           current: dict, threshold: Decimal) -> Section:
    """Store entry first, then narrative_section text, then a marked draft (or nothing)."""
    if key in entries:
        e = entries[key]
        return Section(key, e.text, e.digest, stale=changed_values(e.meta.get("chi_so"), current,
                                                                  threshold, e.text))
    if csv_text:
        return Section(key, csv_text)
    if draft:
        return Section(key, f"{DRAFT_MARK}\n\n{draft}", draft=True)
    return Section(key, "")
