"""The roll-up's input, typed: what each school's plans state and in which state they are.

Nothing here is computed again: `figures` are the `<doc>.chi_so.json` figures of the school's
report that is up to date for the current run key (rollup/run.py checks that), `audit` the
counts that report carried. The input travels to the notebook as one JSON file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from .. import catalogues as cat
from ..status import Status, label as status_label

MISSING = "missing"  # no record of this plan at all
ISSUED, DRAFT = "ban_hanh", "du_thao"


@dataclass
class PlanEntry:
    """One plan of one school: its state code and, for a failure, the run's message.

    state: ban_hanh / du_thao (a current report), a run status code (not_final = refused,
    cell_error, timeout …, export_error) or "missing"."""

    kind: str
    state: str
    message: str = ""


@dataclass
class SchoolEntry:
    school_id: str
    name: str
    level: str  # tieu_hoc / thcs
    plans: list[PlanEntry] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)  # plain numbers as text, as stated
    audit: list[int] | None = None  # [errors, findings] of the report the figures come from
    source: str = ""  # the document kind whose record gave the figures ("" = none)
    record_hash: str = ""  # sha256 of that record file (the roll-up's key)

    def number(self, name: str) -> Decimal | None:
        """A stated figure as a number; None when the school did not state it."""
        raw = self.figures.get(name)
        try:
            return Decimal(raw) if raw not in (None, "") else None
        except InvalidOperation:
            return None

    @property
    def errors(self) -> int | None:
        return self.audit[0] if self.audit else None

    @property
    def warnings(self) -> int | None:
        return self.audit[1] - self.audit[0] if self.audit else None


@dataclass
class RollupInput:
    """One scope (a dataset, or the schools of one of its communes) and one school year."""

    dataset: str  # the dataset folder's name
    name: str  # dataset.yaml name
    authority: str  # the office that receives the plans
    authority_parent: str  # its governing body (NĐ 30 first line), may be ""
    place: str  # for the date line, may be ""
    year: int
    kinds: list[str]
    schools: list[SchoolEntry]
    scope: str = ""  # the commune (xã, phường, đặc khu) of a commune's roll-up; "" = the dataset

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RollupInput:
        raw = json.loads(text)
        schools = [SchoolEntry(**{**s, "plans": [PlanEntry(**p) for p in s["plans"]]})
                   for s in raw.pop("schools")]
        return cls(**raw, schools=schools)


def plan_state(status: str | None, record_state: str | None) -> str:
    """A plan's state: its report's state when the report is current, else why not."""
    if record_state in (ISSUED, DRAFT):
        return record_state
    if status in (None, "", Status.OK, Status.SKIPPED):  # no current report, no failure known
        return MISSING
    return status


def state_label(state: str) -> str:
    """Vietnamese, from the catalogues (ban hành, dự thảo, chưa có) or status.py (failures)."""
    if state in (ISSUED, DRAFT):
        return cat.label("state", state)
    if state == MISSING:
        return cat.label("plan_presence", MISSING)
    return status_label(state)[:1].upper() + status_label(state)[1:]


def is_refused(state: str) -> bool:
    return state == Status.NOT_FINAL


def is_failed(state: str) -> bool:
    return state not in (ISSUED, DRAFT, MISSING) and not is_refused(state)
