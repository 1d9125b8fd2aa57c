"""Read a dataset folder (dataset.yaml + CSV files or XLSX sheets) into typed tables.

This is the only module that reads input data. Every cell is read as text and
parsed explicitly (cells.py); every problem becomes a Vietnamese `Problem`.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .cells import CellError, clean_text, parse_cell
from .errors import DataError, Problem
from .schema import DOC_KINDS, SCHOOL_ID_PATTERN, TABLES, Column, Table

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
    row_index: dict | None = field(default=None, repr=False, compare=False)  # spreadsheet_index

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

    def school_tables(self, school_id: str) -> dict[str, pd.DataFrame]:
        """Rows of one school; rows with school_id "*" apply unless the school overrides."""
        return {name: df.iloc[self.school_rows(name, school_id)].reset_index(drop=True)
                for name, df in self.tables.items()}


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
    """Typed DataFrame of one table; rows with problems are dropped and reported.

    Works column by column (each distinct text of a column is parsed once); only the rows
    with a problem are then looked at one by one."""
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
    numbers = [i for i, cells in enumerate(raw.rows, start=2) if "".join(cells).strip()]  # not empty
    rows = [raw.rows[i - 2] for i in numbers]
    columns, blank = _columns(raw.header, rows), ("",) * len(rows)
    texts = {c.name: columns.get(c.name, blank) for c in table.columns}
    parsed = {c.name: _parse_column(c, texts[c.name]) for c in table.columns}
    sids = columns.get("school_id", blank)
    status = _owners(table, known, set(sids))
    wrong = {text for text, (_, what) in status.items() if what}
    bad = {j for j, text in enumerate(sids) if text in wrong} if wrong else set()
    for name, (_, errors) in parsed.items():
        if errors:
            bad.update(j for j, text in enumerate(texts[name]) if text in errors)
    for j in sorted(bad):  # in row order; in a row: the school id, then columns in order
        problems += _row_problems(table, raw.source, numbers[j], status[sids[j]],
                                  {name: (texts[name][j], parsed[name][1]) for name in texts})
    good = [j for j in range(len(rows)) if j not in bad] if bad else range(len(rows))
    values = [[parsed[c.name][0][j] for j in good] if bad else parsed[c.name][0] for c in table.columns]
    df = pd.DataFrame.from_records(list(zip(*values)), columns=[c.name for c in table.columns])
    df = df.astype(object).where(df.notna(), None)
    return df, problems + _duplicates(table, raw, df, [numbers[j] for j in good])


def _columns(header: list[str], rows: list[list[str]]) -> dict[str, tuple[str, ...]]:
    """The cells of each column, "" where a row is short (as the row padded to the header
    reads them); a name repeated in the header reads its last column."""
    n = len(header)
    full = [cells if len(cells) >= n else cells + [""] * (n - len(cells)) for cells in rows]
    by_position = list(zip(*full)) if full else [()] * n
    return {h: by_position[i] for i, h in enumerate(header)}


def _parse_column(col: Column, cells: Sequence[str]) -> tuple[list, dict[str, str]]:
    """Typed values of a column's cells (None where invalid) and the error of each invalid
    text; each distinct text is parsed once."""
    values, errors = {}, {}
    for text in set(cells):
        try:
            values[text] = parse_cell(col, text)
        except CellError as exc:
            values[text], errors[text] = None, str(exc)
    return list(map(values.__getitem__, cells)), errors


def _owners(table: Table, known: set[str] | None, texts: set[str]) -> dict[str, tuple[str, str | None]]:
    """Each school id text: the id and what is wrong with it ("invalid", "unknown" or None)."""
    out = {}
    for text in texts:
        sid = clean_text(text)
        ok = bool(re.fullmatch(SCHOOL_ID_PATTERN, sid)) or (sid == ALL and table.allow_all_schools)
        unknown = known is not None and sid != ALL and sid not in known
        out[text] = (sid, None if ok and not unknown else "unknown" if ok else "invalid")
    return out


def _row_problems(table: Table, source: str, row_no: int, owner: tuple[str, str | None],
                  cells: dict[str, tuple[str, dict[str, str]]]) -> list[Problem]:
    """Problems of one row: its school id, then each invalid cell (text, errors of its column)."""
    sid, wrong = owner
    problems = []
    if wrong == "invalid":
        problems.append(Problem(source, f"mã trường \"{sid}\" không hợp lệ — chỉ dùng chữ, số, "
                                "\"-\" và \"_\" (tối đa 64 ký tự)", row_no, "school_id"))
    elif wrong == "unknown":
        problems.append(Problem(source, f"mã trường \"{sid}\" không có trong bảng school",
                                row_no, "school_id", school_id=None))
    for col in table.columns:
        text, errors = cells[col.name]
        if text in errors:
            problems.append(Problem(source, f"\"{clean_text(text)}\" không hợp lệ — {errors[text]}", row_no,
                                    col.name, school_id=None if wrong == "invalid" else sid))
    return problems


def _duplicates(table: Table, raw: RawTable, df: pd.DataFrame, rows: list[int]) -> list[Problem]:
    """A row whose key values (as text) an earlier row already has."""
    keys = [k for k in table.keys if k in df.columns]
    if not keys or df.empty:
        return []
    first: dict[tuple, int] = {}
    out = []
    for i, key in enumerate(zip(*(df[k].astype(str).tolist() for k in keys))):
        if key not in first:
            first[key] = rows[i]
            continue
        out.append(Problem(raw.source, f"trùng khóa ({', '.join(keys)}) với dòng {first[key]}",
                           rows[i], school_id=df.iloc[i]["school_id"]))
    return out


def _key_texts(col: Column, cells: Sequence[str]) -> list[str | None]:
    """Key cells as the text findings name rows by ("" for no value), None when invalid."""
    text: dict[str, str | None] = {}
    for raw in set(cells):
        try:
            value = parse_cell(col, raw)
            text[raw] = "" if value is None else str(value)
        except CellError:
            text[raw] = None
    return list(map(text.__getitem__, cells))


def spreadsheet_index(raws: dict[str, RawTable]) -> dict[tuple[str, tuple[str, ...]], list[int]]:
    """(table, key values as text) -> row numbers in the CSV file or XLSX sheet (header = row 1),
    for every non-empty row whose key cells are valid, even a row dropped for another problem."""
    index: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for name, raw in raws.items():
        table = TABLES.get(name)
        if table is None or not table.keys:
            continue
        columns, blank = _columns(raw.header, raw.rows), ("",) * len(raw.rows)
        keys = [_key_texts(table.column(k), columns.get(k, blank) if raw.header.count(k) < 2 else
                           [dict(zip(raw.header, cells)).get(k, "") for cells in raw.rows])
                for k in table.keys]  # a repeated name: the last cell the row reaches
        # an empty row has no valid key when a key column is required (school_id always is)
        check_empty = not any(table.column(k).required for k in table.keys)
        for number, key, cells in zip(range(2, len(raw.rows) + 2), zip(*keys), raw.rows):
            if None not in key and (not check_empty or "".join(cells).strip()):
                index.setdefault((name, key), []).append(number)
    return index


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
    return Dataset(shown, config, tables, problems, digests, spreadsheet_index(raws))


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
