"""The rating's reports (R10): the agency's league table and each institution's scorecard in its
language, as HTML, PDF and CSV, on test_rating_compute's hand-computed world. The PDFs are read
back (pypdf: their text, in Cyrillic and Uzbek Latin with ʻ) and their pages turned into PNG
(pypdfium2) under ``out/test-reports/`` to be looked at."""

from __future__ import annotations

import base64
import csv
import ctypes
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader
from test_rating_compute import H1, H2_2024, world  # noqa: F401 (a fixture)

from presswatch.paths import ROOT
from presswatch.rating import compute, dispute, pdf, report

PAGES = ROOT / "out" / "test-reports"
NAMES = {  # code: language, its name there (uz-Latn with the modifier letter ʻ)
    "alpha": ("uz-Cyrl", "Рақамли технологиялар вазирлиги"),
    "beta": ("ru", "Министерство юстиции Республики Узбекистан"),
    "gamma": ("uz-Latn", "Oʻzbekiston Respublikasi Qurilish vazirligi"),
}


@pytest.fixture
def rated(conn, world):  # noqa: F811 (the fixture imported above)
    for code, (language, name) in NAMES.items():
        conn.execute(
            "UPDATE institution SET preferred_language = %s, name_uz_latn = %s,"
            " name_uz_cyrl = %s, name_ru = %s, name_en = %s WHERE code = %s",
            [language, name if language == "uz-Latn" else f"{code} (uz)",
             name if language == "uz-Cyrl" else f"{code} (уз)",
             name if language == "ru" else f"{code} (ру)", f"{code.title()} Ministry", code],
        )  # fmt: skip
    compute.compute(conn, None, H2_2024)
    rating_id = compute.compute(conn, None, H1).rating_id
    conn.commit()
    return rating_id


def pdf_text(content: bytes) -> str:
    """The PDF's text, its lines joined by single spaces (a table cell may wrap)."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def render_pages(content: bytes, stem: str) -> list[Image.Image]:
    """Every page as an image (also saved as PNG under out/test-reports/ to look at)."""
    PAGES.mkdir(parents=True, exist_ok=True)
    images = []
    document = pypdfium2.PdfDocument(content)
    for number in range(len(document)):
        image = document[number].render(scale=1.2).to_pil()
        image.save(PAGES / f"{stem}-p{number + 1}.png")
        images.append(image)
    document.close()
    return images


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs)["src"])


def test_the_reports_are_written_with_charts_in_each_institution_s_language(conn, rated, tmp_path):
    files = report.write_reports(
        conn, report.load(conn, rated), tmp_path, agency_language="uz-Latn"
    )

    assert files.folder == tmp_path / "2025-H1-v1"
    assert sorted(p.name for p in (files.folder / "scorecards").iterdir()) == [
        f"{code}.{ext}" for code in ("alpha", "beta", "gamma") for ext in ("csv", "html", "pdf")
    ]
    # The agency's league table, in the agency's language (uz-Latn): ranks, the tie, bands.
    agency = pdf_text(files.agency_pdf.read_bytes())
    assert "OAV bilan hamkorlik va ijtimoiy tarmoqlardan foydalanish reytingi" in agency
    assert "2025-yil 1-yanvar – 30-iyun (2025-H1) Dastlabki" in agency  # provisional
    assert "Yashil: 0 Sariq: 2 Qizil: 1 Javobgarlikka tortiladi: 1" in agency
    # The tie shares rank 1; gamma is 3rd, red, held accountable for both reasons.
    assert "1 alpha (uz) 67,5 Sariq −10,3 1 beta (uz) 67,5 Sariq — " in agency
    assert (
        "3 Oʻzbekiston Respublikasi Qurilish vazirligi 23,3 Qizil +23,3 qizil zona, eng past"
        " natijali 5% qatorida" in agency
    )
    # Cyrillic scorecard: the name, score, rank of 3, band, change, R3 with its median hours
    # and the permalink of the story answered late.
    alpha = pdf_text((files.folder / "scorecards" / "alpha.pdf").read_bytes())
    assert "Баҳолаш варақаси: Рақамли технологиялар вазирлиги" in alpha
    assert "100 баллдан 67,5" in alpha and "3 та ташкилот орасида 1-ўрин" in alpha
    assert "Рейтинг зонаси: Сариқ" in alpha and "ўзгариш: −10,3" in alpha
    assert "R3 Танқидий материалларга муносабат билдириш 25% 75,0 62,5 18,8" in alpha
    assert "Биринчи жавобгача бўлган вақт медианаси: 10,0 соат" in alpha
    assert re.search(r"материал, жавоб муддати: 2025 йил 5 февраль: https://kun\.uz/\d+", alpha)
    # Uzbek Latin scorecard of the institution without critical stories: R3 not applicable,
    # its weight spread over the others (R1 15% -> 20%), and the report says so.
    gamma = pdf_text((files.folder / "scorecards" / "gamma.pdf").read_bytes())
    assert "Baholash varaqasi: Oʻzbekiston Respublikasi Qurilish vazirligi" in gamma
    assert "100 balldan 23,3" in gamma and "Reyting zonasi: Qizil" in gamma
    assert "R3 Tanqidiy materiallarga munosabat bildirish 25% qoʻllanilmaydi 62,5 —" in gamma
    assert "verifikatsiyasi 20% 50,0 75,0 10,0" in gamma
    assert "Qoʻllanilmaydi: davrda oʻlchanadigan narsa boʻlmagan" in gamma
    # Pages render, and have ink (text and charts) on them.
    for name, content in (("agency", files.agency_pdf.read_bytes()),
                          ("gamma", (files.folder / "scorecards" / "gamma.pdf").read_bytes()),
                          ("alpha", (files.folder / "scorecards" / "alpha.pdf").read_bytes())):  # fmt: skip
        pages = render_pages(content, name)
        assert pages and all(p.size[0] > 500 for p in pages)
        dark = sum(1 for px in pages[0].convert("L").getdata() if px < 128)
        assert dark > 5_000, name

    # HTML: autoescaped, in the language, with both charts as PNG images.
    html = (files.folder / "scorecards" / "gamma.html").read_text(encoding="utf-8")
    assert '<html lang="uz-Latn">' in html and "Oʻzbekiston Respublikasi Qurilish" in html
    images = _Images()
    images.feed(html)
    assert len(images.sources) == 2
    assert all(src.startswith("data:image/png;base64,iVBOR") for src in images.sources)
    agency_html = files.agency_html.read_text(encoding="utf-8")
    images = _Images()
    images.feed(agency_html)
    assert len(images.sources) == 1

    # CSV: every institution, each indicator, not applicable left empty.
    rows = list(csv.DictReader(io.StringIO(files.csv.read_text(encoding="utf-8-sig"))))
    assert [(r["rank"], r["code"], r["band"], r["score"]) for r in rows] == [
        ("1", "alpha", "yellow", "67.5000"), ("1", "beta", "yellow", "67.5000"),
        ("3", "gamma", "red", "23.3300"),
    ]  # fmt: skip
    gamma_row = next(r for r in rows if r["code"] == "gamma")
    assert gamma_row["r3"] == "" and gamma_row["accountable_because"] == "red_band lowest_share"
    assert gamma_row["name"] == "Oʻzbekiston Respublikasi Qurilish vazirligi"


def text_objects(content: bytes, page: int = 0) -> list[tuple[str, int]]:
    """The page's text objects: their text and their rendering mode (0 fill, 2 fill and
    outline: the reports' bold)."""
    document = pypdfium2.PdfDocument(content)
    pdf_page = document[page]
    text_page = pdf_page.get_textpage()
    found = []
    for obj in pdf_page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_TEXT,)):
        size = pypdfium2.raw.FPDFTextObj_GetText(obj.raw, text_page.raw, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pointer = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
        pypdfium2.raw.FPDFTextObj_GetText(obj.raw, text_page.raw, pointer, size)
        text = buffer.raw[: size - 2].decode("utf-16-le").strip()
        found.append((text, pypdfium2.raw.FPDFTextObj_GetTextRenderMode(obj.raw)))
    document.close()
    return found


def test_the_pdf_draws_plain_text_plain_and_the_charts_as_their_pngs(conn, rated, tmp_path):
    files = report.write_reports(
        conn, report.load(conn, rated), tmp_path, agency_language="uz-Latn"
    )
    content = (files.folder / "scorecards" / "gamma.pdf").read_bytes()

    # Bold is an outline (mode 2) of the title, the band and the table's header only: the text
    # after them is drawn filled (mode 0), not with the table borders' outline.
    modes = dict(text_objects(content))
    assert modes["Baholash varaqasi: Oʻzbekiston Respublikasi Qurilish vazirligi"] == 2
    assert modes["Qizil"] == 2 and modes["Koʻrsatkich"] == 2
    assert modes["Baholash davri:"] == 0 and modes["Oldingi davrga nisbatan oʻzgarish:"] == 0
    assert modes["Tanqidiy materiallarga munosabat bildirish"] == 0
    plain = [text for text, mode in text_objects(content) if mode == 0]
    assert len(plain) > 20

    # The charts in the PDF are the HTML's PNGs, pixel for pixel (embedded without decoding).
    images = _Images()
    images.feed((files.folder / "scorecards" / "gamma.html").read_text(encoding="utf-8"))
    pngs = [
        Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))) for src in images.sources
    ]
    embedded = [
        image.image for page in PdfReader(io.BytesIO(content)).pages for image in page.images
    ]
    assert len(embedded) == 2
    for png, image in zip(pngs, embedded, strict=True):
        assert image.mode == "RGB" and image.size == png.size
        assert image.tobytes() == png.convert("RGB").tobytes()


def test_a_rerun_renders_nothing_and_leaves_the_files_as_they_were(conn, rated, tmp_path):
    first = report.write_reports(conn, report.load(conn, rated), tmp_path, agency_language="en")
    before = {p: p.read_bytes() for p in first.folder.rglob("*") if p.is_file()}

    again = report.write_reports(conn, report.load(conn, rated), tmp_path, agency_language="en")

    assert first.rendered == 9 + 3 and again.rendered == 0
    assert {p: p.read_bytes() for p in again.folder.rglob("*") if p.is_file()} == before


def test_the_same_rating_gives_the_same_bytes(conn, rated, tmp_path):
    data = report.load(conn, rated)
    charts = report.Charts(data)
    gamma = next(i.id for i in data.institutions if i.code == "gamma")
    first = report.render_scorecard(data, gamma, charts, {})
    second = report.render_scorecard(data, gamma, report.Charts(data), {})
    assert [d.content for d in first] == [d.content for d in second]


def test_a_final_rating_renders_its_documents_again_with_its_status(conn, rated, tmp_path):
    first = report.write_reports(conn, report.load(conn, rated), tmp_path, agency_language="ru")
    assert "Предварительный" in pdf_text(first.agency_pdf.read_bytes())
    dispute.open_window(conn, rated, dt.date(2025, 7, 1), 10, sent=False)
    compute.finalize(conn, H1)
    conn.commit()

    final = report.write_reports(conn, report.load(conn, rated), tmp_path, agency_language="ru")

    assert final.rendered == 12
    assert "Окончательный с" in pdf_text(final.agency_pdf.read_bytes())
    alpha = pdf_text((final.folder / "scorecards" / "alpha.pdf").read_bytes())
    assert "Якуний" in alpha


def test_notice_facts_mark_not_applicable_and_the_indicators_to_explain(conn, rated):
    data = report.load(conn, rated)
    gamma = next(i.id for i in data.institutions if i.code == "gamma")
    facts = report.notice_facts(data, gamma)
    assert facts["rank"] == 3 and facts["of_total"] == 3 and facts["band"] == "red"
    by_key = {i["key"]: i for i in facts["indicators"]}
    assert by_key["responsiveness"]["score"] is None
    assert abs(sum(i["weight"] for i in facts["indicators"]) - 1) < 1e-9
    assert facts["failed"] == [
        i["key"] for i in facts["indicators"] if i["score"] is not None and i["score"] < 55
    ]
    assert facts["failed"]


def test_scorecards_rendered_by_worker_processes_are_the_ones_rendered_in_process(conn, rated):
    data = report.load(conn, rated)
    ids = [i.id for i in data.rated]
    in_process = [report.render_scorecard(data, i, report.Charts(data), {}) for i in ids]

    by_workers = list(report._render_in_processes(data, ids, processes=2))

    assert [[d.content for d in docs] for docs in by_workers] == [
        [d.content for d in docs] for docs in in_process
    ]


def test_the_font_cut_once_per_glyph_set_gives_the_bytes_fpdf2_writes_itself(conn, rated):
    # gamma's name has a letter outside its script's alphabet: a glyph set of its own.
    conn.execute(
        "UPDATE institution SET name_uz_latn = 'Şahar Qurilish vazirligi' WHERE code = 'gamma'"
    )
    data = report.load(conn, rated)
    ids = [i.id for i in data.rated]
    pdf._CUTS.clear()

    charts = report.Charts(data)

    def pdfs() -> list[bytes]:
        return [report.render_scorecard(data, i, charts, {})[0].content for i in ids]

    first = pdfs()
    cuts = len(pdf._CUTS)
    again = pdfs()
    with pdf.plain_fpdf2():
        plain = pdfs()
    charts.close()

    assert first == again == plain
    # Cut once per glyph set: uz-Cyrl and ru (one script, their own glyphs beyond it) and
    # gamma's, none again for the second round.
    assert cuts == len(pdf._CUTS) <= 3
    gamma = next(n for n, i in enumerate(data.rated) if i.code == "gamma")
    assert "Şahar Qurilish vazirligi" in pdf_text(first[gamma])
