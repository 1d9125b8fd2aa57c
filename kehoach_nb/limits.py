"""Size limits on input, in one place; `limits:` in dataset.yaml overrides any of them.

They keep a hostile or mistaken file (a 200 MB CSV, a 10 KB workbook claiming a cell at
XFD1048576, a huge commentary entry) from exhausting memory before its problem is reported.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    """Upper bounds checked before data is loaded; all positive integers."""

    model_config = ConfigDict(extra="forbid")
    max_file_mb: int = Field(50, ge=1, le=10_000)  # one CSV, XLSX or dataset.yaml file
    max_rows: int = Field(200_000, ge=1, le=100_000_000)  # rows of one table (CSV or sheet)
    max_columns: int = Field(200, ge=1, le=16_384)  # columns of one sheet (its <dimension>)
    max_commentary_kb: int = Field(256, ge=1, le=100_000)  # one nhan_xet/… .md entry
    max_printed_errors: int = Field(200, ge=1, le=1_000_000)  # the rest go to a file

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1_000_000

    @property
    def max_commentary_bytes(self) -> int:
        return self.max_commentary_kb * 1_000


DEFAULT = Limits()
