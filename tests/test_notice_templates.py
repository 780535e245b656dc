"""The official notice templates: every kind in every language, catalogs, escaping, dates."""

from __future__ import annotations

import copy
import datetime as dt
import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from markupsafe import escape

from presswatch.errors import PresswatchError
from presswatch.notices import render as render_module
from presswatch.notices.render import (
    KINDS,
    LANGUAGES,
    NoticeRenderer,
    RenderedNotice,
    grammatical_gender,
    load_catalog,
    render,
)
from presswatch.notices.samples import sample_context
from presswatch.paths import TEMPLATES

UTC = dt.UTC
ALL = [(kind, language) for kind in KINDS for language in LANGUAGES]


def _visible_text(markup: str) -> str:
    """What a reader of the HTML sees: tags dropped, entities decoded, spaces folded."""
    without_tags = re.sub(r"<[^>]+>", " ", markup)
    return " ".join(html.unescape(without_tags).split())


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], RenderedNotice]:
    return {(kind, language): render(kind, language, sample_context(kind, language))
            for kind, language in ALL}  # fmt: skip


# --- every kind in every language -----------------------------------------------------------


def test_every_kind_renders_in_every_language_without_fallbacks(rendered):
    problems = []
    for (kind, language), notice in rendered.items():
        if notice.fallbacks:
            problems.append(f"{kind}/{language}: fell back to English for {notice.fallbacks}")
        for part in ("subject", "html", "text"):
            if not getattr(notice, part).strip():
                problems.append(f"{kind}/{language}: empty {part}")
    assert not problems, "\n".join(problems)


def test_subject_is_one_line_and_heads_both_parts(rendered):
    for (kind, language), notice in rendered.items():
        assert "\n" not in notice.subject and "\r" not in notice.subject, (kind, language)
        assert f"<title>{escape(notice.subject)}</title>" in notice.html, (kind, language)
        assert notice.subject in notice.text, (kind, language)


def test_no_template_syntax_or_catalog_key_is_visible(rendered):
    keys = set(load_catalog(TEMPLATES / "i18n" / "en.yaml"))
    for (kind, language), notice in rendered.items():
        for output in (notice.subject, notice.html, notice.text):
            assert "{{" not in output and "{%" not in output and "{#" not in output
            shown = [key for key in keys if "." in key and key in output]
            assert not shown, f"{kind}/{language} shows catalog keys {shown}"
            assert not re.search(r"\{[a-z_]+\}", output), f"{kind}/{language}: unfilled {{param}}"


def test_notice_carries_reference_date_addressee_legal_basis_and_sender(rendered):
    for (kind, language), notice in rendered.items():
        context = sample_context(kind, language)
        catalog = load_catalog(TEMPLATES / "i18n" / f"{language}.yaml")
        for output in (_visible_text(notice.html), notice.text):
            assert context["reference_no"] in output
            assert context["addressee"]["full_name"] in output
            assert context["addressee"]["position_title"] in output
            assert context["institution"]["name"] in output
            assert context["agency"]["name"] in output
            assert context["agency"]["email"] in output
            assert " ".join(catalog["legal.basis"].split()) in " ".join(output.split())
            assert catalog[f"legal.provision.{kind}"].split()[0] in output


def test_notice_text_is_in_the_notice_language(rendered):
    # Each language's own salutation and legal-basis label, never another language's.
    labels = {lang: load_catalog(TEMPLATES / "i18n" / f"{lang}.yaml") for lang in LANGUAGES}
    for (kind, language), notice in rendered.items():
        assert labels[language]["label.legal_basis"] in notice.text, (kind, language)
        for other in LANGUAGES:
            if labels[other]["label.legal_basis"] != labels[language]["label.legal_basis"]:
                assert labels[other]["label.legal_basis"] not in notice.text, (kind, language)


def test_html_and_text_parts_say_the_same(rendered):
    # Every prose paragraph of the plain text is in the HTML (the twins are edited together);
    # its start and end are compared, as the HTML may add a note such as "highlighted below".
    for (kind, language), notice in rendered.items():
        shown = _visible_text(notice.html)
        for line in notice.text.splitlines():
            if len(line) < 60 or line[0].isdigit() or line[0] in " -=":
                continue
            line = " ".join(line.split())
            assert line[:40] in shown and line[-40:] in shown, f"{kind}/{language}: {line}"


def test_html_is_a_self_contained_email(rendered):
    for (kind, language), notice in rendered.items():
        lowered = notice.html.lower()
        assert lowered.startswith("<!doctype html>")
        assert f'<html lang="{language.lower()}">' in lowered
        for external in ("<img", "<script", "<link", "<iframe", "src=", "url(", "@import"):
            assert external not in lowered, f"{kind}/{language} has {external}"
        assert "<th " in notice.html, f"{kind}/{language} has no table of the evidence"


def test_thresholds_come_from_the_context_not_the_template():
    context = sample_context("posting_lapse_weekly", "en")
    context["facts"]["min_posts"] = 5
    notice = render("posting_lapse_weekly", "en", context)
    assert "fewer than 5 posts" in notice.text and "at least 5 posts" in notice.text
    assert "3 posts" not in notice.text

    context = sample_context("story_sla_breach", "ru")
    context["facts"]["response_hours"] = 48
    assert "(48 часов)" in render("story_sla_breach", "ru", context).text

    context = sample_context("accreditation_overdue", "uz-Latn")
    context["facts"]["max_days"] = 5
    assert "(5 kun)" in render("accreditation_overdue", "uz-Latn", context).text


@pytest.mark.parametrize("language", LANGUAGES)
def test_posting_lapse_per_official_gives_the_accounts_total_against_the_minimum(language):
    per_account = sample_context("posting_lapse_weekly", language)
    context = sample_context("posting_lapse_weekly", language)
    context["facts"].update(scope="official", total_posts=2, min_posts=3)

    notice = render("posting_lapse_weekly", language, context)

    assert not notice.fallbacks
    labels = load_catalog(TEMPLATES / "i18n" / f"{language}.yaml")
    total, minimum = labels["col.total_posts"], labels["col.min_posts"]
    assert f"{total}: 2; {minimum}: 3" in notice.text
    shown = _visible_text(notice.html)
    assert f"{total} 2 {minimum} 3" in shown
    # Its findings and its request speak of the accounts together: two paragraphs of prose
    # that the per-account notice does not have.
    account_lines = set(render("posting_lapse_weekly", language, per_account).text.splitlines())
    prose = [line for line in notice.text.splitlines()
             if len(line) >= 60 and line[0] not in " -=" and not line[0].isdigit()
             and not line.startswith(total)]  # fmt: skip
    assert len([line for line in prose if line not in account_lines]) == 2
    for line in prose:  # and, as for every notice, the text's prose is in the HTML
        line = " ".join(line.split())
        assert line[:40] in shown and line[-40:] in shown, line


def test_posting_lapse_per_official_in_english_names_the_total():
    context = sample_context("posting_lapse_weekly", "en")
    context["facts"].update(scope="official", total_posts=2, min_posts=3)
    text = render("posting_lapse_weekly", "en", context).text
    assert "published 2 posts in all, fewer than the 3 posts required" in text
    assert "these accounts together publish at least 3 posts every week" in text
    assert "each of these accounts" not in text


def test_notice_without_deadline_asks_without_a_date():
    context = sample_context("posting_lapse_weekly", "ru")
    context["deadline"] = None
    text = render("posting_lapse_weekly", "ru", context).text
    assert "в срок до" not in text and "о принятых мерах." in text


@pytest.mark.parametrize(
    ("band", "expected"),
    [("green", "No action is required"), ("yellow", "Please analyse the indicators")],
)
def test_scorecard_asks_for_action_only_below_green(band, expected):
    context = sample_context("rating_scorecard", "en")
    context["facts"]["band"] = band
    assert expected in render("rating_scorecard", "en", context).text


def test_unknown_kind_or_language_is_refused():
    context = sample_context("posting_lapse_weekly", "en")
    with pytest.raises(PresswatchError, match="unknown notice kind"):
        render("posting_lapse_monthly", "en", context)
    with pytest.raises(PresswatchError, match="unknown notice language"):
        render("posting_lapse_weekly", "kk", context)


# --- catalogs and fallbacks -----------------------------------------------------------------


def _catalogs(root: Path = TEMPLATES) -> dict[str, dict[str, str]]:
    return {language: load_catalog(root / "i18n" / f"{language}.yaml") for language in LANGUAGES}


def test_every_language_catalog_has_every_english_key():
    catalogs = _catalogs()
    english = set(catalogs["en"])
    report = []
    for language, catalog in catalogs.items():
        missing = sorted(english - set(catalog))
        extra = sorted(set(catalog) - english)
        if missing:
            report.append(f"{language} is missing: {', '.join(missing)}")
        if extra:
            report.append(f"{language} has keys English lacks: {', '.join(extra)}")
    assert not report, "\n".join(report)


def test_every_key_a_template_names_exists_in_english():
    english = _catalogs()["en"]
    literal = re.compile(r"""\bt\(\s*["']([a-z_.]+)["']\s*[,)]""")
    prefix = re.compile(r"""\bt\(\s*["']([a-z_.]+\.)["']\s*~""")
    unknown = []
    for path in sorted((TEMPLATES / "notices").rglob("*.j2")):
        source = path.read_text(encoding="utf-8")
        unknown += [f"{path.name}: {k}" for k in literal.findall(source) if k not in english]
        unknown += [
            f"{path.name}: {p}*" for p in prefix.findall(source)
            if not any(key.startswith(p) for key in english)
        ]  # fmt: skip
    assert not unknown, "\n".join(unknown)


@pytest.fixture
def templates_copy(tmp_path) -> Path:
    copied = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copied)
    return copied


def _drop_key(catalog_file: Path, dotted: str) -> None:
    tree = yaml.safe_load(catalog_file.read_text(encoding="utf-8"))
    *parents, leaf = dotted.split(".")
    node = tree
    for part in parents:
        node = node[part]
    del node[leaf]
    catalog_file.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")


def test_key_missing_in_a_language_falls_back_to_english_and_is_reported(templates_copy):
    _drop_key(templates_copy / "i18n" / "ru.yaml", "col.posts_in_week")
    renderer = NoticeRenderer(templates_copy)
    notice = renderer.render(
        "posting_lapse_weekly", "ru", sample_context("posting_lapse_weekly", "ru")
    )
    assert notice.fallbacks == ("col.posts_in_week",)
    assert "Posts in the week" in notice.text and "Posts in the week" in notice.html
    assert "col.posts_in_week" not in notice.text + notice.html
    # the rest of the notice stays Russian
    assert "Уважаемый" in notice.text
    # the shipped catalogs are untouched: the project's renderer has no fallback
    assert (
        render("posting_lapse_weekly", "ru", sample_context("posting_lapse_weekly", "ru")).fallbacks
        == ()
    )


def test_key_missing_in_english_too_fails_instead_of_showing_the_key(templates_copy):
    for language in LANGUAGES:
        _drop_key(templates_copy / "i18n" / f"{language}.yaml", "col.posts_in_week")
    renderer = NoticeRenderer(templates_copy)
    with pytest.raises(PresswatchError, match="col.posts_in_week"):
        renderer.render("posting_lapse_weekly", "ru", sample_context("posting_lapse_weekly", "ru"))


def test_missing_language_template_falls_back_to_english_and_is_reported(templates_copy):
    (templates_copy / "notices" / "wikipedia_missing" / "uz-Cyrl.html.j2").unlink()
    renderer = NoticeRenderer(templates_copy)
    notice = renderer.render(
        "wikipedia_missing", "uz-Cyrl", sample_context("wikipedia_missing", "uz-Cyrl")
    )
    assert notice.fallbacks == ("notices/wikipedia_missing/uz-Cyrl.html.j2",)
    assert "Monitoring by the Agency" in notice.html  # the English text, whole
    assert "Агентлик мониторинги" in notice.text  # the text part is still Uzbek


# --- hostile text ---------------------------------------------------------------------------

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "template": "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %}",
    "sql": "'); DROP TABLE notice;--",
    "long": ("Ҳужжат " + "A&B " * 2499)[:10_000],
    "rtl": "بيان رسمي للوزارة — הודעה רשמית של המשרד",
    "emoji": "Xabar 📢🚨 👩🏽‍💻 ✅",
}


def _plant(kind: str, language: str, value: str) -> dict:
    """The sample context with ``value`` in every free-text field the kind shows."""
    context = copy.deepcopy(sample_context(kind, language))
    context["addressee"]["full_name"] = value
    context["institution"]["name"] = value
    facts = context["facts"]
    for account in facts.get("accounts", []):
        account["handle"] = value
    for story in facts.get("stories", []):
        story["title"] = value
        story["source"] = value
    for request in facts.get("requests", []):
        request["applicant_name"] = value
        request["outlet"] = value
        request["external_ref"] = value
    if "official" in facts:
        facts["official"]["full_name"] = value
        for page in facts["unverified"]:
            page["handle"] = value
    for article in facts.get("existing", []):
        article["title"] = value
    return context


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_renders_inert_and_intact(kind, name):
    value = HOSTILE[name]
    language = "ru"
    baseline = render(kind, language, sample_context(kind, language))
    notice = render(kind, language, _plant(kind, language, value))
    # plain text: verbatim
    assert value in notice.text
    # HTML: escaped, never raw markup, and exactly the value once unescaped
    assert str(escape(value)) in notice.html
    assert "<script>" not in notice.html
    assert value in html.unescape(notice.html)
    # template syntax in data is data: nothing evaluated
    for output, before in ((notice.text, baseline.text), (notice.html, baseline.html)):
        assert output.count("49") == before.count("49")
        assert output.count("012") == before.count("012")


def test_hostile_name_cannot_break_the_subject_line():
    context = sample_context("account_missing_or_unverified", "en")
    context["facts"]["official"]["full_name"] = "Ali\r\nBcc: victim@gov.example\nVali"
    notice = render("account_missing_or_unverified", "en", context)
    assert "\n" not in notice.subject and "\r" not in notice.subject
    assert notice.subject.endswith("Ali Bcc: victim@gov.example Vali")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", " JavaScript:x"])
def test_link_that_is_not_http_is_shown_not_linked(url):
    context = sample_context("posting_lapse_weekly", "en")
    context["facts"]["accounts"][0]["url"] = url
    notice = render("posting_lapse_weekly", "en", context)
    assert 'href="javascript' not in notice.html.lower()
    assert 'href="data' not in notice.html.lower()
    assert url in notice.text


# --- dates, numbers, words ------------------------------------------------------------------

# 19:05 UTC on 3 March is 00:05 on 4 March in Tashkent (UTC+5).
EVENING_UTC = dt.datetime(2026, 3, 3, 19, 5, tzinfo=UTC)
NEXT_DAY_IN_TASHKENT = {
    "uz-Latn": ("2026-yil 4-mart", "2026-yil 4-mart, 00:05"),
    "uz-Cyrl": ("2026 йил 4 март", "2026 йил 4 март, 00:05"),
    "ru": ("4 марта 2026\u00a0г.", "4 марта 2026\u00a0г., 00:05"),
    "en": ("4 March 2026", "4 March 2026, 00:05"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_evening_utc_instant_is_the_next_day_in_tashkent(language):
    filters = render_module.default_renderer().environment(language).filters
    long_date, date_time = NEXT_DAY_IN_TASHKENT[language]
    assert filters["long_date"](EVENING_UTC) == long_date
    assert filters["datetime_local"](EVENING_UTC) == date_time


@pytest.mark.parametrize("language", LANGUAGES)
def test_story_published_in_the_utc_evening_shows_the_tashkent_date(language):
    context = sample_context("story_sla_breach", language)
    story = context["facts"]["stories"][0]
    story["published_at"] = EVENING_UTC
    story["due_at"] = EVENING_UTC + dt.timedelta(hours=24)
    notice = render("story_sla_breach", language, context)
    _, shown = NEXT_DAY_IN_TASHKENT[language]
    assert shown in notice.text
    assert str(escape(shown)) in notice.html


MONTHS = {
    "uz-Latn": ["2026-yil 15-yanvar", "2026-yil 15-fevral", "2026-yil 15-mart",
                "2026-yil 15-aprel", "2026-yil 15-may", "2026-yil 15-iyun", "2026-yil 15-iyul",
                "2026-yil 15-avgust", "2026-yil 15-sentabr", "2026-yil 15-oktabr",
                "2026-yil 15-noyabr", "2026-yil 15-dekabr"],
    "uz-Cyrl": ["2026 йил 15 январь", "2026 йил 15 февраль", "2026 йил 15 март",
                "2026 йил 15 апрель", "2026 йил 15 май", "2026 йил 15 июнь", "2026 йил 15 июль",
                "2026 йил 15 август", "2026 йил 15 сентябрь", "2026 йил 15 октябрь",
                "2026 йил 15 ноябрь", "2026 йил 15 декабрь"],
    "ru": [f"15 {m} 2026\u00a0г." for m in (
        "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
        "октября", "ноября", "декабря")],
    "en": [f"15 {m} 2026" for m in (
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December")],
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_date_names_every_month_in_the_language(language):
    long_date = render_module.default_renderer().environment(language).filters["long_date"]
    assert [long_date(dt.date(2026, month, 15)) for month in range(1, 13)] == MONTHS[language]


def test_uzbek_deadline_suffix_joins_the_month():
    latin = render_module.default_renderer().environment("uz-Latn").filters["long_date_with"]
    cyrillic = render_module.default_renderer().environment("uz-Cyrl").filters["long_date_with"]
    assert latin(dt.date(2026, 3, 10), "gacha") == "2026-yil 10-martgacha"
    assert cyrillic(dt.date(2026, 1, 10), "гача") == "2026 йил 10 январгача"


def test_date_range_writes_a_shared_year_once():
    def date_range(language):
        return render_module.default_renderer().environment(language).filters["date_range"]

    week = (dt.date(2026, 2, 23), dt.date(2026, 3, 1))
    assert date_range("en")(*week) == "23 February – 1 March 2026"
    assert date_range("ru")(*week) == "23 февраля – 1 марта 2026\u00a0г."
    assert date_range("uz-Latn")(*week) == "2026-yil 23-fevral – 1-mart"
    assert date_range("en")(dt.date(2025, 12, 29), dt.date(2026, 1, 4)) == (
        "29 December 2025 – 4 January 2026"
    )


def test_naive_datetime_is_refused():
    datetime_local = render_module.default_renderer().environment("en").filters["datetime_local"]
    with pytest.raises(PresswatchError, match="no time zone"):
        datetime_local(dt.datetime(2026, 3, 3, 19, 5))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "67,5"), ("uz-Latn", "67,5"), ("uz-Cyrl", "67,5"), ("en", "67.5")],
)
def test_scores_use_the_language_decimal_separator(language, expected):
    context = sample_context("rating_scorecard", language)
    context["facts"]["score"] = 67.45
    assert expected in render("rating_scorecard", language, context).text


@pytest.mark.parametrize(
    ("count", "word"),
    [(1, "час"), (2, "часа"), (5, "часов"), (11, "часов"), (21, "час"), (24, "часа")],
)
def test_russian_counts_agree_with_the_noun(count, word):
    context = sample_context("story_sla_breach", "ru")
    context["facts"]["response_hours"] = count
    assert f"({count} {word})" in render("story_sla_breach", "ru", context).text


@pytest.mark.parametrize(
    ("person", "gender"),
    [
        ({"full_name": "Dilnoza Xolnazarova"}, "female"),
        ({"full_name": "Дилноза Холназарова"}, "female"),
        ({"full_name": "Sherzod Boymurodov"}, "male"),
        ({"full_name": "Nodira Akbar qizi"}, "female"),
        ({"full_name": "Ulugʻbek Rustam oʻgʻli"}, "male"),
        ({"full_name": "Lola Karim"}, "neutral"),
        ({"full_name": "Lola Karim", "gender": "female"}, "female"),
    ],
)
def test_salutation_agrees_with_the_addressee(person, gender):
    assert grammatical_gender(person) == gender


def test_russian_salutation_for_a_woman():
    context = sample_context("story_sla_reminder", "ru")  # addressed to the press secretary
    assert "Уважаемая Дилноза Холназарова!" in render("story_sla_reminder", "ru", context).text


# --- the texts themselves -------------------------------------------------------------------


def _language_files(language: str) -> list[Path]:
    return [TEMPLATES / "i18n" / f"{language}.yaml"] + sorted(
        (TEMPLATES / "notices").rglob(f"{language}.*.j2")
    )


def test_uzbek_latin_uses_modifier_letters_not_apostrophes(rendered):
    typed_apostrophe = re.compile(r"[A-Za-z]['‘’`ʼ][A-Za-z]")
    for path in _language_files("uz-Latn"):
        prose = re.sub(r"\{[{%#].*?[}%#]\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        for match in typed_apostrophe.finditer(prose):
            word = match.group(0)
            # ʼ (U+02BC) is right for the tutuq belgisi (taʼlim) but not after o/g (oʻ, gʻ).
            assert word[1] == "ʼ" and word[0].lower() not in "og", f"{path.name}: {word!r}"
    notice = rendered["posting_lapse_weekly", "uz-Latn"]
    assert "Oʻzbekiston Respublikasi" in notice.html and "OʻZBEKISTON" in notice.text
    assert "koʻra" in notice.text and "maʼlumot" in notice.text


@pytest.mark.parametrize("language", ["uz-Cyrl", "ru"])
def test_cyrillic_texts_have_no_stray_latin_words(language):
    allowed = {
        "Facebook",
        "X",
        "Twitter",
        "Instagram",
        "Telegram",
        "ISO",
        "Android",
        "iOS",
        "PDF",
        "CSV",
    }
    stray = []
    for path in _language_files(language):
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".yaml":
            prose = re.sub(r"\{[a-z_]+\}", " ", " ".join(load_catalog(path).values()))
        else:
            prose = re.sub(r"\{[{%#].*?[}%#]\}|<[^>]+>", " ", source, flags=re.S)
        stray += [f"{path.name}: {w}" for w in re.findall(r"[A-Za-z]+", prose) if w not in allowed]
    assert not stray, "\n".join(stray)


def test_uzbek_cyrillic_uses_its_own_letters(rendered):
    text = rendered["story_sla_breach", "uz-Cyrl"].text
    for letter in "ўқғҳ":
        assert letter in text


# --- missing data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "remove"),
    [
        ("posting_lapse_weekly", ("facts", "min_posts")),
        ("posting_lapse_weekly", ("deadline",)),
        ("story_sla_reminder", ("deadline",)),
        ("story_sla_reminder", ("issued_on",)),
        ("account_missing_or_unverified", ("facts", "official")),
        ("accreditation_overdue", ("facts", "max_days")),
        ("wikipedia_missing", ("addressee", "full_name")),
        ("story_sla_breach", ("facts", "response_hours")),
        ("rating_scorecard", ("facts", "bands")),
        ("rating_accountability", ("reference_no",)),
    ],
)
def test_missing_context_variable_raises(kind, remove):
    for language in LANGUAGES:
        context = sample_context(kind, language)
        *parents, leaf = remove
        node = context
        for part in parents:
            node = node[part]
        del node[leaf]
        with pytest.raises(PresswatchError, match=leaf):
            render(kind, language, context)


def test_missing_field_of_a_list_item_raises():
    context = sample_context("story_sla_reminder", "en")
    del context["facts"]["stories"][1]["due_at"]
    with pytest.raises(PresswatchError, match="due_at"):
        render("story_sla_reminder", "en", context)


def test_context_may_not_override_the_renderer_names():
    context = sample_context("posting_lapse_weekly", "en")
    context["language"] = "ru"
    with pytest.raises(PresswatchError, match="language"):
        render("posting_lapse_weekly", "en", context)
