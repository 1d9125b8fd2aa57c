"""Errors and problem records; every message a user reads is Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One input problem, located as a spreadsheet user counts it."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    school_id: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột {self.column}")
        return f"{', '.join(where)}: {self.message}"


class KehoachError(Exception):
    """Base error of the toolkit."""


class DataError(KehoachError):
    """Input data that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ParamsError(KehoachError):
    """Bad report parameters (unknown, misspelled or of the wrong type)."""


class GlyphError(KehoachError):
    """A character the embedded fonts cannot draw."""
