"""The rating's PDF documents (R10): an institution's scorecard and the agency's league table,
laid out with fpdf2 (pure Python: no Pango, Cairo or other system library) from the same
context as the HTML (``presswatch.rating.report``).

The font is DejaVu Sans, the one the charts use (``charts.FONT_PATH``, shipped with
matplotlib), which covers Latin, Cyrillic and the Uzbek ʻ (U+02BB) and ʼ (U+02BC). fpdf2 embeds
the glyphs a document uses. The whole 750 KB font is first cut once per machine to the scripts
the reports write (``_font_file``: Latin, Cyrillic, the modifier letters and punctuation) and
kept in the temporary folder; fpdf2's parsing of it and its cut to each document's glyphs are
done once per process and glyph set (below: "the embedded font").

Deterministic: the creation date is the rating's period end, so the same rating gives the same
bytes (a rerun does not change an attachment).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools import subset as fontTools_subset
from fontTools import ttLib
from fpdf import FPDF
from fpdf import output as fpdf_output
from fpdf.enums import TextMode, XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.image_datastructures import ImageCache, RasterImageInfo
from fpdf.image_parsing import SETTINGS as IMAGE_SETTINGS
from fpdf.image_parsing import preload_image

from presswatch.rating.charts import BAND_COLOURS, FONT_PATH

FONT = "DejaVu"
# The charts' pixels are deflated at the fastest level: half the time of the default, for a
# few more kilobytes (3,000 scorecards, two charts each).
IMAGE_SETTINGS.compression_level = 1
# Basic Latin to Latin Extended-B, the modifier letters (ʻ ʼ), Cyrillic and its supplement,
# general punctuation (– — “ ” ‘ ’ …), № and the minus sign.
UNICODE_RANGES = ((0x20, 0x24F), (0x2B0, 0x2FF), (0x400, 0x52F), (0x2000, 0x206F),
                  (0x2116, 0x2116), (0x2212, 0x2212))  # fmt: skip
# The misses listed per indicator; the scorecard's HTML and CSV list all that are kept.
PDF_MISSES = 5
GREY = (97, 97, 97)
RED = (198, 40, 40)
BORDER = (207, 216, 220)
HEAD_FILL = (236, 239, 241)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
LINK = (21, 101, 192)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@lru_cache(maxsize=1)
def _font_file() -> str:
    """DejaVu Sans cut to ``UNICODE_RANGES``, made once per machine."""
    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # a line per table otherwise
    folder = Path(tempfile.gettempdir()) / "presswatch-fonts"
    folder.mkdir(exist_ok=True)
    recipe = repr((UNICODE_RANGES, "no-layout", "no-hinting")).encode()
    key = hashlib.sha256(FONT_PATH.read_bytes() + recipe).hexdigest()
    target = folder / f"{FONT_PATH.stem}-{key[:16]}.ttf"
    if not target.exists():
        options = subset.Options()
        # No text shaping is asked of fpdf2 (the scripts need none), so no GSUB/GPOS, and no
        # hinting: fpdf2 parses the font for every document, the smaller the faster.
        options.layout_features = []
        options.hinting = False
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.drop_tables += ["FFTM"]
        font = subset.load_font(str(FONT_PATH), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(
            unicodes=[c for first, last in UNICODE_RANGES for c in range(first, last + 1)]
        )
        subsetter.subset(font)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        subset.save_font(font, str(partial), options)
        partial.replace(target)  # atomic: another process may be writing it too
    return str(target)


# --- the embedded font, cut once per glyph set ------------------------------------------------
#
# fpdf2 parses the font for every document (~7 ms) and, when it writes one, cuts the font to
# the glyphs the document used with fontTools and compiles the cut (~13 ms): together 40% of a
# scorecard's time. Here the font is parsed once per process (each document gets a copy whose
# per-document parts are its own: the glyphs it uses, its descriptor, the font tables), and
# each document starts with its script's alphabet in its glyphs (ALPHABETS), so that the
# documents of a script use the same glyphs and the cut is made once per process and glyph set
# (_CachingSubsetter, in fpdf2's place of fontTools' subsetter). A document that uses a glyph
# outside its alphabet (a rare letter in a name) has a glyph set of its own, cut for it. The
# bytes are those fpdf2 writes itself (a test compares them, with ``plain_fpdf2``).
_LATIN = "".join(chr(c) for c in range(0x20, 0x7F)) + "ʻʼ‘’“”«»–—…№−·×"
ALPHABETS = {
    "latin": _LATIN,
    "cyrillic": _LATIN + "".join(chr(c) for c in range(0x410, 0x450)) + "ЁёЎўҚқҒғҲҳ",
}
SCRIPT_OF = {"uz-Latn": "latin", "en": "latin", "ru": "cyrillic", "uz-Cyrl": "cyrillic"}
_CUTS: dict[tuple, tuple[bytes, list[str]]] = {}
_PLAIN = False  # True: fpdf2 as it is (``plain_fpdf2``)


@contextmanager
def plain_fpdf2() -> Iterator[None]:
    """Documents made inside are made by fpdf2 alone: it parses and cuts the font itself."""
    global _PLAIN
    _PLAIN = True
    try:
        yield
    finally:
        _PLAIN = False


class _CachingSubsetter(fontTools_subset.Subsetter):
    """fontTools' subsetter as fpdf2 calls it when it writes a document (populate, subset,
    then the font's save and getGlyphID), which cuts each font file once per glyph set and
    options: the font of a later document with the same glyphs is given the cut's bytes and
    glyph order instead of being cut again."""

    def populate(self, glyphs=(), **kwargs) -> None:
        self._glyphs = frozenset(glyphs)
        super().populate(glyphs=glyphs, **kwargs)

    def subset(self, font) -> None:
        if _PLAIN:
            super().subset(font)
            return
        key = (font.reader.file.name, self._glyphs, repr(sorted(vars(self.options).items())))
        if key not in _CUTS:
            super().subset(font)
            buffer = io.BytesIO()
            font.save(buffer)
            _CUTS[key] = (buffer.getvalue(), font.getGlyphOrder())
        content, order = _CUTS[key]
        font.setGlyphOrder(order)
        font.save = lambda file, *args, **kwargs: file.write(content)


class _SubsetModule:
    """What fpdf2's writer reads of ``fontTools.subset``: its options, and the subsetter."""

    Options = fontTools_subset.Options
    Subsetter = _CachingSubsetter


fpdf_output.ftsubset = _SubsetModule


@lru_cache(maxsize=1)
def _parsed_font() -> TTFFont:
    document = FPDF()
    document.add_font(FONT, "", _font_file())
    return document.fonts[FONT.lower()]


def _add_font(document: FPDF, language: str) -> None:
    """The font, as ``FPDF.add_font`` adds it, with the alphabet of ``language``'s script
    among the document's glyphs."""
    if _PLAIN:
        document.add_font(FONT, "", _font_file())
    else:
        font = copy.copy(_parsed_font())
        font.i = len(document.fonts) + 1
        font.ttfont = ttLib.TTFont(font.ttffile, recalcTimestamp=False, lazy=True)
        font.desc = copy.copy(font.desc)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        document.fonts[FONT.lower()] = font
    font = document.fonts[FONT.lower()]
    for character in ALPHABETS[SCRIPT_OF[language]]:
        font.subset.pick(ord(character))


def _png_image(cache: ImageCache, png: bytes) -> tuple[str, RasterImageInfo]:
    """A PNG put in a document's image cache, and its name there for ``FPDF.image``.

    An 8-bit RGB PNG that is not interlaced (the scorecards' charts, ``charts._Stencil``) goes
    in as it is: its IDAT chunks are one zlib stream of rows, each led by its PNG filter byte,
    which is what a PDF image's FlateDecode with the PNG predictors (/Predictor 15) reads.
    fpdf2 would decode the pixels and deflate them again (~5 ms an image, two per scorecard).
    Any other PNG (the agency's histogram, with transparency) is left to fpdf2."""
    name = "png:" + hashlib.sha256(png).hexdigest()
    if name not in cache.images:
        header, idat, position = b"", [], 8
        if png[:8] == b"\x89PNG\r\n\x1a\n":
            while position + 8 <= len(png):
                length = int.from_bytes(png[position : position + 4], "big")
                kind = png[position + 4 : position + 8]
                body = png[position + 8 : position + 8 + length]
                if kind == b"IDAT":
                    idat.append(body)
                elif kind == b"IHDR":
                    header = body
                position += 12 + length
        if len(header) == 13 and header[8:10] == b"\x08\x02" and header[12] == 0 and idat:
            width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
            cache.images[name] = RasterImageInfo(
                data=b"".join(idat), w=width, h=height, cs="DeviceRGB", iccp=None, dpn=3, bpc=8,
                f="FlateDecode", dp=f"/Predictor 15 /Colors 3 /Columns {width}",
                i=len(cache.images) + 1, usages=0, iccp_i=None,
            )  # fmt: skip
        else:
            name, _, info = preload_image(cache, io.BytesIO(png))
            info["usages"] -= 1  # counted by FPDF.image
            return name, info
    return name, cache.images[name]


class _Document(FPDF):
    def __init__(self, lang, data, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        _add_font(self, lang.language)
        self.texts = lang
        self.data = data
        self.set_creation_date(dt.datetime.combine(data.rating["period_end"], dt.time(), dt.UTC))
        self.set_title(title)
        self.set_author(lang.agency)
        self.set_creator("presswatch")
        self.set_lang(lang.language)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=15)
        self.alias_nb_pages()
        self.add_page()

    def footer(self) -> None:
        self.set_y(-11)
        with self.style(7, colour=GREY):
            self.cell(0, 4, f"{self.texts.version(self.data)} · {self.page_no()}/{{nb}}",
                      align="R")  # fmt: skip

    @contextmanager
    def style(self, size: float, *, bold: bool = False, colour=BLACK) -> Iterator[None]:
        """Text drawn inside is of this size and colour; bold is the regular face drawn with an
        outline of its own colour (one embedded face, not two), inside a saved graphics state:
        fpdf2 does not set the text rendering mode back after a stroked text, and the text
        after it would be drawn with the table borders' outline."""
        self.set_font(FONT, "", size)
        if bold:
            with self.local_context(text_mode=TextMode.FILL_STROKE, text_color=colour,
                                    draw_color=colour, line_width=size * 0.018):  # fmt: skip
                yield
        else:
            self.set_text_color(*colour)
            yield
            self.set_text_color(*BLACK)

    # Text is broken into lines here, on spaces, from the font's glyph widths: fpdf2's own
    # line breaking (multi_cell) handles styled fragments and costs ~1 ms a paragraph, most of a
    # scorecard's time. Lines are remembered: most of the text is the same in every scorecard
    # of a language (indicator names, notes, labels).
    def lines(self, text: str, width: float) -> list[str]:
        key = (self.font_size_pt, round(width, 2), text)
        found = _LINE_BREAKS.get(key)
        if found is None:
            found = _break_lines(
                text, width, self.current_font.cw, self.font_size_pt / 1000 / self.k
            )
            if len(_LINE_BREAKS) < 50_000:
                _LINE_BREAKS[key] = found
        return found

    def line_of(self, text: str, size: float = 10, *, bold: bool = False, colour=None,
                height: float = 5, indent: float = 0, link: str | None = None) -> None:  # fmt: skip
        with self.style(size, bold=bold, colour=colour or BLACK):
            for line in self.lines(text, self.epw - indent):
                self.set_x(self.l_margin + indent)
                self.cell(self.epw - indent, height, line, link=link or "",
                          new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip

    def label_value(self, label: str, value: str, *, band: str | None = None) -> None:
        with self.style(10):
            self.cell(72, 6, label + ":")
        if band:
            fill, colour = _CELL_COLOURS[band]
            self.set_fill_color(*fill)
            with self.style(10, bold=True, colour=colour):
                self.cell(self.get_string_width(value) + 6, 6, value, fill=True, align="C",
                          new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
        else:
            with self.style(10):
                for line in self.lines(value, self.epw - 72):
                    self.set_x(self.l_margin + 72)
                    self.cell(self.epw - 72, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.line_of(text, 12, bold=True, height=6)
        self.ln(1)

    def chart(self, png: bytes, heading: str | None = None) -> None:
        """The chart (PNG bytes) across the page, its heading kept on the same page."""
        name, info = _png_image(self.image_cache, png)
        width = self.epw
        height = width * info["h"] / info["w"]
        if self.get_y() + height + (10 if heading else 0) > self.page_break_trigger:
            self.add_page()
        if heading:
            self.heading(heading)
        self.image(name, x=self.l_margin, w=width, h=height)
        self.set_y(self.get_y() + 2)

    def table_rows(self, header: list[str], rows: list[list[tuple[str, Any]]],
                   widths: list[float], aligns: str) -> None:  # fmt: skip
        """A table, its header repeated on each page; each cell is (text, style) with style
        None, 'low', 'na' or a band name. Drawn cell by cell (fpdf2's own tables lay every
        cell out twice: too slow for 3,000 scorecards)."""
        self.set_draw_color(*BORDER)
        self.set_line_width(0.2)
        self._row([(text, "heading") for text in header], widths, aligns)
        for cells in rows:
            if not self._row(cells, widths, aligns, fits_only=True):
                self.add_page()
                self._row([(text, "heading") for text in header], widths, aligns)
                self._row(cells, widths, aligns)
        self.set_x(self.l_margin)

    def _row(self, cells, widths, aligns, *, fits_only: bool = False) -> bool:
        pad, line_height = 1.2, 4.2
        laid_out = []
        for (text, style), width in zip(cells, widths, strict=True):
            bold = style in ("heading", "low") or style in BAND_COLOURS
            self.set_font(FONT, "", 8.5)
            laid_out.append((self.lines(text, width - 2 * pad), style, bold))
        height = max(len(lines) for lines, _, _ in laid_out) * line_height + 2 * pad - 0.8
        if fits_only and self.get_y() + height > self.page_break_trigger:
            return False
        x, y = self.l_margin, self.get_y()
        for (lines, style, bold), width, align in zip(laid_out, widths, aligns, strict=True):
            fill, colour = _CELL_COLOURS.get(style, (WHITE, (0, 0, 0)))
            self.set_fill_color(*fill)
            self.set_draw_color(*BORDER)
            self.set_line_width(0.2)
            self.rect(x, y, width, height, style="DF")
            with self.style(8.5, bold=bold, colour=colour):
                for number, line in enumerate(lines):
                    self.set_xy(x + pad, y + pad - 0.4 + number * line_height)
                    self.cell(width - 2 * pad, line_height, line, align=align)
            x += width
        self.set_xy(self.l_margin, y + height)
        return True


_LINE_BREAKS: dict[tuple, list[str]] = {}


def _break_lines(text: str, width: float, widths, scale: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (mm), broken at spaces (a word wider than a
    line, such as a long link, is broken between characters). ``widths``: the font's glyph
    widths by code point, in 1/1000 em; ``scale``: mm per unit at the font size."""
    space = widths[32] * scale
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for word in paragraph.split(" "):
            word_width = sum(widths[ord(c)] for c in word) * scale
            if line and line_width + space + word_width <= width:
                line, line_width = f"{line} {word}", line_width + space + word_width
                continue
            if line:
                lines.append(line)
            line, line_width = word, word_width
            while line_width > width and len(line) > 1:  # a word longer than the line
                cut, cut_width = 0, 0.0
                while cut < len(line) and cut_width + widths[ord(line[cut])] * scale <= width:
                    cut_width += widths[ord(line[cut])] * scale
                    cut += 1
                cut = max(cut, 1)
                lines.append(line[:cut])
                line = line[cut:]
                line_width = sum(widths[ord(c)] for c in line) * scale
        lines.append(line)
    return lines


_CELL_COLOURS = {
    "heading": (HEAD_FILL, (0, 0, 0)),
    "low": (WHITE, RED),
    "na": (WHITE, GREY),
    **{band: (_rgb(colour), (33, 33, 33) if band == "yellow" else WHITE)
       for band, colour in BAND_COLOURS.items()},
}  # fmt: skip


def _letterhead(pdf: _Document) -> None:
    lang = pdf.texts
    pdf.line_of(f"{lang.t('letterhead.country')} · {lang.agency}", 8, colour=GREY, height=4)
    pdf.ln(2)


def _bands_note(pdf: _Document) -> None:
    lang, bands = pdf.texts, pdf.data.bands
    pdf.line_of(
        lang.t("rating.bands_note", green=lang.t("band.green"), yellow=lang.t("band.yellow"),
               red=lang.t("band.red"), green_min=lang.number(bands["green_min"]),
               yellow_min=lang.number(bands["yellow_min"])),
        8, colour=GREY, height=4,
    )  # fmt: skip


def scorecard(context: dict[str, Any], lang) -> bytes:
    """An institution's scorecard (``report._scorecard_context``) as PDF bytes."""
    data, inst = context["data"], context["inst"]
    title = f"{lang.t('report.scorecard_title')}: {context['name']}"
    pdf = _Document(lang, data, f"{title}, {data.period}")
    _letterhead(pdf)
    pdf.line_of(title, 15, bold=True, height=7)
    pdf.line_of(lang.t("report.league_title"), 10)
    pdf.ln(1)
    pdf.line_of(lang.status(data), 10, bold=True)
    pdf.ln(2)
    pdf.label_value(lang.t("rating.period"),
                    f"{lang.date_range(data.rating['period_start'], data.last_day)} ({data.period})")  # fmt: skip
    pdf.label_value(lang.t("rating.score"), lang.t("rating.points", score=lang.score(inst.score)))
    pdf.label_value(lang.t("rating.rank"), lang.t("rating.rank_of", rank=lang.number(inst.rank),
                                                  total=lang.number(context["of_total"])))  # fmt: skip
    pdf.label_value(lang.t("rating.band"), lang.t(f"band.{inst.band}"), band=inst.band)
    pdf.label_value(
        lang.t("report.change"),
        lang.t("report.new_in_rating") if inst.score_change is None
        else lang.change(inst.score_change),
    )  # fmt: skip
    pdf.ln(3)
    rows = []
    for number, i in enumerate(context["indicators"], start=1):
        if i["score"] is None:
            rows.append([(f"R{number}", None), (i["name"], None),
                         (lang.percent(i["base_weight"]), "na"),
                         (lang.t("report.not_applicable"), "na"), (lang.score(i["median"]), None),
                         ("—", "na")])  # fmt: skip
        else:
            rows.append([(f"R{number}", None), (i["name"], None), (lang.percent(i["weight"]), None),
                         (lang.score(i["score"]), "low" if i["code"] in context["failed"] else None),
                         (lang.score(i["median"]), None),
                         (lang.number(i["score"] * i["weight"], 1), None)])  # fmt: skip
    pdf.table_rows(
        [lang.t("col.no"), lang.t("col.indicator"), lang.t("col.weight"), lang.t("col.score"),
         lang.t("report.median_short"), lang.t("col.weighted")],
        rows, [10, 75, 17, 33, 22, 23], "LLRRRR",
    )  # fmt: skip
    pdf.ln(2)
    if context["not_applicable"]:
        pdf.line_of(lang.t("report.not_applicable_note"), 8.5, colour=GREY, height=4)
    _bands_note(pdf)
    pdf.chart(context["chart_indicators"].png, lang.t("report.chart_indicators"))
    pdf.chart(context["chart_trend"].png, lang.t("report.chart_trend"))
    pdf.heading(lang.t("report.evidence"))
    for number, i in enumerate(context["indicators"], start=1):
        text = f"R{number}. {i['name']}: "
        if i["score"] is None:
            text += lang.t("report.not_applicable") + "; "
        text += i["evidence_text"]
        if i["code"] == "r3" and context["median_hours"] is not None:
            text += ". " + lang.t("report.response_median",
                                  hours=lang.number(context["median_hours"], 1))  # fmt: skip
        pdf.line_of(text, 9, height=4.5)
        if i["missed"]:
            pdf.line_of(f"{lang.t('report.missed')}:", 8.5, colour=GREY, height=4.2)
            for item, url in i["missed"][:PDF_MISSES]:
                if url:
                    pdf.line_of(f"• {item}: {url}", 8.5, colour=LINK, height=4.2, indent=4,
                                link=url)  # fmt: skip
                else:
                    pdf.line_of(f"• {item}", 8.5, height=4.2, indent=4)
            if i["more"] or len(i["missed"]) > PDF_MISSES:
                pdf.line_of(f"• {lang.t('report.more')}", 8.5, colour=GREY, height=4.2, indent=4)
        pdf.ln(1)
    return bytes(pdf.output())


def agency(context: dict[str, Any], lang) -> bytes:
    """The agency's league table (``report.render_agency``'s context) as PDF bytes."""
    data = context["data"]
    title = lang.t("report.league_title")
    pdf = _Document(lang, data, f"{title}, {data.period}")
    _letterhead(pdf)
    pdf.line_of(title, 15, bold=True, height=7)
    pdf.line_of(f"{lang.t('rating.period')}: "
                f"{lang.date_range(data.rating['period_start'], data.last_day)} ({data.period})")  # fmt: skip
    pdf.line_of(lang.status(data), 10, bold=True)
    pdf.ln(2)
    pdf.label_value(lang.t("report.rated"), lang.number(len(data.rated)))
    for band in ("green", "yellow", "red"):
        pdf.label_value(lang.t(f"band.{band}"), lang.number(context["band_counts"][band]))
    pdf.label_value(lang.t("report.held_accountable"), lang.number(len(context["accountable"])))
    if context["not_rated"]:
        pdf.label_value(lang.t("report.not_rated"), lang.number(len(context["not_rated"])))
    pdf.ln(2)
    pdf.chart(context["chart_distribution"].png)
    _bands_note(pdf)
    pdf.ln(2)
    rows = [
        [(str(i.rank) if i.rank is not None else "—", None), (i.name(lang.language), None),
         (lang.score(i.score), None),
         (lang.t(f"band.{i.band}"), i.band) if i.band else (lang.t("report.not_rated"), "na"),
         (lang.change(i.score_change), None), (lang.accountable(i, context["share"]), None)]
        for i in data.institutions
    ]  # fmt: skip
    pdf.table_rows(
        [lang.t("report.rank"), lang.t("report.institution"), lang.t("col.score"),
         lang.t("rating.band"), lang.t("report.change_short"), lang.t("report.held_accountable")],
        rows, [13, 77, 16, 20, 21, 33], "RLRCRL",
    )  # fmt: skip
    pdf.heading(lang.t("report.methodology"))
    pdf.line_of(f"{lang.t('report.weights_note')}:", 9)
    for number, (code, weight) in enumerate(data.weights.items(), start=1):
        pdf.line_of(f"R{number} {lang.indicator(code)}: {lang.percent(weight)}", 9, height=4.5)
    pdf.ln(1)
    pdf.line_of(lang.t("report.accountability_rule", share=lang.percent(context["share"])), 9,
                height=4.5)  # fmt: skip
    pdf.line_of(lang.t("report.not_applicable_note"), 9, colour=GREY, height=4.5)
    return bytes(pdf.output())
