"""Charts for print: matplotlib figures with Vietnamese labels, kept as SVG.

Builders return a model `Chart` holding the data, the caption and the drawing; the
figure is drawn on its own canvas, so the kernel's backend never matters.
"""

from __future__ import annotations

import io

import pandas as pd

from matplotlib.figure import Figure

from . import catalogues as cat
from . import formatting as fm
from .facts import Facts
from .model import Chart

FONT = ["Liberation Sans", "DejaVu Sans"]
COLORS = ["#1f4e79", "#5b9bd5", "#a5a5a5", "#ed7d31", "#70ad47"]


def figure(c: Chart) -> Figure:
    """Bars per category, one colour per series; Vietnamese number labels."""
    fig = Figure(figsize=(6.3, 3.2), dpi=200)
    ax = fig.add_subplot()
    width = 0.8 / (1 if c.stacked else max(len(c.series), 1))
    bottoms = [0.0] * len(c.categories)
    for i, (name, given) in enumerate(c.series.items()):
        values = [float("nan") if v is None else v for v in given]  # not reported: no bar
        xs = [j + (0 if c.stacked else (i - (len(c.series) - 1) / 2) * width)
              for j in range(len(c.categories))]
        bars = ax.bar(xs, values, width, bottom=bottoms if c.stacked else None,
                      label=name, color=COLORS[i % len(COLORS)])
        if not c.stacked:
            ax.bar_label(bars, labels=[fm.fmt_int(round(v)) if v is not None else "" for v in given],
                         fontsize=7)
        bottoms = [b + v for b, v in zip(bottoms, values)]
    ax.set_xticks(range(len(c.categories)), c.categories, fontsize=8)
    ax.set_ylabel(c.ylabel, fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.yaxis.set_major_formatter(lambda v, _: fm.fmt_dec(v, 0))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False, ncols=min(len(c.series), 4), loc="upper center",
              bbox_to_anchor=(0.5, 1.15))
    for text in fig.findobj(match=lambda a: hasattr(a, "set_fontfamily")):
        text.set_fontfamily(FONT)
    fig.tight_layout()
    return fig


def drawn(c: Chart) -> Chart:
    """The chart with its drawing attached, as SVG (text drawn as paths, so no font is needed
    to show it). Word needs a picture: its renderer rasterises the SVG."""
    svg = io.BytesIO()
    figure(c).savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    c.svg = svg.getvalue().decode("utf-8")
    return c


def warm_up() -> None:
    """Draw one throw-away chart: fonts, text layout and both backends are then loaded
    (the kernel zygote does it, so each kernel's first real chart is not the slow one)."""
    drawn(Chart("", ["Khối 1"], {"Năm học": [1.0]}, "Số"))


def enrollment_chart(f: Facts) -> Chart | None:
    """Pupils by grade, one series per year."""
    years = [sc for sc in f.scales.values() if sc.from_parts]
    if not years:
        return None
    grades = sorted({int(g) for sc in years for g in sc.by_grade["grade"]})
    series = {}
    for sc in years:
        by = dict(zip(sc.by_grade["grade"].astype(int), sc.by_grade["students"]))
        series[f"{cat.label('scenario', sc.scenario)} {fm.fmt_school_year(sc.year)}"] = [
            None if pd.isna(by.get(g)) else float(by[g]) for g in grades]  # a grade not reported: no bar
    return drawn(Chart("Số học sinh theo khối lớp qua các năm học", [f"Khối {g}" for g in grades],
                       series, "Số học sinh"))


MAIN_DIMENSIONS = ["tong_hop", "hoc_tap", "hoc_luc", "mon:tieng_viet", "mon:toan"]


def results_chart(f: Facts) -> Chart | None:
    """Distribution (%) of the main year-end dimension, one bar per grade or school."""
    if not f.distributions:
        return None
    for dim in MAIN_DIMENSIONS:
        dists = [d for d in f.distributions if d.dimension == dim and d.program_model == "standard"]
        if dists:
            break
    else:
        dists = [f.distributions[0]]
    dists = [d for d in dists if all(r is not None for r in d.rates.values())]  # no bar from no data
    if not dists:
        return None
    regime = dists[0].regime
    cats = list(dists[0].counts)
    series = {cat.category_label(c): [float(d.rates[c]) for d in dists] for c in cats}
    label = cat.dimension_label(regime, dists[0].dimension)
    return drawn(Chart(f"{label} năm học {fm.fmt_school_year(f.results_year)} (tỉ lệ %)",
                       [f"Khối {d.grade}" if d.grade else "Toàn trường" for d in dists], series,
                       "Tỉ lệ (%)", stacked=True))
