"""The rating's charts as PNG images (R10), for the HTML report and the PDF: the score
distribution with the band limits (the agency's league table), an institution's indicators
against the median of all, and its score over past periods.

matplotlib with its Agg backend (no display, no system library) and its bundled DejaVu Sans,
which has Cyrillic and the Uzbek ʻ (U+02BB); the PDF embeds the same font (``FONT_PATH``), so
labels look the same in both. A chart is drawn from plain values and returned as PNG bytes:
nothing here reads the database. Deterministic: the same values give the same bytes (no dates
in the metadata), so a rerun of a report does not change its attachments.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display is needed or wanted
import matplotlib.pyplot as plt  # noqa: E402

FONT_PATH = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
BAND_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
DPI = 110

plt.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "presswatch"})


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight",
                   metadata={"Software": None})  # fmt: skip
    plt.close(figure)
    return buffer.getvalue()


def score_distribution(
    scores: Sequence[float], *, green_min: float, yellow_min: float, title: str,
    labels: Mapping[str, str],
) -> bytes:  # fmt: skip
    """A histogram of the scores (0-100, bins of 5) with the band limits as lines.
    ``labels``: 'score', 'institutions', 'green', 'yellow', 'red' in the report's language."""
    figure, axes = plt.subplots(figsize=(7.5, 3.2))
    bins = list(range(0, 105, 5))
    axes.axvspan(0, yellow_min, color=BAND_COLOURS["red"], alpha=0.08, label=labels["red"])
    axes.axvspan(yellow_min, green_min, color=BAND_COLOURS["yellow"], alpha=0.10,
                 label=labels["yellow"])  # fmt: skip
    axes.axvspan(green_min, 100, color=BAND_COLOURS["green"], alpha=0.08, label=labels["green"])
    axes.hist(list(scores), bins=bins, color="#37474f", edgecolor="white")
    for limit in (yellow_min, green_min):
        axes.axvline(limit, color="#212121", linestyle="--", linewidth=1)
        axes.annotate(f"{limit:g}", (limit, 1), xycoords=("data", "axes fraction"),
                      xytext=(3, -12), textcoords="offset points", fontsize=8)  # fmt: skip
    axes.set_xlim(0, 100)
    axes.set_xlabel(labels["score"])
    axes.set_ylabel(labels["institutions"])
    axes.set_title(title, fontsize=10)
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    return _png(figure)


def indicators_against_median(
    names: Sequence[str], values: Sequence[float | None], medians: Sequence[float | None],
    *, title: str, labels: Mapping[str, str],
) -> bytes:  # fmt: skip
    """Horizontal bars of one institution's indicators (0-1 shown as 0-100) with the median of
    all institutions as a tick; an indicator not applicable is drawn empty and labelled so.
    ``labels``: 'institution', 'median', 'not_applicable'."""
    figure, axes = plt.subplots(figsize=(7.5, 0.45 * len(names) + 1.0))
    rows = list(range(len(names)))[::-1]
    for row, value, median in zip(rows, values, medians, strict=True):
        if value is None:
            axes.text(1, row, labels["not_applicable"], va="center", fontsize=8, color="#616161")
        else:
            axes.barh(row, value * 100, color="#1565c0", height=0.6)
        if median is not None:
            axes.plot([median * 100] * 2, [row - 0.35, row + 0.35], color="#ef6c00", linewidth=2)
    axes.plot([], [], color="#ef6c00", linewidth=2, label=labels["median"])
    axes.barh([], [], color="#1565c0", label=labels["institution"])
    axes.set_yticks(rows, list(names), fontsize=8)
    axes.set_xlim(0, 100)
    axes.set_title(title, fontsize=10)
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    return _png(figure)


def score_trend(
    periods: Sequence[str], scores: Sequence[float | None], *, green_min: float,
    yellow_min: float, title: str, labels: Mapping[str, str],
) -> bytes:  # fmt: skip
    """The institution's score over past periods, the band limits as lines; a period it was
    not rated in is a gap. ``labels``: 'score'."""
    figure, axes = plt.subplots(figsize=(7.5, 2.6))
    positions = list(range(len(periods)))
    axes.plot(positions, [float("nan") if s is None else s for s in scores], marker="o",
              color="#1565c0")  # fmt: skip
    for limit, band in ((yellow_min, "yellow"), (green_min, "green")):
        axes.axhline(limit, color=BAND_COLOURS[band], linestyle="--", linewidth=1)
    axes.set_xticks(positions, list(periods), fontsize=8)
    axes.set_ylim(0, 100)
    axes.set_ylabel(labels["score"])
    axes.set_title(title, fontsize=10)
    return _png(figure)
