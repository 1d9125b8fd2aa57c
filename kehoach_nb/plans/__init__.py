"""Plan builders: one school's data → the document model. `build_report` is what a notebook calls."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Closing, Document, Header


@dataclass
class Part:
    """A run of blocks that a notebook display cell shows (HTML) and carries (model JSON)."""

    name: str
    blocks: list
    document: Document | None = None  # set on the first part: the document's own info

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..model import fragment
        from ..notebook import MIME
        from ..render.html import render_blocks

        return {"text/html": render_blocks(self.blocks), MIME: fragment(self.name, self.blocks, self.document)}


@dataclass
class Report:
    """The built plan: its document model, and the computed passages (for golden files)."""

    document: Document
    texts: dict[str, str]

    def render_html(self) -> str:
        """The blocks as an HTML fragment (no page around them), as a notebook shows them."""
        from ..render.html import render_blocks

        return render_blocks(self.document.blocks)

    def text(self) -> str:
        from ..model import plain_text

        return plain_text(self.document)

    def _index(self, cls) -> int:
        return next(i for i, b in enumerate(self.document.blocks) if isinstance(b, cls))

    @property
    def header(self) -> Part:
        return Part("header", self.document.blocks[:self._index(Header) + 1], self.document)

    @property
    def body(self) -> Part:
        return Part("body", self.document.blocks[self._index(Header) + 1:self._index(Closing)])

    @property
    def closing(self) -> Part:
        return Part("closing", [self.document.blocks[self._index(Closing)]])



def build_report(dataset: str, school_id: str, doc_kind: str = "ke_hoach_phat_trien_giao_duc",
                 school_year: int | None = None, state: str | None = None) -> Report:
    """Build one school's plan from a dataset folder; DataError lists every input problem."""
    from ..kinds import kind
    from .frame import finish, prepare

    ctx = prepare(dataset, school_id, doc_kind, school_year, state)
    return Report(*finish(ctx, kind(doc_kind).build()(ctx)))
