"""The tuning notebook's figures: level and rate distributions with the thresholds, the gate.

Figures are built with matplotlib's object API (no pyplot state, so a redraw never leaks a
figure or shows one twice) and returned; :func:`png` renders one for display.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import SubplotSpec

from calibration.tuning import Dimension, Settings, threshold_lines

__all__ = ["KIND_STYLE", "distributions", "gate_figure", "png"]

#: Colour and marker of real and synthetic clips.
KIND_STYLE: Final = {
    "real": {"color": "#1f77b4", "marker": "o"},
    "synthetic": {"color": "#ff7f0e", "marker": "^"},
}
_THRESHOLD: Final = "#c0392b"
_STACK: Final = "#7f7f7f"
_REFERENCE: Final = "#2e8b57"


def png(figure: Figure, *, dpi: int = 96) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _limits(values: np.ndarray, marks: Sequence[float], pad: float) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    points = np.concatenate((finite, np.asarray(marks, dtype=float)))
    return float(points.min() - pad), float(points.max() + pad)


def _bands(ax: Axes, lines: Sequence[tuple[str, str, float]], low: float, high: float) -> None:
    """Shade every other class band and name each band at the top of ``ax``."""
    edges = [low, *(value for _, _, value in lines), high]
    names = [lines[0][1].split(" | ")[0], *(boundary.split(" | ")[1] for _, boundary, _ in lines)]
    for i, name in enumerate(names):
        left, right = edges[i], edges[i + 1]
        if right <= left:
            continue
        if i % 2:
            ax.axvspan(left, right, color="#f2f2f2", zorder=0)
        ax.text(
            (left + right) / 2, 0.97, name, transform=ax.get_xaxis_transform(),
            ha="center", va="top", fontsize=9, color="#555555", style="italic",
        )  # fmt: skip


def _thresholds(
    ax: Axes,
    lines: Sequence[tuple[str, str, float]],
    stack: Sequence[tuple[str, str, float]] | None,
) -> None:
    """Solid lines at the slider values and dashed at the stack's, each with its value."""
    tuned = {round(value, 3) for _, _, value in lines}
    for _, _, value in stack or ():
        ax.axvline(value, color=_STACK, linestyle="--", linewidth=1, zorder=2)
        if round(value, 3) in tuned:
            continue  # the slider sits on the stack's value: one label
        ax.annotate(
            f"stack {value:g}", (value, 0.0), xycoords=("data", "axes fraction"),
            xytext=(2, 2), textcoords="offset points", fontsize=8, color=_STACK, zorder=5,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none",
                  "alpha": 0.8},
        )  # fmt: skip
    for _, _, value in lines:
        ax.axvline(value, color=_THRESHOLD, linewidth=1.8, zorder=3)
        ax.annotate(
            f"{value:g}", (value, 1.0), xycoords=("data", "axes fraction"),
            xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
            fontsize=9, fontweight="bold", color=_THRESHOLD,
        )  # fmt: skip


def _histogram(
    ax: Axes, classified: pd.DataFrame, column: str, bins: np.ndarray, *, gated: str | None
) -> None:
    """Stacked counts per kind (real, synthetic); clips the gate keeps neutral are hatched."""
    bottom = np.zeros(bins.size - 1)
    for kind, style in KIND_STYLE.items():
        rows = classified[classified["kind"] == kind]
        parts = [("", rows)]
        if gated is not None:
            applied = rows[gated].to_numpy(dtype=bool)
            parts = [("", rows[applied]), (" gated", rows[~applied])]
        for suffix, part in parts:
            values = part[column].to_numpy(dtype=float)
            counts, _ = np.histogram(values[np.isfinite(values)], bins=bins)
            if not counts.any():
                continue
            ax.bar(
                bins[:-1], counts, width=np.diff(bins), bottom=bottom, align="edge",
                color=style["color"], alpha=0.35 if suffix else 0.8,
                hatch="///" if suffix else None, edgecolor="white", linewidth=0.5,
                label=f"{kind}{suffix} ({int(counts.sum())})", zorder=1,
            )  # fmt: skip
            bottom += counts
    top = max(1.0, float(bottom.max()))
    ax.set_ylim(0, top * 1.3)
    ax.set_ylabel("clips")


def _strip(ax: Axes, classified: pd.DataFrame, column: str, rows: Sequence[str]) -> None:
    """One row of markers per clip for each of ``rows`` (columns of ``classified``)."""
    rng = np.random.default_rng(0)
    for y, name in enumerate(rows):
        for kind, style in KIND_STYLE.items():
            values = classified.loc[classified["kind"] == kind, name].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if values.size:
                jitter = rng.uniform(-0.18, 0.18, values.size)
                ax.scatter(
                    values, y + jitter, s=18, alpha=0.75, color=style["color"],
                    marker=style["marker"], linewidths=0.5, zorder=3,
                )  # fmt: skip
    ax.set_yticks(range(len(rows)), [_STRIP_NAMES.get(r, r) for r in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)


_STRIP_NAMES: Final = {
    "level_dbfs": "level",
    "rate_wpm": "acoustic",
    "exact_wpm": "transcript",
}


def _panel(
    figure: Figure,
    spec: tuple[SubplotSpec, SubplotSpec],
    classified: pd.DataFrame,
    *,
    settings: Settings,
    stack: Settings | None,
    dimension: Dimension,
) -> None:
    ax = figure.add_subplot(spec[0])
    strip = figure.add_subplot(spec[1], sharex=ax)
    lines = threshold_lines(settings, dimension)
    stack_lines = threshold_lines(stack, dimension) if stack is not None else None
    marks = [v for _, _, v in lines] + [v for _, _, v in stack_lines or ()]
    if dimension == "volume":
        column, width, pad = "level_dbfs", 1.0, 2.0
        values = classified[column].to_numpy(dtype=float)
        marks.append(settings.reference_dbfs)
        rows = ["level_dbfs"]
        xlabel = "active-speech level (dBFS, full-scale square = 0)"
        title = "volume: level distribution"
        gated = None
    else:
        column, width, pad = "rate_wpm", 10.0, 10.0
        values = np.concatenate(
            (classified[column].to_numpy(dtype=float), classified["exact_wpm"].to_numpy(float))
        )
        has_exact = bool(np.isfinite(classified["exact_wpm"].to_numpy(dtype=float)).any())
        rows = ["rate_wpm", "exact_wpm"] if has_exact else ["rate_wpm"]
        xlabel = (
            f"speaking rate (WPM; acoustic = syllable nuclei x {settings.acoustic_scale:g}, "
            "as the Lambda measures without a transcript)"
        )
        title = f"rate: acoustic estimate, hatched = below the gate {settings.min_stability:g}"
        gated = "rate_applied"
    low, high = _limits(values, marks, pad)
    bins = np.arange(math.floor(low / width) * width, high + width, width)
    _bands(ax, lines, low, high)
    _histogram(ax, classified, column, bins, gated=gated)
    _thresholds(ax, lines, stack_lines)
    if dimension == "volume":
        ax.axvline(settings.reference_dbfs, color=_REFERENCE, linestyle=":", linewidth=1.8)
        ax.annotate(
            f"reference {settings.reference_dbfs:g}", (settings.reference_dbfs, 0.80),
            xycoords=("data", "axes fraction"), xytext=(3, 0), textcoords="offset points",
            fontsize=8, color=_REFERENCE,
        )  # fmt: skip
    ax.set_xlim(low, high)
    ax.set_title(title, loc="left", fontsize=10, pad=16)
    ax.legend(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(0.0, 0.9))
    ax.tick_params(labelbottom=False)
    _strip(strip, classified, column, rows)
    for _, _, value in lines:
        strip.axvline(value, color=_THRESHOLD, linewidth=1.2)
    strip.set_xlabel(xlabel, fontsize=9)


def distributions(
    classified: pd.DataFrame, settings: Settings, *, stack: Settings | None = None
) -> Figure:
    """Level and rate distributions with the thresholds (solid: ``settings``; dashed: ``stack``).

    Bars count clips per bin (real and synthetic stacked, in their colours); below them one
    marker per clip (real o, synthetic ^); the rate panel adds the rates from transcripts.
    """
    figure = Figure(figsize=(11, 7.8))  # a fixed layout: a layout engine triples the redraw
    grid = figure.add_gridspec(
        5, 1, height_ratios=(3, 0.9, 1.05, 3, 1.3), hspace=0.08,
        left=0.08, right=0.99, top=0.93, bottom=0.07,
    )  # fmt: skip
    panels: tuple[tuple[tuple[SubplotSpec, SubplotSpec], Dimension], ...] = (
        ((grid[0], grid[1]), "volume"),
        ((grid[3], grid[4]), "rate"),
    )
    for cells, dimension in panels:
        _panel(figure, cells, classified, settings=settings, stack=stack, dimension=dimension)
    return figure


def gate_figure(curve: pd.DataFrame, settings: Settings) -> Figure:
    """Share applied and class accuracy among applied clips against the gate, per dimension."""
    figure = Figure(figsize=(11, 3.4))
    figure.subplots_adjust(left=0.07, right=0.99, top=0.88, bottom=0.15)
    ax = figure.add_subplot()
    colours = {"volume": "#8e44ad", "rate": "#1f77b4"}
    gate = settings.min_stability
    at = curve.index[np.argmin(np.abs(curve.index.to_numpy(dtype=float) - gate))]
    for dimension, colour in colours.items():
        share = curve[f"{dimension} applied %"]
        accuracy = curve[f"{dimension} accuracy applied %"]
        ax.plot(curve.index, share, color=colour, linewidth=2, label=f"{dimension}: applied %")
        if accuracy.notna().any():
            ax.plot(
                curve.index, accuracy, color=colour, linestyle="--", linewidth=1.5,
                label=f"{dimension}: class right among applied %",
            )  # fmt: skip
    ax.axvline(gate, color=_THRESHOLD, linewidth=1.8)
    ax.annotate(
        f"gate {gate:g}: rate applied {curve.loc[at, 'rate applied %']:.0f} %, "
        f"volume applied {curve.loc[at, 'volume applied %']:.0f} %",
        (gate, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
        textcoords="offset points", ha="right" if gate > 0.6 else "left", va="bottom", fontsize=9,
        fontweight="bold", color=_THRESHOLD,
    )  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 105)
    ax.set_xlabel("minimum detector confidence (the stack's minStabilityThreshold)")
    ax.set_ylabel("% of clips")
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return figure
