"""The contract between a plan notebook and everything that reads it.

Display cells output their part of the document model under `MIME` beside
`text/html`. After execution the runner turns each commentary section into an
editable Markdown cell (tag "commentary", metadata under "kehoach"). Readers (the
runner's checks, the exporters, `commentary pull`) rebuild the `Document` from
those outputs and cells; nothing parses HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Commentary, Document, VERSION, block_to_json, blocks_from_fragment, fragment

if TYPE_CHECKING:
    import nbformat

MIME = "application/vnd.kehoach.document+json"
META = "kehoach"  # notebook and cell metadata key
TAG = "commentary"
INFO = ("section", "store_digest", "draft", "stale", "values", "shown", "rendered")


def papermill_parameters(params) -> dict:
    """The notebook's parameters from the typed model (unknown names were refused there)."""
    return params.to_papermill()


def _fragment(output) -> dict | None:
    return output.get("data", {}).get(MIME) if output.get("output_type") in (
        "display_data", "execute_result") else None


def display_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
            and "injected-parameters" not in c.metadata.get("tags", []) and c.source.lstrip().startswith("report.")]


def check_output(nb) -> tuple[str, str] | None:
    """Our verdict on an executed notebook: complete, every part present, every chart drawn."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    if any(c.get("execution_count") is None for c in code):
        return "incomplete", "notebook dừng trước ô cuối"
    shown = display_cells(nb)
    frags = [f for c in shown for o in c.outputs if (f := _fragment(o))]
    if len(frags) < len(shown):
        return "incomplete", "thiếu nội dung báo cáo ở ô hiển thị"
    info = next((f["document"] for f in frags if "document" in f), None)
    if info is None:
        return "incomplete", "thiếu thông tin văn bản"
    doc = document(nb)
    drawn = sum(1 for c in doc.charts() if c.svg)
    if drawn < info["charts"]:
        return "invalid_output", f"thiếu biểu đồ: có {drawn}/{info['charts']}"
    return None


def split_commentary(nb):
    """Each commentary section of a display output becomes a tagged Markdown cell."""
    import nbformat

    cells = []
    for cell in nb.cells:
        out = next((o for o in cell.get("outputs", []) if _fragment(o)), None)
        if cell.cell_type != "code" or out is None:
            cells.append(cell)
            continue
        frag = _fragment(out)
        pieces: list[list] = [[]]
        for b in blocks_from_fragment(frag):
            if isinstance(b, Commentary):
                pieces += [b, []]
            else:
                pieces[-1].append(b)
        _set_output(out, frag, pieces[0])
        cells.append(cell)
        for section, rest in zip(pieces[1::2], pieces[2::2]):
            cells.append(commentary_cell(section))
            if rest:
                new = nbformat.v4.new_code_cell(f"# (tiếp theo) {cell.source}", execution_count=cell.execution_count,
                                                metadata={"tags": ["continuation"]})
                new.outputs = [nbformat.v4.new_output("display_data", data={})]
                _set_output(new.outputs[0], {k: v for k, v in frag.items() if k != "document"}, rest)
                cells.append(new)
    nb.cells = cells
    return nb


def _set_output(out, frag: dict, blocks: list) -> None:
    from .render.html import render_blocks

    out["data"] = {"text/html": render_blocks(blocks), MIME: {**frag, "blocks": [block_to_json(b) for b in blocks]}}
    out["metadata"] = {}


def commentary_cell(c: Commentary):
    import nbformat

    info = {"section": c.key, "store_digest": c.store_digest, "draft": c.draft, "stale": c.stale,
            "values": c.values, "shown": c.shown, "rendered": c.markdown, "number": c.number}
    return nbformat.v4.new_markdown_cell(c.markdown, metadata={"tags": [TAG], META: info})


def commentary_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "markdown" and TAG in c.metadata.get("tags", [])
            and META in c.metadata]


def edited(cell) -> bool:
    return cell.source.strip() != cell.metadata[META]["rendered"].strip()


def section_from_cell(cell) -> Commentary:
    """The commentary as the notebook now has it: an edited cell is neither draft nor stale."""
    from .plans.frame import commentary_block

    info = cell.metadata[META]
    changed = edited(cell)
    return commentary_block(info["section"], cell.source, info.get("values", {}), info.get("shown", {}),
                            info.get("store_digest", ""), info.get("draft", False) and not changed,
                            [] if changed else info.get("stale", []), info.get("number"))


def document(nb) -> Document:
    """The document an executed (and possibly edited) notebook holds."""
    blocks, info = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown" and TAG in cell.metadata.get("tags", []) and META in cell.metadata:
            blocks.append(section_from_cell(cell))
            continue
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            frag = _fragment(out)
            if frag:
                info = info or frag.get("document")
                blocks += blocks_from_fragment(frag)
    if info is None:
        raise ValueError("notebook không chứa văn bản của kehoach_nb (thiếu dữ liệu "
                         f"{MIME}); hãy chạy notebook trước khi xuất")
    return Document(info["kind"], info["params"], info["title"], blocks, info.get("audit"),
                    info.get("state", "du_thao"), info.get("figures", {}), info.get("warnings", []))


__all__ = ["MIME", "META", "VERSION", "document", "split_commentary", "check_output", "fragment"]
