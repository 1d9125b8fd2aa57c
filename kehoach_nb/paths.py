"""Path safety: the one place where a path built from data, metadata or arguments is checked.

Every name that becomes a path component (school id, document kind, commentary section key)
must match its pattern, and the joined path must resolve inside its root. Symlinks inside the
commentary store are refused, never followed.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import KehoachError
from .schema import DOC_KINDS, SCHOOL_ID_PATTERN

SECTION_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"
PATTERNS = {
    "school_id": (SCHOOL_ID_PATTERN, "mã trường"),
    "doc_kind": (None, "loại kế hoạch"),
    "section": (SECTION_PATTERN, "khóa mục nhận xét"),
}


class UnsafePath(KehoachError):
    """A name or path that would leave its root, or a symlink where none is allowed."""


def check_name(kind: str, value: object) -> str:
    """`value` as a safe path component of this kind, or UnsafePath with a Vietnamese reason."""
    pattern, label = PATTERNS[kind]
    text = value if isinstance(value, str) else ""
    ok = text in DOC_KINDS if kind == "doc_kind" else bool(re.fullmatch(pattern, text))
    if not ok:
        hint = f"; dùng: {', '.join(DOC_KINDS)}" if kind == "doc_kind" else ""
        raise UnsafePath(f"{label} \"{value}\" không hợp lệ{hint}")
    return text


def inside(root: Path, *parts: str) -> Path:
    """root/parts..., refused unless it resolves inside root (no "..", no absolute part,
    no symlink leading out)."""
    base = Path(root).resolve()
    path = Path(root).joinpath(*parts)
    resolved = path.resolve()
    if resolved != base and base not in resolved.parents:
        raise UnsafePath(f"đường dẫn {path} nằm ngoài thư mục {root}")
    return path


def no_symlink(root: Path, path: Path) -> None:
    """Refuse `path` if it or any folder between `root` and it is a symlink."""
    root, current = Path(root), Path(path)
    while current != root and current.parent != current:
        if current.is_symlink():
            raise UnsafePath(f"{current} là liên kết tượng trưng (symlink); kho nhận xét "
                             "không chấp nhận symlink, hãy thay bằng tệp hoặc thư mục thật")
        current = current.parent
