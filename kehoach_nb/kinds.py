"""The document kinds, declared once: code, labels, builder, outline and notebook."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@dataclass(frozen=True)
class DocKind:
    code: str
    label: str  # "Kế hoạch phát triển giáo dục"
    short: str  # for progress lines: "KH phát triển GD"
    builder: str  # "module:function" under kehoach_nb.plans

    @property
    def outline(self) -> dict:
        """Titles and sections, from templates/report/outline.yaml (wording is not code)."""
        from .plans.frame import outline

        return outline()[self.code]

    @property
    def notebook(self) -> Path:
        return NOTEBOOKS / f"{self.code}.ipynb"

    def build(self):
        module, func = self.builder.split(":")
        return getattr(import_module(f"kehoach_nb.plans.{module}"), func)


KINDS = {k.code: k for k in (
    DocKind("ke_hoach_phat_trien_giao_duc", "Kế hoạch phát triển giáo dục", "KH phát triển GD",
            "development:development_plan"),
    DocKind("ke_hoach_cai_tien_chat_luong", "Kế hoạch cải tiến chất lượng", "KH cải tiến CL",
            "quality:quality_plan"),
    DocKind("ke_hoach_xay_dung_truong_chuan", "Kế hoạch xây dựng trường đạt chuẩn quốc gia",
            "KH trường chuẩn", "standard:standard_plan"),
    DocKind("ke_hoach_giai_phap_nang_cao_chat_luong",
            "Kế hoạch thực hiện giải pháp nâng cao chất lượng giáo dục", "KH giải pháp",
            "solutions:solutions_plan"),
)}
CODES = tuple(KINDS)


def kind(code: str) -> DocKind:
    return KINDS[code]
