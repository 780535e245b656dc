"""The match keys ingestion computes in Python are exactly those of the SQL function
``presswatch_match_keys`` that aliases and terms get (presswatch.sla.keys)."""

from __future__ import annotations

import csv

from presswatch.demo import people
from presswatch.paths import DEMO_REGISTRY
from presswatch.sla import keys

TRICKY = [
    "",
    "   ",
    "Oʻzbekiston O'zbekiston O‘zbekiston O’zbekiston O`zbekiston Oʼzbekiston",
    "Ўзбекистон Республикаси Адлия вазирлигига мурожаат",
    "Министерства юстиции, Верховного суда и хокимията города Ташкента",
    "Съезд объявил: подъезд, вьюга, щётка, Цех — «ёлка» №5 2026-03-10",
    "ta'lim taʼlim таълим; IIV, DXX va ichki ishlar vazirligi (IIV)!",
    "https://kun.uz/news/2026/03/10/4711?utm_source=telegram @adliyauz #tag",
    "ЙЎЛ ҚЎМИТАСИ ҒАЛЛА ҲОКИМЛИК ЪЬ ъ ь",
    "Ministry of Justice: citizens' complaints go unanswered — again",
    "Naïve café résumé İstanbul straße ﬁ",  # letters outside the alphabet split words
    "e\u0301tude Cafe\u0301",  # combining marks, normalised to NFC first
]


def corpus() -> list[str]:
    names = []
    with open(DEMO_REGISTRY / "institutions.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names += [row["name_uz_latn"], row["name_uz_cyrl"], row["name_ru"], row["name_en"]]
    texts = list(TRICKY) + names
    for catalogue in (people.CRITICAL_TITLES, people.ROUTINE_TITLES, people.STORY_SUMMARIES):
        for language_titles in catalogue:
            texts += [
                title.replace("{name}", name) for title in language_titles for name in names[:8]
            ]
    return texts


def test_python_keys_equal_the_sql_function_in_both_ways(conn):
    texts = corpus()

    computed = keys.story_keys(conn, texts)

    sql = conn.execute(
        "SELECT t, presswatch_match_keys(t, 'plain'), presswatch_match_keys(t, 'stem')"
        "  FROM unnest(%s::text[]) WITH ORDINALITY AS u (t, n) ORDER BY n",
        [texts],
    ).fetchall()
    assert len(sql) == len(texts) > 100
    for (text, plain, stem), (own_plain, own_stem, _) in zip(sql, computed, strict=True):
        assert own_plain == plain, text
        assert own_stem == stem, text


def test_the_stemmer_is_asked_once_for_the_distinct_words(conn):
    stems = keys.russian_stems(conn, ["министерства", "юстиции", "министерства", "и", "суда"])

    assert stems == {"министерства": "министерств", "юстиции": "юстиц", "и": "и", "суда": "суд"}
    assert keys.story_keys(conn, ["Верховного суда", "суда"]) == [
        (["verxov", "suda"], ["verxov", "sud"], ["verxovnogo", "suda"]),
        (["suda"], ["sud"], ["suda"]),
    ]


def test_story_keys_give_both_ways_for_a_batch(conn):
    texts = corpus()

    computed = keys.story_keys(conn, texts)

    sql = conn.execute(
        "SELECT presswatch_match_keys(t, 'plain'), presswatch_match_keys(t, 'stem'),"
        "       presswatch_match_keys(t, 'word')"
        "  FROM unnest(%s::text[]) WITH ORDINALITY AS u (t, n) ORDER BY n",
        [texts],
    ).fetchall()
    assert computed == [tuple(row) for row in sql]
