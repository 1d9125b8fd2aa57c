"""Read a dataset folder (dataset.yaml + CSV files or XLSX sheets) into typed tables.

This is the only module that reads input data. Every cell is read as text and
parsed explicitly (cells.py); every problem becomes a Vietnamese `Problem`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .cells import CellError, clean_text, parse_cell
from .errors import DataError, Problem
from .schema import DOC_KINDS, SCHOOL_ID_PATTERN, TABLES, Table

MAX_YAML_BYTES = 64_000
ALL = "*"


class DatasetConfig(BaseModel):
    """dataset.yaml: the issuing authority, default year and documents to produce."""

    model_config = ConfigDict(extra="forbid")
    name: str
    authority: str = ""
    school_year: int
    documents: list[str] = ["ke_hoach_phat_trien_giao_duc"]
    percent_decimals: int = 1
    stale_threshold: Decimal = Decimal("0.05")  # relative change that flags commentary for review
    audit_appendix: bool = True  # add "Phụ lục: Kết quả kiểm tra số liệu" to every report
    zero_pad_counts: bool = True


@dataclass
class RawTable:
    """Text cells of one table with where they came from."""

    source: str  # "params/demo/x.csv" or "params/demo/a.xlsx, trang tính x"
    header: list[str]
    rows: list[list[str]]
    digest: str


@dataclass
class Dataset:
    """Typed tables of a whole dataset plus every problem found."""

    root: Path
    config: DatasetConfig | None
    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    row_digests: dict[str, str] = field(default_factory=dict)

    def school_ids(self) -> list[str]:
        df = self.tables.get("school")
        return sorted(df["school_id"]) if df is not None and len(df) else []

    def problems_for(self, school_id: str) -> list[Problem]:
        return [p for p in self.problems if p.school_id in (school_id, ALL)]

    def _by_school(self) -> dict[str, dict[str, pd.DataFrame]]:
        """Each table split by school_id once (a batch asks for every school)."""
        if getattr(self, "_groups", None) is None:
            self._groups = {name: dict(tuple(df.groupby("school_id", sort=False))) if len(df) else {}
                            for name, df in self.tables.items()}
        return self._groups

    def _shared(self, name: str) -> tuple[pd.DataFrame, list[str], list[tuple]]:
        """Rows with school_id "*", their key columns and key values (computed once)."""
        cache = self.__dict__.setdefault("_shared_cache", {})
        if name not in cache:
            df = self.tables[name]
            shared = self._by_school()[name].get(ALL, df.iloc[0:0])
            keys = [k for k in TABLES[name].keys if k != "school_id" and k in df.columns]
            cache[name] = (shared, keys, list(map(tuple, shared[keys].astype(str).values)) if keys else [])
        return cache[name]

    def school_tables(self, school_id: str) -> dict[str, pd.DataFrame]:
        """Rows of one school; rows with school_id "*" apply unless the school overrides."""
        out = {}
        groups = self._by_school()
        for name, df in self.tables.items():
            own = groups[name].get(school_id, df.iloc[0:0])
            shared, keys, shared_keys = self._shared(name) if ALL in groups[name] else (None, [], [])
            if shared is None:
                out[name] = own.reset_index(drop=True)
                continue
            if keys and len(own):
                seen = set(map(tuple, own[keys].astype(str).values))
                shared = shared[[k not in seen for k in shared_keys]]
            out[name] = pd.concat([own, shared], ignore_index=True) if len(own) else shared.reset_index(drop=True)
        return out


def _read_csv(path: Path, shown: str) -> RawTable:
    data = path.read_bytes()
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [clean_text(h) for h in rows[0]] if rows else []
    return RawTable(shown, header, rows[1:], hashlib.sha256(data).hexdigest())


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        d = Decimal(repr(value))
        return str(int(d)) if d == d.to_integral_value() else f"{d:f}".replace(".", ",")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _read_xlsx(path: Path, shown: str) -> dict[str, RawTable]:
    from openpyxl import load_workbook

    data = path.read_bytes()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = [[_xlsx_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
        while rows and not any(c.strip() for c in rows[-1]):
            rows.pop()
        header = [clean_text(h) for h in rows[0]] if rows else []
        body = rows[1:]
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        out[ws.title] = RawTable(f"{shown}, trang tính {ws.title}", header, body, digest)
    wb.close()
    return out


def _load_config(root: Path, shown: Path) -> tuple[DatasetConfig | None, list[Problem]]:
    path = root / "dataset.yaml"
    where = str(shown / "dataset.yaml")
    if not path.is_file():
        return None, [Problem(where, "không tìm thấy tệp dataset.yaml", school_id=ALL)]
    text = path.read_text(encoding="utf-8-sig")
    if len(text.encode()) > MAX_YAML_BYTES:
        return None, [Problem(where, "tệp quá lớn (tối đa 64 KB)", school_id=ALL)]
    try:
        tokens = list(yaml.scan(text))
        if any(isinstance(t, (yaml.AnchorToken, yaml.AliasToken)) for t in tokens):
            return None, [Problem(where, "không được dùng neo/bí danh YAML (& và *)", school_id=ALL)]
        raw = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar stays a string
        return DatasetConfig.model_validate(raw), _check_documents(raw, where)
    except yaml.YAMLError as exc:
        return None, [Problem(where, f"YAML không hợp lệ: {exc}", school_id=ALL)]
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
    return f"khóa \"{loc}\" có giá trị không hợp lệ: {err.get('input')!r}"


def read_raw_tables(root: Path, shown: Path) -> tuple[dict[str, RawTable], list[Problem]]:
    """Find each table as <name>.csv or as a sheet of an XLSX workbook."""
    found: dict[str, RawTable] = {}
    problems = []
    for path in sorted(root.glob("*.xlsx")):
        for name, raw in _read_xlsx(path, str(shown / path.name)).items():
            found[name] = raw
    for path in sorted(root.glob("*.csv")):
        name = path.stem
        if name in found:
            problems.append(Problem(str(shown / path.name),
                                    f"bảng {name} có cả tệp CSV và trang tính XLSX; chỉ giữ một",
                                    school_id=ALL))
        found[name] = _read_csv(path, str(shown / path.name))
    for name, raw in found.items():
        if name not in TABLES:
            problems.append(Problem(raw.source, f"bảng \"{name}\" không có trong mẫu dữ liệu",
                                    school_id=ALL))
    return found, problems


def parse_table(table: Table, raw: RawTable, known: set[str] | None) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed DataFrame of one table; rows with problems are dropped and reported."""
    problems = []
    unknown = [h for h in raw.header if h and table.column(h) is None]
    for h in unknown:
        problems.append(Problem(raw.source, f"cột \"{h}\" không có trong mẫu bảng {table.name} (viết sai tên?)",
                                row=1, column=h, school_id=ALL))
    missing = [c.name for c in table.columns if c.required and c.name not in raw.header]
    for name in missing:
        problems.append(Problem(raw.source, "thiếu cột bắt buộc", row=1, column=name, school_id=ALL))
    if missing:
        return pd.DataFrame(columns=[c.name for c in table.columns]), problems
    records, row_numbers = [], []
    for i, cells in enumerate(raw.rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        record, row_problems = _parse_row(table, raw, cells, i, known)
        problems += row_problems
        if not row_problems:
            records.append(record)
            row_numbers.append(i)
    df = pd.DataFrame.from_records(records, columns=[c.name for c in table.columns])
    df = df.astype(object).where(df.notna(), None)
    return df, problems + _duplicates(table, raw, df, row_numbers)


def _parse_row(table, raw, cells, row_no, known):
    record, problems = {}, []
    values = dict(zip(raw.header, cells + [""] * (len(raw.header) - len(cells))))
    sid = clean_text(values.get("school_id", ""))
    sid_ok = bool(re.fullmatch(SCHOOL_ID_PATTERN, sid)) or (sid == ALL and table.allow_all_schools)
    owner = sid if sid_ok else None
    if not sid_ok:
        problems.append(Problem(raw.source, f"mã trường \"{sid}\" không hợp lệ — chỉ dùng chữ, số, "
                                "\"-\" và \"_\" (tối đa 64 ký tự)", row_no, "school_id"))
    elif known is not None and sid != ALL and sid not in known:
        problems.append(Problem(raw.source, f"mã trường \"{sid}\" không có trong bảng school",
                                row_no, "school_id", school_id=None))
    for col in table.columns:
        try:
            record[col.name] = parse_cell(col, values.get(col.name, ""))
        except CellError as exc:
            shown = clean_text(values.get(col.name, ""))
            problems.append(Problem(raw.source, f"\"{shown}\" không hợp lệ — {exc}", row_no,
                                    col.name, school_id=owner))
    return record, problems


def _duplicates(table: Table, raw: RawTable, df: pd.DataFrame, rows: list[int]) -> list[Problem]:
    keys = [k for k in table.keys if k in df.columns]
    if not keys or df.empty:
        return []
    dup = df.astype(str).duplicated(keys, keep="first")
    first = {}
    out = []
    for i, key in enumerate(map(tuple, df[keys].astype(str).values)):
        if not dup.iloc[i]:
            first.setdefault(key, rows[i])
            continue
        out.append(Problem(raw.source, f"trùng khóa ({', '.join(keys)}) với dòng {first[key]}",
                           rows[i], school_id=df.iloc[i]["school_id"]))
    return out


def load_dataset(root: str | Path) -> Dataset:
    """Load and validate a dataset folder; never raises for bad data (see .problems)."""
    shown = Path(root)
    path = Path(root).resolve()
    config, problems = _load_config(path, shown)
    raws, more = read_raw_tables(path, shown)
    problems += more
    tables, digests = {}, {}
    school_ids = None
    for name in ["school"] + [n for n in TABLES if n != "school"]:
        table = TABLES[name]
        if name not in raws:
            if table.required:
                problems.append(Problem(str(shown / f"{name}.csv"),
                                        f"thiếu bảng {name} ({table.label})", school_id=ALL))
            tables[name] = pd.DataFrame(columns=[c.name for c in table.columns])
            continue
        df, found = parse_table(table, raws[name], school_ids)
        problems += found
        tables[name] = df
        digests[name] = raws[name].digest
        if name == "school":
            school_ids = set(df["school_id"])
    return Dataset(shown, config, tables, problems, digests)


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
    files = {"dataset.yaml": yaml.safe_dump(ds.config.model_dump(mode="json"), allow_unicode=True,
                                            sort_keys=True).encode("utf-8")}
    for name, df in sorted(ds.school_tables(school_id).items()):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(df.columns)
        rows = [[_cell_text(v) for v in row] for row in df.to_numpy(dtype=object).tolist()]
        writer.writerows(rows)  # input order kept: it is the order of targets, sections, …
        files[f"{name}.csv"] = buf.getvalue().encode("utf-8")
    for name, data in read_commentary(ds.root, school_id).items():
        files[f"nhan_xet/{school_id}/{name}"] = data
    return files


def snapshot_digest(files: dict[str, bytes]) -> str:
    """Hash of a school snapshot: equal digests mean equal inputs."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    return h.hexdigest()


def document_year(ds: Dataset, school_id: str, doc_kind: str) -> int:
    """The dataset's year, unless the school's only document of this kind is for another year."""
    meta = ds.tables["document_meta"]
    years = set(meta[(meta["school_id"] == school_id) & (meta["doc_kind"] == doc_kind)]["school_year"])
    default = ds.config.school_year
    return default if default in years or len(years) != 1 else years.pop()


def read_commentary(root: Path, school_id: str) -> dict[str, bytes]:
    """The school's commentary store files (commentary.STORE), keyed "<doc>/<section>.md"."""
    from .commentary import SECTION_KEY, STORE

    base = Path(root) / STORE / school_id
    if not base.is_dir():
        return {}
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.glob("*/*.md"))
            if SECTION_KEY.match(p.stem)}
