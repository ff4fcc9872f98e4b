"""Alternative text for every figure, written from the data the figure draws.

A screen-reader user (and the PDF/UA structure tree) gets what a sighted reader sees: what kind of
chart it is, its axes, and the values that matter for each series (first, last, highest,
lowest; for bars every value). Values that are hidden or not available are said to be so, never
read as 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis import formatting as fmt
from analysis.report.text import Texts

TEXT = Texts(
    {
        "lines": ("Linjediagram: {y} etter {x}.", "Line chart: {y} by {x}."),
        "line_series": (
            "{name}: fra {first} ({x0}) til {last} ({x1}); høyest {hi} ({xhi}), lavest {lo} ({xlo}).",
            "{name}: from {first} ({x0}) to {last} ({x1}); highest {hi} ({xhi}), lowest {lo} ({xlo}).",
        ),
        "line_one": ("{name}: {first} ({x0}).", "{name}: {first} ({x0})."),
        "line_none": ("{name}: ingen verdier vises.", "{name}: no values are shown."),
        "gaps": (
            "{n} verdier er skjult eller ikke tilgjengelige og er ikke tegnet.",
            "{n} values are hidden or not available and are not drawn.",
        ),
        "vline": ("En loddrett linje markerer {what}.", "A vertical line marks {what}."),
        "bars": ("Stolpediagram: {y} etter {x}.", "Bar chart: {y} by {x}."),
        "stacked": (
            "Stablet stolpediagram (til sammen 100 %): {y} etter {x}.",
            "Stacked bar chart (adding to 100 %): {y} by {x}.",
        ),
        "bar_group": ("{cat}: {values}.", "{cat}: {values}."),
        "pair": ("{name} {value}", "{name} {value}"),
        "event": (
            "Effektdiagram: {y} etter {x}, med 95 % konfidensintervall.",
            "Effect chart: {y} by {x}, with 95 % confidence interval.",
        ),
        "event_series": (
            "{name}: før start mellom {pre_lo} og {pre_hi}; {points}.",
            "{name}: before the start between {pre_lo} and {pre_hi}; {points}.",
        ),
        "event_point": ("måned {e}: {est} ({lo} til {hi})", "month {e}: {est} ({lo} to {hi})"),
        "event_point_noci": ("måned {e}: {est}", "month {e}: {est}"),
        "forest": (
            "Punktdiagram med intervaller: {x} for hver undergruppe, {panel}.",
            "Dot chart with intervals: {x} for each subgroup, {panel}.",
        ),
        "forest_row": ("{name} {est} ({lo} til {hi})", "{name} {est} ({lo} to {hi})"),
        "dots": (
            "Punktdiagram: {x} for {a} og {b}.",
            "Dot chart: {x} for {a} and {b}.",
        ),
        "dot_row": ("{name}: {va} og {vb}", "{name}: {va} and {vb}"),
        "hidden": ("skjult", "hidden"),
        "na": ("ikke tilgjengelig", "not available"),
    }
)


def _value(v: float, lang: str, unit: str) -> str:
    if not np.isfinite(v):
        return TEXT("na", lang)
    if unit == "pct":
        return fmt.format_percent(v, 0, lang)
    if unit == "pp":
        return fmt.format_signed(v * 100, 1, lang) + (
            " percentage points" if lang == "en" else " prosentpoeng"
        )
    if unit == "k":
        return fmt.format_number(v, 0, lang)
    return fmt.format_number(v, 0, lang)


def lines(
    x: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    ylabel: str,
    xlabel: str,
    lang: str,
    unit: str = "num",
    vline: str = "",
) -> str:
    out = [TEXT("lines", lang, y=ylabel.lower(), x=xlabel.lower() or "x")]
    gaps = 0
    for name, ys in series:
        v = np.asarray(ys, dtype=float)
        ok = np.flatnonzero(np.isfinite(v))
        if ok.size == 0:
            out.append(TEXT("line_none", lang, name=name))
            continue
        gaps += int(len(v) - ok.size)
        if ok.size == 1:
            i = ok[0]
            out.append(TEXT("line_one", lang, name=name, first=_value(v[i], lang, unit), x0=x[i]))
            continue
        hi = ok[np.argmax(v[ok])]
        lo = ok[np.argmin(v[ok])]
        out.append(
            TEXT(
                "line_series",
                lang,
                name=name,
                first=_value(v[ok[0]], lang, unit),
                x0=x[ok[0]],
                last=_value(v[ok[-1]], lang, unit),
                x1=x[ok[-1]],
                hi=_value(v[hi], lang, unit),
                xhi=x[hi],
                lo=_value(v[lo], lang, unit),
                xlo=x[lo],
            )
        )
    if vline:
        out.append(TEXT("vline", lang, what=vline))
    if gaps:
        out.append(TEXT("gaps", lang, n=gaps))
    return " ".join(out)


def bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    ylabel: str,
    xlabel: str,
    lang: str,
    unit: str = "pct",
    stacked: bool = False,
    symbols: Sequence[Sequence[str | None]] | None = None,
) -> str:
    """Every value of every bar, category by category (symbols for those not shown)."""
    out = [TEXT("stacked" if stacked else "bars", lang, y=ylabel.lower(), x=xlabel.lower())]
    for j, cat in enumerate(categories):
        parts = []
        for i, (name, vals) in enumerate(series):
            v = float(np.asarray(vals, dtype=float)[j])
            if np.isfinite(v):
                shown = _value(v, lang, unit)
            else:
                sym = symbols[i][j] if symbols is not None else None
                shown = TEXT("hidden", lang) if sym == fmt.SUPPRESSED else TEXT("na", lang)
                if stacked:
                    continue
            parts.append(TEXT("pair", lang, name=name, value=shown))
        if parts:
            out.append(TEXT("bar_group", lang, cat=cat, values=", ".join(parts)))
    return " ".join(out)


def event_study(
    series: Sequence[
        tuple[str, Sequence[float], Sequence[float], Sequence[float], Sequence[float]]
    ],
    ylabel: str,
    xlabel: str,
    lang: str,
    points: Sequence[int] = (0, 6, 12, 24, 36),
) -> str:
    """``series``: (name, event_time, estimate, ci_low, ci_high)."""
    out = [TEXT("event", lang, y=ylabel.lower(), x=xlabel.lower())]
    for name, e, est, lo, hi in series:
        e = np.asarray(e, dtype=float)
        est, lo, hi = (np.asarray(a, dtype=float) for a in (est, lo, hi))
        pre = est[(e < 0) & np.isfinite(est)]
        pts = []
        for k in points:
            m = np.flatnonzero((e == k) & np.isfinite(est))
            if m.size:
                i = m[0]
                if np.isfinite(lo[i]) and np.isfinite(hi[i]):
                    pts.append(
                        TEXT(
                            "event_point",
                            lang,
                            e=k,
                            est=_value(est[i], lang, "pp"),
                            lo=_value(lo[i], lang, "pp"),
                            hi=_value(hi[i], lang, "pp"),
                        )
                    )
                else:
                    pts.append(TEXT("event_point_noci", lang, e=k, est=_value(est[i], lang, "pp")))
        out.append(
            TEXT(
                "event_series",
                lang,
                name=name,
                pre_lo=_value(pre.min(), lang, "pp") if pre.size else TEXT("na", lang),
                pre_hi=_value(pre.max(), lang, "pp") if pre.size else TEXT("na", lang),
                points="; ".join(pts) if pts else TEXT("na", lang),
            )
        )
    return " ".join(out)


def forest(
    labels: Sequence[str],
    panels: Sequence[tuple[str, Sequence[float], Sequence[float], Sequence[float]]],
    xlabel: str,
    lang: str,
    unit: str = "pp",
) -> str:
    """``panels``: (title, estimate, ci_low, ci_high) in ``labels`` order."""
    out = []
    for title, est, lo, hi in panels:
        out.append(TEXT("forest", lang, x=xlabel.lower(), panel=title.lower()))
        rows = []
        for j, name in enumerate(labels):
            e, a, b = (float(np.asarray(x, dtype=float)[j]) for x in (est, lo, hi))
            if not np.isfinite(e):
                rows.append(TEXT("pair", lang, name=name, value=TEXT("hidden", lang)))
                continue
            rows.append(
                TEXT(
                    "forest_row",
                    lang,
                    name=name,
                    est=_value(e, lang, unit),
                    lo=_value(a, lang, unit),
                    hi=_value(b, lang, unit),
                )
            )
        out.append("; ".join(rows) + ".")
    return " ".join(out)


def dots(
    rows: Sequence[tuple[str, float, float]], names: tuple[str, str], xlabel: str, lang: str
) -> str:
    out = [TEXT("dots", lang, x=xlabel.lower(), a=names[0], b=names[1])]
    out.append(
        "; ".join(
            TEXT(
                "dot_row",
                lang,
                name=n,
                va=_value(a, lang, "pct"),
                vb=_value(b, lang, "pct"),
            )
            for n, a, b in rows
        )
        + "."
    )
    return " ".join(out)


__all__ = ["bars", "dots", "event_study", "forest", "lines"]
