"""The rating's charts (R10): PNG images from plain values, deterministic, any script."""

from __future__ import annotations

import io

from PIL import Image

from presswatch.rating import charts

LABELS = {
    "score": "Ball", "institutions": "Tashkilotlar", "green": "yashil", "yellow": "sariq",
    "red": "qizil", "institution": "Oʻzbekiston Respublikasi Adliya vazirligi",
    "median": "Медиана", "not_applicable": "qoʻllanilmaydi",
}  # fmt: skip


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_the_distribution_is_a_png_with_the_band_colours_and_the_same_bytes_each_time():
    scores = [12.5, 40, 54.99, 55, 60, 70.99, 71, 88, 100]
    first = charts.score_distribution(
        scores, green_min=71, yellow_min=55, title="Baholar taqsimoti 2025-H1", labels=LABELS
    )
    again = charts.score_distribution(
        scores, green_min=71, yellow_min=55, title="Baholar taqsimoti 2025-H1", labels=LABELS
    )
    assert first == again
    image = _image(first).convert("RGB")
    assert image.format is None or image.size[0] > 500
    colours = set(image.getdata())

    # The band shading: a light red, yellow and green are all on the chart.
    def near(target):
        return any(sum(abs(a - b) for a, b in zip(c, target, strict=True)) < 40 for c in colours)

    assert near((248, 233, 233)) and near((254, 246, 230)) and near((234, 242, 234))


def test_indicators_draw_with_a_not_applicable_one_and_cyrillic_names():
    png = charts.indicators_against_median(
        ["R1 Sahifalar", "R2 Мунтазамлик", "R3 Javob", "R4 Аккредитация"],
        [1.0, 0.5, None, 0.25],
        [0.8, 0.6, 0.7, None],
        title="Ўзбекистон Республикаси Адлия вазирлиги",
        labels=LABELS,
    )
    image = _image(png)
    assert image.size[0] > 500 and image.size[1] > 150


def test_a_trend_with_a_gap_draws():
    png = charts.score_trend(
        ["2024-H1", "2024-H2", "2025-H1"], [60.0, None, 72.5], green_min=71, yellow_min=55,
        title="Trend", labels=LABELS,
    )  # fmt: skip
    assert _image(png).size[0] > 500


def test_the_font_the_pdf_embeds_is_the_one_charts_use_and_has_uzbek_and_cyrillic():
    from fontTools.ttLib import TTFont

    cmap = TTFont(charts.FONT_PATH).getBestCmap()
    assert all(ord(ch) in cmap for ch in "ʻʼЎўҚқҒғҲҳ—")
