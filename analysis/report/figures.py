"""Figures of the report: matplotlib, one consistent style, readable in grayscale and for colour-blind
readers (Okabe-Ito colours *and* distinct line styles, markers and hatches), labels in the report's
language. Every function takes published (suppressed) frames only: suppressed points are missing
values and are not drawn (lines break there). Figures are returned as SVG text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator  # noqa: E402

from analysis import formatting as fmt  # noqa: E402

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

WIDTH = 6.4  # inches: fits an A4 text column at 100 %
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


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


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
            nrows, ncols, figsize=(WIDTH, height), sharey=sharey, squeeze=False, **kw
        )
    return fig, axes


def _style(fn):
    def wrapped(*a, **k):
        with plt.rc_context(STYLE):
            return fn(*a, **k)

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


# --- Participants -----------------------------------------------------------------------------


@_style
def participants_over_time(
    df: pd.DataFrame, groups: Sequence[tuple[str, str]], lang: str, ylabel: str
) -> str:
    """Lines per status group over months (`df`: year_month, status_group, n_participants)."""
    fig, axes = _new(3.1)
    ax = axes[0, 0]
    dates = pd.to_datetime(df["year_month"].astype(str), format="%Y%m")
    df = df.assign(_date=dates)
    for i, (code, name) in enumerate(groups):
        d = df[df["status_group"] == code].sort_values("_date")
        y = pd.to_numeric(d["n_participants"], errors="coerce").astype(float)
        ax.plot(
            d["_date"],
            y,
            color=OKABE_ITO[i] if code != "ALL" else "#000000",
            linestyle=LINESTYLES[i],
            linewidth=2.2 if code == "ALL" else 1.5,
            marker=MARKERS[i],
            markevery=6,
            markersize=3.5,
            label=name,
        )
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(_num_formatter(lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4)
    return _svg(fig)


@_style
def stacked_shares_by_year(
    df: pd.DataFrame,
    year_col: str,
    cat_col: str,
    cats: Sequence[tuple[str, str]],
    lang: str,
    xlabel: str,
) -> str:
    """100 % horizontal stacked bars, one per year, hatched categories; suppressed parts blank."""
    years = sorted(df[year_col].unique())
    fig, axes = _new(0.45 * len(years) + 1.4)
    ax = axes[0, 0]
    left = np.zeros(len(years))
    for i, (code, name) in enumerate(cats):
        vals = []
        for y in years:
            v = df.loc[(df[year_col] == y) & (df[cat_col] == code), "share"]
            vals.append(float(v.iloc[0]) if len(v) and pd.notna(v.iloc[0]) else 0.0)
        vals = np.array(vals)
        ax.barh(
            [str(y) for y in years],
            vals,
            left=left,
            color=OKABE_ITO[i % len(OKABE_ITO)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white",
            linewidth=0.6,
            label=name,
        )
        for j, v in enumerate(vals):
            if v >= 0.08:
                ax.text(
                    left[j] + v / 2,
                    j,
                    fmt.format_number(v * 100, 0, lang),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="black",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
                )
        left += vals
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_pct_formatter(lang))
    ax.set_xlabel(xlabel)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3)
    return _svg(fig)


@_style
def dot_comparison(
    rows: Sequence[tuple[str, float, float]], names: tuple[str, str], lang: str, xlabel: str
) -> str:
    """Dot plot: one row per characteristic, two markers (participants vs comparison)."""
    fig, axes = _new(0.32 * len(rows) + 1.0)
    ax = axes[0, 0]
    ys = np.arange(len(rows))
    a = np.array([r[1] for r in rows], dtype=float)
    b = np.array([r[2] for r in rows], dtype=float)
    for y, x1, x2 in zip(ys, a, b, strict=True):
        if np.isfinite(x1) and np.isfinite(x2):
            ax.plot([x1, x2], [y, y], color="#999999", linewidth=1, zorder=1)
    ax.scatter(a, ys, marker="o", s=36, color=OKABE_ITO[0], label=names[0], zorder=3)
    ax.scatter(
        b,
        ys,
        marker="s",
        s=30,
        facecolor="white",
        edgecolor=OKABE_ITO[1],
        linewidth=1.4,
        label=names[1],
        zorder=3,
    )
    ax.set_yticks(ys, [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_pct_formatter(lang))
    ax.set_xlabel(xlabel)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18 - 0.4 / max(len(rows), 1)), ncol=2)
    return _svg(fig)


@_style
def lines_by_category(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    lang: str,
    ylabel: str,
    xlabel: str = "",
    percent: bool = True,
    ylim: tuple[float, float] | None = None,
    vline_at: int | None = None,
    vline_label: str = "",
    height: float = 2.8,
) -> str:
    """Lines over categorical x positions (half-years, horizons), one style per series."""
    fig, axes = _new(height)
    ax = axes[0, 0]
    x = np.arange(len(x_labels))
    for i, (name, ys) in enumerate(series):
        ax.plot(
            x,
            np.asarray(ys, dtype=float),
            color=OKABE_ITO[i % len(OKABE_ITO)],
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            marker=MARKERS[i % len(MARKERS)],
            markersize=4,
            label=name,
        )
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
            fontsize=7.5,
            color="#333333",
            bbox=dict(fc="white", ec="none", pad=1),
        )
    if percent:
        ax.yaxis.set_major_formatter(_pct_formatter(lang))
    else:
        ax.yaxis.set_major_formatter(_num_formatter(lang))
    if ylim:
        ax.set_ylim(*ylim)
    else:
        ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    if xlabel:
        ax.set_xlabel(xlabel)
    if len(series) > 1:
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2 if xlabel else -0.12),
            ncol=min(3, len(series)),
        )
    return _svg(fig)


@_style
def stacked_states(
    horizons: Sequence[str],
    states: Sequence[tuple[str, Sequence[float]]],
    lang: str,
    xlabel: str,
    ylabel: str,
) -> str:
    """Vertical 100 % stacked bars of states per horizon (hatched); suppressed parts left blank.

    A missing value (suppressed or not yet observed) is not drawn, and a horizon with no value at
    all is marked ".." (not available) instead of an empty bar that reads as 0.
    """
    fig, axes = _new(3.3)
    ax = axes[0, 0]
    x = np.arange(len(horizons))
    bottom = np.zeros(len(horizons))
    seen = np.zeros(len(horizons), dtype=bool)
    for i, (name, vals) in enumerate(states):
        raw = np.asarray(vals, dtype=float)
        ok = np.isfinite(raw)
        seen |= ok
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
            label=name,
        )
        for j, val in enumerate(v):
            if ok[j] and val >= 0.07:
                ax.text(
                    x[j],
                    bottom[j] + val / 2,
                    fmt.format_number(val * 100, 0, lang),
                    ha="center",
                    va="center",
                    fontsize=7.5,
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
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), reverse=True)
    return _svg(fig)


@_style
def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    lang: str,
    xlabel: str,
    symbols: Sequence[Sequence[str | None]] | None = None,
) -> str:
    """Horizontal grouped bars (e.g. share reaching the intended outcome by purpose and horizon).

    A missing value gets no bar (it is not 0) and is labelled with its symbol from `symbols`
    (':' suppressed, '.' not applicable, '..' not available), '..' when none is given.
    """
    n, m = len(categories), len(series)
    fig, axes = _new(0.42 * n * max(1, m / 2) + 1.2)
    ax = axes[0, 0]
    h = 0.8 / max(m, 1)
    y = np.arange(n)
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
            label=name,
        )
        syms = symbols[i] if symbols is not None else [None] * n
        for p, val, sym in zip(pos, v, syms, strict=True):
            txt = (
                fmt.format_number(val * 100, 0, lang) if np.isfinite(val) else (sym or fmt.MISSING)
            )
            ax.text((val if np.isfinite(val) else 0) + 0.01, p, txt, va="center", fontsize=7)
    ax.set_yticks(y, categories)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.xaxis.set_major_formatter(_pct_formatter(lang))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.5 / max(n, 1)), ncol=min(m, 5))
    return _svg(fig)


# --- Effects ----------------------------------------------------------------------------------


@_style
def event_study(
    panels: Sequence[tuple[str, pd.DataFrame]],
    lang: str,
    xlabel: str,
    ylabel: str,
    band_label: str,
    shade_label: str = "",
    shade: tuple[float, float] | None = None,
) -> str:
    """Event-study plot(s): estimate by event time with a shaded 95 % band; one panel per frame.

    Each frame: event_time, estimate, ci_low, ci_high (suppressed values missing: not drawn).
    """
    k = len(panels)
    fig, axes = _new(2.9 if k == 1 else 2.6, ncols=k, sharey=True)
    for i, (title, d) in enumerate(panels):
        ax = axes[0, i]
        d = d.sort_values("event_time")
        x = d["event_time"].to_numpy(dtype=float)
        est = pd.to_numeric(d["estimate"], errors="coerce").to_numpy(dtype=float)
        lo = pd.to_numeric(d["ci_low"], errors="coerce").to_numpy(dtype=float)
        hi = pd.to_numeric(d["ci_high"], errors="coerce").to_numpy(dtype=float)
        if shade is not None:
            ax.axvspan(
                shade[0], shade[1], color="#eeeeee", zorder=0, label=shade_label if i == 0 else None
            )
        ax.fill_between(
            x,
            lo,
            hi,
            color=OKABE_ITO[4],
            alpha=0.45,
            linewidth=0,
            label=band_label if i == 0 else None,
        )
        ax.plot(x, lo, color=OKABE_ITO[0], linewidth=0.6, linestyle=":")
        ax.plot(x, hi, color=OKABE_ITO[0], linewidth=0.6, linestyle=":")
        ax.plot(x, est, color=OKABE_ITO[0], marker="o", markersize=2.5, linewidth=1.5)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(-0.5, color="#555555", linewidth=0.8, linestyle="--")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(MultipleLocator(6))
        ax.xaxis.set_major_formatter(_num_formatter(lang))
        ax.yaxis.set_major_formatter(_pp_formatter(lang))
        if i == 0:
            ax.set_ylabel(ylabel)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, -0.06), ncol=2)
        fig.subplots_adjust(bottom=0.26)
    return _svg(fig)


@_style
def estimator_comparison(
    series: Sequence[tuple[str, pd.DataFrame, bool]],
    lang: str,
    xlabel: str,
    ylabel: str,
    band_label: str,
) -> str:
    """Several estimators on one axis: the headline with a band, the others as styled lines."""
    fig, axes = _new(3.0)
    ax = axes[0, 0]
    for i, (name, d, band) in enumerate(series):
        d = d.sort_values("event_time")
        x = d["event_time"].to_numpy(dtype=float)
        est = pd.to_numeric(d["estimate"], errors="coerce").to_numpy(dtype=float)
        color = OKABE_ITO[i % len(OKABE_ITO)]
        if band:
            lo = pd.to_numeric(d["ci_low"], errors="coerce").to_numpy(dtype=float)
            hi = pd.to_numeric(d["ci_high"], errors="coerce").to_numpy(dtype=float)
            ax.fill_between(x, lo, hi, color=OKABE_ITO[4], alpha=0.4, linewidth=0, label=band_label)
        ax.plot(
            x,
            est,
            color=color,
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            marker=MARKERS[i % len(MARKERS)],
            markevery=3,
            markersize=3.5,
            label=name,
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="#555555", linewidth=0.8, linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MultipleLocator(6))
    ax.xaxis.set_major_formatter(_num_formatter(lang))
    ax.yaxis.set_major_formatter(_pp_formatter(lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    return _svg(fig)


@_style
def forest(
    panels: Sequence[tuple[str, pd.DataFrame]],
    labels: Sequence[str],
    lang: str,
    xlabel: str,
    scale: str = "pp",
) -> str:
    """Forest plot: rows = subgroups (in `labels` order, frames carry a ``label`` column), one
    panel per measure; point estimate with its 95 % interval, suppressed rows show ':'.
    `scale`: ``"pp"`` (shares as signed percentage points) or ``"thousands"`` (amounts in
    thousands, e.g. NOK 1 000)."""
    k = len(panels)
    n = len(labels)
    fig, axes = _new(0.27 * n + 1.3, ncols=k, sharey=True)
    y = np.arange(n)
    for i, (title, d) in enumerate(panels):
        ax = axes[0, i]
        d = d.set_index("label").reindex(labels)
        k = 1000.0 if scale == "thousands" else 1.0
        est = pd.to_numeric(d["estimate"], errors="coerce").to_numpy(dtype=float) / k
        lo = pd.to_numeric(d["ci_low"], errors="coerce").to_numpy(dtype=float) / k
        hi = pd.to_numeric(d["ci_high"], errors="coerce").to_numpy(dtype=float) / k
        is_all = np.array([j == 0 for j in range(n)])
        ax.hlines(y, lo, hi, color=OKABE_ITO[0], linewidth=1.4)
        ax.scatter(est[~is_all], y[~is_all], marker="s", s=18, color=OKABE_ITO[0], zorder=3)
        ax.scatter(est[is_all], y[is_all], marker="D", s=34, color="black", zorder=3)
        ax.axvline(0, color="black", linewidth=0.8)
        for j in range(n):
            if not np.isfinite(est[j]):
                ax.text(
                    0,
                    y[j],
                    fmt.SUPPRESSED,
                    ha="center",
                    va="center",
                    fontsize=8,
                    bbox=dict(fc="white", ec="none", pad=0.5),
                )
        ax.set_title(title)
        ax.xaxis.set_major_formatter(_pp_formatter(lang) if scale == "pp" else _num_formatter(lang))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
    axes[0, 0].set_yticks(y, labels)
    axes[0, 0].invert_yaxis()
    return _svg(fig)
