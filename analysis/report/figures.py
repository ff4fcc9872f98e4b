"""Figures of the report: matplotlib, one style, readable in grayscale and for colour-blind readers
(Okabe-Ito colours *and* distinct line styles, markers and hatches), labels in the report's
language.

Every function takes published (protected) values only and returns a :class:`Chart`: the SVG, an
alternative text written from the same data (:mod:`analysis.report.alttext`), the legend entries
and the smallest font size on the page. Rules every chart keeps:

* a hidden or not-available value is a missing value: it is not drawn (lines break, bars are
  left out and labelled with their symbol), never drawn as 0;
* a series with nothing to draw is left out of the legend;
* the canvas is exactly the text width of the PDF (:data:`WIDTH`), so fonts print at their set
  size, never below 8 pt (:data:`MIN_FONT_PT`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator  # noqa: E402

from analysis import formatting as fmt  # noqa: E402
from analysis.report import alttext  # noqa: E402

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "---", "+++", "ooo", "***")

WIDTH = 6.5
"""Inches: the text width of the PDF (A4 with 2.25 cm margins), so the SVG prints at 100 %."""
MIN_FONT_PT = 8.0
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "legend.fontsize": 8.5,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "arbeidstrening-report",
    "hatch.linewidth": 0.7,
    "lines.linewidth": 1.6,
}
LABEL_PT = 8.0  # values printed on bars and notes inside the plot


@dataclass
class Chart:
    """A finished figure: SVG text, alternative text, what the legend lists, smallest font."""

    svg: str
    alt: str
    legend: list[str] = field(default_factory=list)
    drawn: list[str] = field(default_factory=list)
    min_font_pt: float = 0.0
    size_in: tuple[float, float] = (WIDTH, 0.0)


def _finish(fig, alt: str, drawn: Sequence[str] = ()) -> Chart:
    legend = []
    for lg in [*fig.legends, *[a.get_legend() for a in fig.axes if a.get_legend()]]:
        legend += [t.get_text() for t in lg.get_texts()]
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    min_pt = min((t.get_fontsize() for t in texts), default=0.0)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    size = tuple(float(x) for x in fig.get_size_inches())
    plt.close(fig)
    return Chart(buf.getvalue(), alt, legend, list(drawn), float(min_pt), size)


def _num_formatter(lang: str, decimals: int = 0):
    return FuncFormatter(lambda x, _pos: fmt.format_number(x, decimals, lang))


def _pct_formatter(lang: str, decimals: int = 0):
    """Axis in percent of a share (0.25 -> "25"); the unit goes in the axis label."""
    return FuncFormatter(lambda x, _pos: fmt.format_number(x * 100, decimals, lang))


def _pp_formatter(lang: str):
    """Effects in percentage points (0.05 -> "+5"), signed."""
    return FuncFormatter(
        lambda x, _pos: fmt.format_signed(x * 100, 0, lang) if abs(x) > 1e-12 else "0"
    )


def _new(height: float = 3.0, ncols: int = 1, nrows: int = 1, sharey: bool = False, **kw):
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            nrows,
            ncols,
            figsize=(WIDTH, height),
            sharey=sharey,
            squeeze=False,
            layout="constrained",
            **kw,
        )
    return fig, axes


def _style(fn):
    def wrapped(*a, **k):
        with plt.rc_context(STYLE):
            return fn(*a, **k)

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


LEGEND_CHARS = 88
"""Characters of legend text (plus about 6 for each key) that fit on one line at 8.5 pt."""


def legend_columns(labels: Sequence[str], most: int) -> int:
    """The most columns (up to `most`) whose widest labels fit on one line of the figure."""
    widths = sorted((len(str(x)) + 6 for x in labels), reverse=True)
    k = max(1, min(most, len(widths)))
    while k > 1 and max(widths[i] for i in range(k)) * k > LEGEND_CHARS:
        k -= 1
    return k


def _legend_below(fig, handles, labels, ncol: int) -> None:
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=legend_columns(labels, ncol))


def _has_values(ys) -> bool:
    return bool(np.isfinite(np.asarray(ys, dtype=float)).any())


# --- Participants -----------------------------------------------------------------------------


@_style
def participants_over_time(
    df: pd.DataFrame, groups: Sequence[tuple[str, str]], lang: str, ylabel: str, xlabel: str
) -> Chart:
    """Lines per status group over months (`df`: year_month, status_group, n_participants;
    missing values are hidden or not applicable and break the line). A group with no value at
    all (e.g. shown merged with another) is not drawn and not in the legend."""
    fig, axes = _new(3.2)
    ax = axes[0, 0]
    df = df.assign(_date=pd.to_datetime(df["year_month"].astype(str), format="%Y%m"))
    handles, labels, drawn, alt_series = [], [], [], []
    x_alt: list[str] = []
    for i, (code, name) in enumerate(groups):
        d = df[df["status_group"] == code].sort_values("_date")
        y = pd.to_numeric(d["n_participants"], errors="coerce").astype(float).to_numpy()
        alt_series.append((name, y))
        if not _has_values(y):
            continue
        (h,) = ax.plot(
            d["_date"],
            y,
            color=OKABE_ITO[i] if code != "ALL" else "#000000",
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            linewidth=2.2 if code == "ALL" else 1.5,
            marker=MARKERS[i % len(MARKERS)],
            markevery=6,
            markersize=3.5,
        )
        handles.append(h)
        labels.append(name)
        drawn.append(name)
        x_alt = [fmt.format_year_month(int(ym), lang) for ym in d["year_month"]]
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(_num_formatter(lang))
    _legend_below(fig, handles, labels, 4)
    alt = alttext.lines(x_alt, alt_series, ylabel, xlabel, lang, unit="num")
    return _finish(fig, alt, drawn)


@_style
def stacked_shares_by_year(
    df: pd.DataFrame,
    year_col: str,
    cat_col: str,
    cats: Sequence[tuple[str, str]],
    lang: str,
    xlabel: str,
    ylabel: str,
) -> Chart:
    """100 % horizontal stacked bars, one per year, hatched categories. A hidden share gets no
    bar; a year with a hidden share is marked ':' at its end."""
    years = sorted(df[year_col].unique())
    fig, axes = _new(0.42 * len(years) + 1.6)
    ax = axes[0, 0]
    left = np.zeros(len(years))
    hidden = np.zeros(len(years), dtype=bool)
    handles, labels, series = [], [], []
    for i, (code, name) in enumerate(cats):
        vals = []
        for y in years:
            v = df.loc[(df[year_col] == y) & (df[cat_col] == code), "share"]
            vals.append(float(v.iloc[0]) if len(v) and pd.notna(v.iloc[0]) else np.nan)
        vals = np.array(vals)
        ok = np.isfinite(vals)
        hidden |= ~ok
        series.append((name, vals))
        if not ok.any():
            continue
        ax.barh(
            np.arange(len(years))[ok],
            vals[ok],
            left=left[ok],
            color=OKABE_ITO[i % len(OKABE_ITO)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white",
            linewidth=0.6,
        )
        handles.append(
            Patch(
                facecolor=OKABE_ITO[i % len(OKABE_ITO)],
                hatch=HATCHES[i % len(HATCHES)],
                edgecolor="white",
            )
        )
        labels.append(name)
        for j in np.flatnonzero(ok):
            if vals[j] >= 0.08:
                ax.text(
                    left[j] + vals[j] / 2,
                    j,
                    fmt.format_number(vals[j] * 100, 0, lang),
                    ha="center",
                    va="center",
                    fontsize=LABEL_PT,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
                )
        left[ok] += vals[ok]
    for j in np.flatnonzero(hidden):
        ax.text(min(left[j], 1.0) + 0.01, j, fmt.SUPPRESSED, va="center", fontsize=9)
    ax.set_yticks(np.arange(len(years)), [str(y) for y in years])
    ax.set_xlim(0, 1.03)
    ax.xaxis.set_major_formatter(_pct_formatter(lang))
    ax.set_xlabel(xlabel)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    _legend_below(fig, handles, labels, 3)
    alt = alttext.bars([str(y) for y in years], series, xlabel, ylabel, lang, stacked=True)
    return _finish(fig, alt, labels)


@_style
def dot_comparison(
    rows: Sequence[tuple[str, float, float]], names: tuple[str, str], lang: str, xlabel: str
) -> Chart:
    """Dot plot: one row per characteristic, two markers (participants vs comparison)."""
    fig, axes = _new(0.3 * len(rows) + 1.2)
    ax = axes[0, 0]
    ys = np.arange(len(rows))
    a = np.array([r[1] for r in rows], dtype=float)
    b = np.array([r[2] for r in rows], dtype=float)
    for y, x1, x2 in zip(ys, a, b, strict=True):
        if np.isfinite(x1) and np.isfinite(x2):
            ax.plot([x1, x2], [y, y], color="#999999", linewidth=1, zorder=1)
    h1 = ax.scatter(a, ys, marker="o", s=36, color=OKABE_ITO[0], zorder=3)
    h2 = ax.scatter(
        b, ys, marker="s", s=30, facecolor="white", edgecolor=OKABE_ITO[1], linewidth=1.4, zorder=3
    )
    for y, x1, x2 in zip(ys, a, b, strict=True):
        if not (np.isfinite(x1) or np.isfinite(x2)):
            ax.text(0.01, y, fmt.MISSING, va="center", fontsize=9)
    ax.set_yticks(ys, [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_pct_formatter(lang))
    ax.set_xlabel(xlabel)
    _legend_below(fig, [h1, h2], list(names), 2)
    return _finish(fig, alttext.dots(rows, names, xlabel, lang), list(names))


@_style
def lines_by_category(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    lang: str,
    ylabel: str,
    xlabel: str,
    percent: bool = True,
    ylim: tuple[float, float] | None = None,
    vline_at: int | None = None,
    vline_label: str = "",
    height: float = 2.9,
) -> Chart:
    """Lines over categorical x positions (half-years, horizons), one style per series."""
    fig, axes = _new(height)
    ax = axes[0, 0]
    x = np.arange(len(x_labels))
    handles, labels = [], []
    for i, (name, ys) in enumerate(series):
        if not _has_values(ys):
            continue
        (h,) = ax.plot(
            x,
            np.asarray(ys, dtype=float),
            color=OKABE_ITO[i % len(OKABE_ITO)],
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            marker=MARKERS[i % len(MARKERS)],
            markersize=4,
        )
        handles.append(h)
        labels.append(name)
    step = max(1, int(np.ceil(len(x_labels) / 10)))
    ax.set_xticks(x[::step], [x_labels[k] for k in range(0, len(x_labels), step)])
    if vline_at is not None:
        ax.axvline(vline_at - 0.5, color="#555555", linestyle=(0, (2, 2)), linewidth=1)
        ax.text(
            vline_at - 0.4,
            0.03,
            vline_label,
            transform=ax.get_xaxis_transform(),
            ha="left",
            va="bottom",
            fontsize=LABEL_PT,
            color="#333333",
            bbox=dict(fc="white", ec="none", pad=1),
        )
    ax.yaxis.set_major_formatter(_pct_formatter(lang) if percent else _num_formatter(lang))
    if ylim:
        ax.set_ylim(*ylim)
    else:
        ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    if len(handles) > 1:
        _legend_below(fig, handles, labels, min(3, len(handles)))
    alt = alttext.lines(
        list(x_labels),
        [(n, ys) for n, ys in series],
        ylabel,
        xlabel,
        lang,
        unit="pct" if percent else "num",
        vline=vline_label if vline_at is not None else "",
    )
    return _finish(fig, alt, labels)


@_style
def stacked_states(
    horizons: Sequence[str],
    states: Sequence[tuple[str, Sequence[float]]],
    lang: str,
    xlabel: str,
    ylabel: str,
) -> Chart:
    """Vertical 100 % stacked bars of states per horizon (hatched). A missing value (hidden or
    not yet observed) is not drawn; a horizon with no value at all is marked '..'."""
    fig, axes = _new(3.4)
    ax = axes[0, 0]
    x = np.arange(len(horizons))
    bottom = np.zeros(len(horizons))
    seen = np.zeros(len(horizons), dtype=bool)
    handles, labels = [], []
    for i, (name, vals) in enumerate(states):
        raw = np.asarray(vals, dtype=float)
        ok = np.isfinite(raw)
        seen |= ok
        if not ok.any():
            continue
        v = np.where(ok, raw, 0.0)
        ax.bar(
            x[ok],
            v[ok],
            bottom=bottom[ok],
            width=0.62,
            color=OKABE_ITO[i % len(OKABE_ITO)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white",
            linewidth=0.6,
        )
        handles.append(
            Patch(
                facecolor=OKABE_ITO[i % len(OKABE_ITO)],
                hatch=HATCHES[i % len(HATCHES)],
                edgecolor="white",
            )
        )
        labels.append(name)
        for j in np.flatnonzero(ok):
            if v[j] >= 0.07:
                ax.text(
                    x[j],
                    bottom[j] + v[j] / 2,
                    fmt.format_number(v[j] * 100, 0, lang),
                    ha="center",
                    va="center",
                    fontsize=LABEL_PT,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
                )
        bottom += v
    for j in np.flatnonzero(~seen):
        ax.text(x[j], 0.5, fmt.MISSING, ha="center", va="center", fontsize=9)
    ax.set_xticks(x, horizons)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(_pct_formatter(lang))
    ax.grid(axis="x", visible=False)
    if handles:
        fig.legend(handles[::-1], labels[::-1], loc="outside right center")
    alt = alttext.bars(list(horizons), list(states), ylabel, xlabel, lang, stacked=True)
    return _finish(fig, alt, labels)


@_style
def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    lang: str,
    xlabel: str,
    ylabel: str = "",
    symbols: Sequence[Sequence[str | None]] | None = None,
) -> Chart:
    """Horizontal grouped bars (e.g. share reaching the intended outcome by purpose and horizon).

    A missing value gets no bar (it is not 0) and is labelled with its symbol from `symbols`
    (':' hidden, '.' not applicable, '..' not available), '..' when none is given.
    """
    n, m = len(categories), len(series)
    fig, axes = _new(0.4 * n * max(1, m / 2) + 1.3)
    ax = axes[0, 0]
    h = 0.8 / max(m, 1)
    y = np.arange(n)
    handles, labels = [], []
    for i, (name, vals) in enumerate(series):
        v = np.asarray(vals, dtype=float)
        ok = np.isfinite(v)
        pos = y - 0.4 + h * (i + 0.5)
        ax.barh(
            pos[ok],
            v[ok],
            height=h * 0.92,
            color=OKABE_ITO[i % len(OKABE_ITO)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white",
            linewidth=0.5,
        )
        if ok.any() or symbols is not None:
            handles.append(
                Patch(
                    facecolor=OKABE_ITO[i % len(OKABE_ITO)],
                    hatch=HATCHES[i % len(HATCHES)],
                    edgecolor="white",
                )
            )
            labels.append(name)
        syms = symbols[i] if symbols is not None else [None] * n
        for p, val, sym in zip(pos, v, syms, strict=True):
            txt = (
                fmt.format_number(val * 100, 0, lang) if np.isfinite(val) else (sym or fmt.MISSING)
            )
            ax.text((val if np.isfinite(val) else 0) + 0.01, p, txt, va="center", fontsize=LABEL_PT)
    ax.set_yticks(y, categories)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.08)
    ax.xaxis.set_major_formatter(_pct_formatter(lang))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    _legend_below(fig, handles, labels, min(m, 4))
    alt = alttext.bars(list(categories), list(series), xlabel, ylabel, lang, symbols=symbols)
    return _finish(fig, alt, labels)


# --- Effects ----------------------------------------------------------------------------------


def _arrays(d: pd.DataFrame, *cols: str) -> list[np.ndarray]:
    return [
        pd.to_numeric(d[c], errors="coerce").to_numpy(dtype=float)
        if c in d.columns
        else np.full(len(d), np.nan)
        for c in cols
    ]


@_style
def event_study(
    panels: Sequence[tuple[str, pd.DataFrame]],
    lang: str,
    xlabel: str,
    ylabel: str,
    band_label: str,
    uniform_label: str = "",
    shade_label: str = "",
    shade: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
) -> Chart:
    """Event-study plot(s): estimate by event time with a shaded pointwise 95 % band and, where
    the frame has ``band_low``/``band_high``, the simultaneous (uniform) band as dashed lines. One
    panel per frame (event_time, estimate, ci_low, ci_high); hidden values are not drawn."""
    k = len(panels)
    fig, axes = _new(3.0 if k == 1 else 2.9, ncols=k, sharey=True)
    handles: dict[str, object] = {}
    alt_series = []
    for i, (title, d) in enumerate(panels):
        ax = axes[0, i]
        d = d.sort_values("event_time")
        x, est, lo, hi, cbl, cbh = _arrays(
            d, "event_time", "estimate", "ci_low", "ci_high", "band_low", "band_high"
        )
        if shade is not None:
            ax.axvspan(shade[0], shade[1], color="#eeeeee", zorder=0)
            if shade_label:
                handles[shade_label] = Patch(facecolor="#eeeeee")
        ax.fill_between(x, lo, hi, color=OKABE_ITO[4], alpha=0.45, linewidth=0)
        handles[band_label] = Patch(facecolor=OKABE_ITO[4], alpha=0.45)
        if np.isfinite(cbl).any() and uniform_label:
            ax.plot(x, cbl, color=OKABE_ITO[0], linewidth=0.9, linestyle="--")
            ax.plot(x, cbh, color=OKABE_ITO[0], linewidth=0.9, linestyle="--")
            handles[uniform_label] = Line2D([], [], color=OKABE_ITO[0], linestyle="--")
        ax.plot(x, est, color=OKABE_ITO[0], marker="o", markersize=2.5, linewidth=1.5)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(-0.5, color="#555555", linewidth=0.8, linestyle="--")
        if title:
            ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(MultipleLocator(6 if x.size and np.nanmax(x) > 20 else 3))
        ax.xaxis.set_major_formatter(_num_formatter(lang))
        ax.yaxis.set_major_formatter(_pp_formatter(lang))
        if ylim:
            ax.set_ylim(*ylim)
        if i == 0:
            ax.set_ylabel(ylabel)
        alt_series.append((title or ylabel, x, est, lo, hi))
    _legend_below(fig, list(handles.values()), list(handles), len(handles))
    alt = alttext.event_study(alt_series, ylabel, xlabel, lang)
    return _finish(fig, alt, [t for t, _ in panels])


@_style
def estimator_comparison(
    series: Sequence[tuple[str, pd.DataFrame, bool]],
    lang: str,
    xlabel: str,
    ylabel: str,
    band_label: str,
) -> Chart:
    """Several estimators on one axis: the headline with a band, the others as styled lines."""
    fig, axes = _new(3.1)
    ax = axes[0, 0]
    handles, labels, alt_series = [], [], []
    for i, (name, d, band) in enumerate(series):
        d = d.sort_values("event_time")
        x, est, lo, hi = _arrays(d, "event_time", "estimate", "ci_low", "ci_high")
        if not np.isfinite(est).any():
            continue
        color = OKABE_ITO[i % len(OKABE_ITO)]
        if band:
            ax.fill_between(x, lo, hi, color=OKABE_ITO[4], alpha=0.4, linewidth=0)
            handles.append(Patch(facecolor=OKABE_ITO[4], alpha=0.4))
            labels.append(band_label)
        (h,) = ax.plot(
            x,
            est,
            color=color,
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            marker=MARKERS[i % len(MARKERS)],
            markevery=3,
            markersize=3.5,
        )
        handles.append(h)
        labels.append(name)
        alt_series.append((name, x, est, lo if band else np.full_like(est, np.nan), hi))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="#555555", linewidth=0.8, linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MultipleLocator(6))
    ax.xaxis.set_major_formatter(_num_formatter(lang))
    ax.yaxis.set_major_formatter(_pp_formatter(lang))
    _legend_below(fig, handles, labels, 2)
    alt = alttext.event_study(alt_series, ylabel, xlabel, lang, points=(0, 12, 24))
    return _finish(fig, alt, labels)


@_style
def forest(
    panels: Sequence[tuple[str, pd.DataFrame]],
    labels: Sequence[str],
    lang: str,
    xlabel: str,
    legend: tuple[str, str, str] = ("", "", ""),
    scale: str = "pp",
) -> Chart:
    """Forest plot: rows = subgroups (in `labels` order; frames carry ``label`` and, optionally,
    ``significant`` and ``too_small`` columns), one panel per measure. A significant estimate
    (95 % interval excluding 0) is a filled square, one that is not a hollow square; a group
    below the minimum size is grey. Hidden rows show ':'.

    `legend`: labels of (significant, not significant, too small). `scale`: ``"pp"`` (shares as
    signed percentage points) or ``"thousands"`` (amounts in thousands, e.g. NOK 1 000).
    """
    k = len(panels)
    n = len(labels)
    fig, axes = _new(0.26 * n + 1.5, ncols=k, sharey=True)
    y = np.arange(n)
    alt_panels = []
    used = set()
    for i, (title, d) in enumerate(panels):
        ax = axes[0, i]
        d = d.set_index("label").reindex(labels)
        div = 1000.0 if scale == "thousands" else 1.0
        est, lo, hi = (a / div for a in _arrays(d, "estimate", "ci_low", "ci_high"))
        sig = (
            d["significant"].fillna(False).astype(bool).to_numpy()
            if "significant" in d.columns
            else (lo > 0) | (hi < 0)
        )
        small = (
            d["too_small"].fillna(False).astype(bool).to_numpy()
            if "too_small" in d.columns
            else np.zeros(n, dtype=bool)
        )
        symbols = (
            d["symbol"].fillna("").astype(str).to_numpy()
            if "symbol" in d.columns
            else np.full(n, fmt.SUPPRESSED)
        )
        for j in range(n):
            if not np.isfinite(est[j]):
                ax.text(
                    0,
                    y[j],
                    symbols[j] or fmt.MISSING,
                    ha="center",
                    va="center",
                    fontsize=9,
                    bbox=dict(fc="white", ec="none", pad=0.5),
                )
                continue
            color = "#999999" if small[j] else ("black" if j == 0 else OKABE_ITO[0])
            ax.hlines(y[j], lo[j], hi[j], color=color, linewidth=1.4)
            filled = bool(sig[j]) and not small[j]
            ax.scatter(
                est[j],
                y[j],
                marker="D" if j == 0 else "s",
                s=34 if j == 0 else 22,
                facecolor=color if filled else "white",
                edgecolor=color,
                linewidth=1.2,
                zorder=3,
            )
            used.add("small" if small[j] else ("sig" if filled else "ns"))
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(title)
        ax.xaxis.set_major_formatter(_pp_formatter(lang) if scale == "pp" else _num_formatter(lang))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        alt_panels.append((title, est * div, lo * div, hi * div))
    axes[0, 0].set_yticks(y, labels)
    axes[0, 0].invert_yaxis()
    handles, names = [], []
    spec = (
        ("sig", legend[0], dict(facecolor=OKABE_ITO[0], edgecolor=OKABE_ITO[0])),
        ("ns", legend[1], dict(facecolor="white", edgecolor=OKABE_ITO[0])),
        ("small", legend[2], dict(facecolor="white", edgecolor="#999999")),
    )
    for key, name, style in spec:
        if key in used and name:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="s",
                    linestyle="",
                    markerfacecolor=style["facecolor"],
                    markeredgecolor=style["edgecolor"],
                )
            )
            names.append(name)
    _legend_below(fig, handles, names, 3)
    alt = alttext.forest(labels, alt_panels, xlabel, lang, unit="pp" if scale == "pp" else "num")
    return _finish(fig, alt, list(labels))


__all__ = [
    "Chart",
    "MIN_FONT_PT",
    "WIDTH",
    "dot_comparison",
    "estimator_comparison",
    "event_study",
    "forest",
    "grouped_bars",
    "lines_by_category",
    "participants_over_time",
    "stacked_shares_by_year",
    "stacked_states",
]
