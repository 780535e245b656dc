"""The rating's charts as PNG images (R10), for the HTML report and the PDF: the score
distribution with the band limits (the agency's league table), an institution's indicators
against the median of all, and its score over past periods.

matplotlib with its Agg backend (no display, no system library) and its bundled DejaVu Sans,
which has Cyrillic and the Uzbek ʻ (U+02BB); the PDF embeds the same font (``FONT_PATH``), so
labels look the same in both. A chart is drawn from plain values and returned as PNG bytes:
nothing here reads the database. Deterministic: the same values give the same bytes (no dates
in the metadata), so a rerun of a report does not change its attachments.

The two charts of a scorecard are drawn for every institution (3,000 of them), so they are
stencils: ``IndicatorChart`` and ``TrendChart`` draw what all institutions share once (axes,
names, medians, band limits, legend) and then, per institution, restore that background and
draw only its own bars or line (matplotlib's blitting): ~7 ms a chart instead of ~100 ms.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display is needed or wanted
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from PIL import Image  # noqa: E402

FONT_PATH = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
BAND_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
BAR_COLOUR = "#1565c0"
MEDIAN_COLOUR = "#ef6c00"
DPI = 96  # 2.4 pixels a millimetre across an A4 page's text width

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


class _Stencil:
    """A figure whose shared parts are drawn once; ``_frame`` restores them for the next
    institution and ``_encode`` turns the canvas into PNG bytes."""

    def __init__(self, figure) -> None:
        self.figure = figure
        figure.canvas.draw()
        self.background = figure.canvas.copy_from_bbox(figure.bbox)

    def _frame(self) -> None:
        self.figure.canvas.restore_region(self.background)

    def _encode(self) -> bytes:
        """What is drawn now as PNG bytes: 8-bit RGB, not interlaced, so that a PDF embeds
        them as they are (``presswatch.rating.pdf``)."""
        width, height = self.figure.canvas.get_width_height()
        rgba = self.figure.canvas.buffer_rgba()
        image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()

    def close(self) -> None:
        plt.close(self.figure)


class IndicatorChart(_Stencil):
    """Horizontal bars of one institution's indicators (0-1 shown as 0-100) against the median
    of all institutions (a tick); an indicator not applicable is drawn empty and labelled so.
    ``labels``: 'institution', 'median', 'not_applicable'."""

    def __init__(
        self, names: Sequence[str], medians: Sequence[float | None], *, title: str,
        labels: Mapping[str, str],
    ) -> None:  # fmt: skip
        figure, axes = plt.subplots(figsize=(7.5, 0.45 * len(names) + 1.0), dpi=DPI)
        self.rows = list(range(len(names)))[::-1]
        axes.legend(
            handles=[Patch(color=BAR_COLOUR, label=labels["institution"]),
                     Line2D([], [], color=MEDIAN_COLOUR, linewidth=2, label=labels["median"])],
            loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=8, frameon=False,
        )  # fmt: skip  # below the axes: a bar never hides it
        axes.set_yticks(self.rows, list(names), fontsize=8)
        axes.set_xlim(0, 100)
        axes.set_ylim(-0.6, len(names) - 0.4)
        axes.set_title(title, fontsize=10)
        figure.tight_layout()
        self.axes = axes
        self.bars = axes.barh(self.rows, [0] * len(names), color=BAR_COLOUR, height=0.6,
                              animated=True)  # fmt: skip
        # The medians are the same for everyone but go over the bars: drawn after them.
        self.medians = LineCollection(
            [[(m * 100, row - 0.35), (m * 100, row + 0.35)]
             for row, m in zip(self.rows, medians, strict=True) if m is not None],
            colors=MEDIAN_COLOUR, linewidths=2, animated=True,
        )  # fmt: skip
        axes.add_collection(self.medians, autolim=False)
        self.absent = [
            axes.text(
                1,
                row,
                labels["not_applicable"],
                va="center",
                fontsize=8,
                color="#616161",
                animated=True,
            )  # fmt: skip
            for row in self.rows
        ]
        super().__init__(figure)

    def render(self, values: Sequence[float | None]) -> bytes:
        self._frame()
        for bar, label, value in zip(self.bars, self.absent, values, strict=True):
            if value is None:
                self.axes.draw_artist(label)
            else:
                bar.set_width(float(value) * 100)
                self.axes.draw_artist(bar)
        self.axes.draw_artist(self.medians)
        return self._encode()


class TrendChart(_Stencil):
    """The institution's score over the periods, the band limits as lines; a period it was not
    rated in is a gap. ``labels``: 'score'."""

    def __init__(
        self, periods: Sequence[str], *, green_min: float, yellow_min: float, title: str,
        labels: Mapping[str, str],
    ) -> None:  # fmt: skip
        figure, axes = plt.subplots(figsize=(7.5, 2.6), dpi=DPI)
        self.positions = list(range(len(periods)))
        for limit, band in ((yellow_min, "yellow"), (green_min, "green")):
            axes.axhline(limit, color=BAND_COLOURS[band], linestyle="--", linewidth=1)
        axes.set_xticks(self.positions, list(periods), fontsize=8)
        axes.set_xlim(-0.5, max(len(periods) - 0.5, 0.5))
        axes.set_ylim(0, 100)
        axes.set_ylabel(labels["score"])
        axes.set_title(title, fontsize=10)
        figure.tight_layout()
        self.axes = axes
        (self.line,) = axes.plot([], [], marker="o", color=BAR_COLOUR, animated=True)
        super().__init__(figure)

    def render(self, scores: Sequence[float | None]) -> bytes:
        self._frame()
        self.line.set_data(self.positions, [math.nan if s is None else float(s) for s in scores])
        self.axes.draw_artist(self.line)
        return self._encode()


def _once(stencil: _Stencil, values: Sequence[float | None]) -> bytes:
    try:
        return stencil.render(values)
    finally:
        stencil.close()


def indicators_against_median(
    names: Sequence[str], values: Sequence[float | None], medians: Sequence[float | None],
    *, title: str, labels: Mapping[str, str],
) -> bytes:  # fmt: skip
    """One ``IndicatorChart``, drawn once."""
    return _once(IndicatorChart(names, medians, title=title, labels=labels), values)


def score_trend(
    periods: Sequence[str], scores: Sequence[float | None], *, green_min: float,
    yellow_min: float, title: str, labels: Mapping[str, str],
) -> bytes:  # fmt: skip
    """One ``TrendChart``, drawn once."""
    chart = TrendChart(periods, green_min=green_min, yellow_min=yellow_min, title=title,
                       labels=labels)  # fmt: skip
    return _once(chart, scores)
