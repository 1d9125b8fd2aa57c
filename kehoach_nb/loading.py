"""Read a dataset folder (dataset.yaml + CSV files or XLSX sheets) into typed tables.

This is the only module that reads input data. Every cell is read as text and
parsed explicitly (cells.py); every problem becomes a Vietnamese `Problem`.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import DataError, Problem
from .limits import DEFAULT, Limits
from .parsing import read_raw_tables, spreadsheet_index
from .schema import DOC_KINDS, TABLES
from .workbook.read import SchoolWorkbooks

MAX_YAML_BYTES = 64_000
MAX_YAML_DEPTH = 20
ALL = "*"


NEVER = ("null", "~", "", "không")  # in_force_from: a regulation never applied


class DatasetConfig(BaseModel):
    """dataset.yaml: the issuing authority, default year and documents to produce."""

    model_config = ConfigDict(extra="forbid")
    name: str
    authority: str = ""
    authority_parent: str = ""  # the office's governing body (roll-up header), e.g. "UBND xã Hòa Bình"
    authority_place: str = ""  # the place in the roll-up's date line
    school_year: int = Field(ge=1990, le=2100)
    documents: list[str] = ["ke_hoach_phat_trien_giao_duc"]
    percent_decimals: int = Field(1, ge=0, le=4)
    stale_threshold: Decimal = Field(Decimal("0.05"), ge=0, le=10)  # relative change that flags commentary
    zero_pad_counts: bool = True
    placeholders: bool = False  # marked drafts for sections without text
    ty_le_spelling: Literal["tỉ lệ", "tỷ lệ"] = "tỉ lệ"  # one spelling per document
    csv_encoding: Literal["utf-8", "cp1258"] = "utf-8"  # CSV files only; XLSX needs none
    limits: Limits = Limits()
    # Regulations in force by date (catalogues/criteria.yaml, regulations.yaml): move a rule's
    # start, either way, e.g. {tt57_2026: 2026-09-05} or {tt57_2026: null} (never applied).
    in_force_from: dict[str, dt.date | None] = {}

    @field_validator("in_force_from", mode="before")
    @classmethod
    def _never(cls, value):
        """dataset.yaml is read as text: null, ~, "" or "không" mean "never applied"."""
        if isinstance(value, dict):
            return {k: None if isinstance(v, str) and v.strip().lower() in NEVER else v
                    for k, v in value.items()}
        return value

    @field_validator("in_force_from")
    @classmethod
    def _known_rules(cls, value: dict) -> dict:
        from .catalogues import regulation_codes

        unknown = sorted(set(value) - regulation_codes())
        if unknown:
            raise ValueError(f"văn bản không có trong danh mục: {', '.join(unknown)} "
                             f"(có: {', '.join(sorted(regulation_codes()))})")
        return value


@dataclass
class Dataset:
    """Typed tables of a whole dataset plus every problem found."""

    root: Path
    config: DatasetConfig | None
    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    row_index: dict | None = field(default=None, repr=False, compare=False)  # spreadsheet_index
    sources: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # table -> file

    def school_ids(self) -> list[str]:
        df = self.tables.get("school")
        return sorted(df["school_id"]) if df is not None and len(df) else []

    def problems_for(self, school_id: str) -> list[Problem]:
        return [p for p in self.problems if p.school_id in (school_id, ALL)]

    def _positions(self, name: str) -> tuple[dict[str, list[int]], list[int], list[tuple]]:
        """Row positions of a table by school, those of the "*" rows and, when there are
        "*" rows, every row's key values as text (computed once per table)."""
        cache = self.__dict__.setdefault("_position_cache", {})
        if name not in cache:
            df = self.tables.get(name)
            by_school: dict[str, list[int]] = {}
            for i, sid in enumerate(df["school_id"].tolist() if df is not None and len(df) else []):
                by_school.setdefault(sid, []).append(i)
            shared = by_school.pop(ALL, [])
            keys = [k for k in TABLES[name].keys if k != "school_id" and k in df.columns] if shared else []
            cache[name] = (by_school, shared, list(map(tuple, df[keys].astype(str).values)) if keys else [])
        return cache[name]

    def school_rows(self, name: str, school_id: str) -> list[int]:
        """Positions in table `name` of one school's rows: its own rows, then the rows with
        school_id "*" whose key values it does not override."""
        by_school, shared, key_text = self._positions(name)
        own = by_school.get(school_id, [])
        if key_text and own:
            seen = {key_text[i] for i in own}
            shared = [i for i in shared if key_text[i] not in seen]
        return own + shared

    def row_values(self, name: str, school_id: str) -> list[list]:
        """One school's rows of a table as plain values, in input order."""
        cache = self.__dict__.setdefault("_value_cache", {})
        if name not in cache:
            cache[name] = self.tables[name].to_numpy(dtype=object).tolist()
        rows = cache[name]
        return [rows[i] for i in self.school_rows(name, school_id)]

    def row_texts(self, name: str, school_id: str) -> list[list[str]]:
        """One school's rows as the text a snapshot holds: a value's text never depends on
        other schools' rows (31 stays "31" even when a blank elsewhere makes the column float)."""
        cache = self.__dict__.setdefault("_text_cache", {})
        if name not in cache:
            values = self.tables[name].to_numpy(dtype=object).tolist()
            cache[name] = [[_cell_text(v) for v in row] for row in values]
        rows = cache[name]
        return [rows[i] for i in self.school_rows(name, school_id)]

    def school_tables(self, school_id: str) -> dict[str, pd.DataFrame]:
        """Rows of one school; rows with school_id "*" apply unless the school overrides."""
        return {name: df.iloc[self.school_rows(name, school_id)].reset_index(drop=True)
                for name, df in self.tables.items()}


class _UniqueKeyLoader(yaml.BaseLoader):
    """BaseLoader (every scalar a string) that refuses a key given twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        seen: dict[str, int] = {}
        for key, _ in node.value:
            name = getattr(key, "value", None)
            if isinstance(name, str) and name in seen:
                raise _DuplicateKey(f"khóa \"{name}\" xuất hiện hai lần (dòng {seen[name]} và dòng "
                                    f"{key.start_mark.line + 1}); chỉ giữ một")
            seen[name] = key.start_mark.line + 1
        return super().construct_mapping(node, deep)


class _DuplicateKey(ValueError):
    pass


def _depth(tokens: list) -> int:
    """Deepest nesting of mappings and sequences in a YAML token stream."""
    opening = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
               yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
    closing = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    depth = deepest = 0
    for t in tokens:
        depth += isinstance(t, opening) - isinstance(t, closing)
        deepest = max(deepest, depth)
    return deepest


def _config_text(path: Path, where: str) -> tuple[str | None, list[Problem]]:
    if not path.is_file():
        return None, [Problem(where, "không tìm thấy tệp dataset.yaml", school_id=ALL)]
    if path.stat().st_size > MAX_YAML_BYTES:
        return None, [Problem(where, "tệp quá lớn (tối đa 64 KB)", school_id=ALL)]
    try:
        return path.read_bytes().decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        return None, [Problem(where, f"tệp không phải UTF-8 (byte {exc.start + 1}); hãy lưu lại "
                                     "bằng trình soạn thảo với mã hóa UTF-8", school_id=ALL)]


def _load_config(root: Path, shown: Path) -> tuple[DatasetConfig | None, list[Problem]]:
    where = str(shown / "dataset.yaml")
    text, problems = _config_text(root / "dataset.yaml", where)
    if text is None:
        return None, problems
    try:
        tokens = list(yaml.scan(text))
        if any(isinstance(t, (yaml.AnchorToken, yaml.AliasToken)) for t in tokens):
            return None, [Problem(where, "không được dùng neo/bí danh YAML (& và *)", school_id=ALL)]
        if _depth(tokens) > MAX_YAML_DEPTH:
            return None, [Problem(where, f"cấu trúc lồng nhau quá sâu (tối đa {MAX_YAML_DEPTH} mức)",
                                  school_id=ALL)]
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # every scalar stays a string
        return DatasetConfig.model_validate(raw), _check_documents(raw, where)
    except _DuplicateKey as exc:
        return None, [Problem(where, str(exc), school_id=ALL)]
    except yaml.YAMLError as exc:
        return None, [Problem(where, f"YAML không hợp lệ: {exc}", school_id=ALL)]
    except RecursionError:
        return None, [Problem(where, "cấu trúc lồng nhau quá sâu", school_id=ALL)]
    except ValidationError as exc:
        return None, [Problem(where, _pydantic_vi(e), school_id=ALL) for e in exc.errors()]


def _check_documents(raw: dict, where: str) -> list[Problem]:
    docs = raw.get("documents", []) if isinstance(raw, dict) else []
    return [Problem(where, f"loại văn bản \"{d}\" không được hỗ trợ; dùng: {', '.join(DOC_KINDS)}",
                    school_id=ALL) for d in docs if d not in DOC_KINDS]


def _pydantic_vi(err: dict) -> str:
    loc = ".".join(str(x) for x in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"khóa \"{loc}\" không có trong mẫu (viết sai tên?)"
    if err["type"] == "missing":
        return f"thiếu khóa bắt buộc \"{loc}\""
    bound = {"greater_than_equal": "nhỏ nhất là {ge}", "less_than_equal": "lớn nhất là {le}",
             "greater_than": "phải lớn hơn {gt}", "less_than": "phải nhỏ hơn {lt}"}.get(err["type"])
    hint = f" — {bound.format(**err.get('ctx', {}))}" if bound else ""
    if err["type"] in ("int_parsing", "int_from_float", "decimal_parsing", "bool_parsing"):
        hint = " — " + {"int_parsing": "phải là số nguyên", "int_from_float": "phải là số nguyên",
                        "decimal_parsing": "phải là số", "bool_parsing": "phải là true hoặc false"}[err["type"]]
    return f"khóa \"{loc}\" có giá trị không hợp lệ: \"{err.get('input')}\"{hint}"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that stay alive (the
    cells and rows of a dataset): each of its passes walks all of them again, about 40 % of
    the time of loading 1,000 schools. Reference counting still frees memory meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@paused_gc()
def load_dataset(root: str | Path) -> Dataset:
    """Load and validate a dataset folder; never raises for bad data (see .problems)."""
    shown = Path(root)
    path = Path(root).resolve()
    config, problems = _load_config(path, shown)
    limits = config.limits if config else DEFAULT
    raws, more = read_raw_tables(path, shown, limits, config.csv_encoding if config else "utf-8")
    books = SchoolWorkbooks.read(path, shown)  # per-school workbooks truong/<id>.xlsx
    problems += more + books.problems
    tables = {}
    school_ids = None
    for name in ["school"] + [n for n in TABLES if n != "school"]:
        table = TABLES[name]
        if name not in raws and not books.has(name):
            if table.required:
                problems.append(Problem(str(shown / f"{name}.csv"),
                                        f"thiếu bảng {name} ({table.label})", school_id=ALL))
            tables[name] = pd.DataFrame(columns=[c.name for c in table.columns])
            continue
        if name in raws and not raws[name].readable:  # its problem is already reported
            tables[name] = pd.DataFrame(columns=[c.name for c in table.columns])
            continue
        df, found = books.parse(table, raws.get(name), school_ids)
        problems += found
        tables[name] = df
        if name == "school":
            school_ids = set(df["school_id"])
    problems += store_problems(path, shown, school_ids or set(), limits)
    return Dataset(shown, config, tables, problems, spreadsheet_index(raws),
                   {name: raw.source for name, raw in raws.items()})


def require_school(ds: Dataset, school_id: str) -> dict[str, pd.DataFrame]:
    """The school's tables, or DataError listing every problem that blocks it."""
    blocking = ds.problems_for(school_id)
    if school_id not in ds.school_ids():
        blocking.append(Problem(str(ds.root / "school.csv"), f"không có trường mã \"{school_id}\""))
    if blocking:
        raise DataError(blocking)
    return ds.school_tables(school_id)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (Decimal, float)):
        return f"{Decimal(str(value)):f}".replace(".", ",")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def school_snapshot(ds: Dataset, school_id: str) -> dict[str, bytes]:
    """One school's validated rows as a small dataset folder (file name -> bytes).

    A worker runs the notebook on this snapshot only: it needs no shared disk and
    cannot see another school's data.
    """
    settings = ds.config.model_dump(mode="json") | {"csv_encoding": "utf-8"}  # snapshot is UTF-8
    files = {"dataset.yaml": yaml.safe_dump(settings, allow_unicode=True, sort_keys=True).encode("utf-8")}
    for name in sorted(ds.tables):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(ds.tables[name].columns)
        writer.writerows(ds.row_texts(name, school_id))  # input order: targets, sections, …
        files[f"{name}.csv"] = buf.getvalue().encode("utf-8")
    for name, data in read_commentary(ds.root, school_id).items():
        files[f"nhan_xet/{school_id}/{name}"] = data
    return files


def school_digest(ds: Dataset, school_id: str, doc_kind: str | None = None) -> str:
    """Hash of everything one school's report is made from: the dataset settings, the
    school's validated rows (own and shared, in input order) and its commentary files:
    only those of `doc_kind` when given (a commentary edit re-renders that document only).
    Cheap (no snapshot is built), so an unchanged school costs almost nothing to skip."""
    h = hashlib.sha256(ds.config.model_dump_json().encode())
    for name in sorted(ds.tables):
        h.update(f"\0{name}\0{list(ds.tables[name].columns)!r}\0".encode())
        h.update(repr(ds.row_texts(name, school_id)).encode())
    for name, data in read_commentary(ds.root, school_id).items():
        if doc_kind is None or name.startswith(f"{doc_kind}/"):
            h.update(b"\0" + name.encode() + b"\0" + data)
    return h.hexdigest()


def school_documents(ds: Dataset, school_id: str) -> dict[str, set[int]]:
    """Document kinds the school has metadata rows for, with their school years."""
    meta = ds.tables["document_meta"]
    cols = [meta.columns.get_loc(c) for c in ("doc_kind", "school_year")]
    found: dict[str, set[int]] = {}
    for row in ds.row_values("document_meta", school_id):
        found.setdefault(row[cols[0]], set()).add(row[cols[1]])
    return found


def document_year(ds: Dataset, school_id: str, doc_kind: str) -> int:
    """The dataset's year, unless the school's only document of this kind is for another year."""
    years = set(school_documents(ds, school_id).get(doc_kind, ()))
    default = ds.config.school_year
    return default if default in years or len(years) != 1 else years.pop()


def read_commentary(root: Path, school_id: str) -> dict[str, bytes]:
    """The school's commentary store files (commentary.STORE), keyed "<doc>/<section>.md".
    A symlink, an unsafe name or a file that load_dataset reported (store_problems) is left
    out: the school is invalid anyway, and nothing outside the store is ever read."""
    from .commentary import store_files

    return {name: data for name, (data, problem) in store_files(root, school_id).items() if not problem}


def store_problems(root: Path, shown: Path, school_ids: set[str], limits: Limits = DEFAULT) -> list[Problem]:
    """Every problem of the commentary store: symlinks, oversized or non-UTF-8 entries."""
    from .commentary import STORE, store_files

    out = []
    for sid in sorted(school_ids):
        for name, (_, problem) in store_files(root, sid, limits.max_commentary_bytes).items():
            if problem:
                out.append(Problem(str(shown / STORE / sid / name), problem, school_id=sid))
    return out
