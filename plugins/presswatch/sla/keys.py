"""The match keys of a story's text, computed as the story is ingested.

``presswatch_match_keys(text, way)`` (migration 0010) defines the keys: words lowercased, the
apostrophes Uzbek is typed with removed, Cyrillic transliterated to Uzbek Latin, each cut to
6 letters; way ``stem`` first stems Cyrillic words with PostgreSQL's Snowball Russian stemmer.
Aliases and lexicon terms (a few thousand short texts) get their keys from that function.
Stories are long and many (10,000 in an hour at most, a few thousand characters each): the
SQL function spends ~5 µs a word on them, so ingestion computes the same keys here, with the
standard library's string methods, and asks PostgreSQL's stemmer only for the batch's distinct
Cyrillic words, in one statement. ``tests/test_sla_keys.py`` checks that both give the same keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import psycopg

KEY_LETTERS = 6
APOSTROPHES = "'\u2018\u2019`\u02bb\u02bc\u00b4\u02b9"
_LETTERS = "0-9a-zа-яёўқғҳ"  # what words are made of; anything else separates them
_WORD = re.compile(f"[{_LETTERS}]+")
_CYRILLIC = re.compile("[а-яёўқғҳ]")
_TO_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхыэўқғҳ", "abvgdeziyklmnoprstufxieoqgh", strict=True)),
        "ё": "yo", "ж": "j", "ц": "ts", "ч": "ch", "щ": "shch", "ш": "sh", "ю": "yu",
        "я": "ya", "ъ": None, "ь": None,
    }
)  # fmt: skip

STEMS = "SELECT w, (ts_lexize('russian_stem', w))[1] FROM unnest(%(words)s::text[]) AS w"


def _lowered(text: str | None) -> str:
    # Python lowers İ (U+0130) to two characters, i and a combining dot; PostgreSQL to i.
    text = unicodedata.normalize("NFC", text or "").replace("\u0130", "i").lower()
    for mark in APOSTROPHES:
        if mark in text:
            text = text.replace(mark, "")
    return text


def story_keys(
    conn: psycopg.Connection, texts: Sequence[str]
) -> list[tuple[list[str], list[str], list[str]]]:
    """(plain keys, stem keys, whole words) of each text: ``presswatch_match_keys`` in its
    three ways. Each distinct word of the batch is transliterated once, and the stemmer is asked
    once, in one statement, for all the distinct Cyrillic words. Where a stem vanishes (the two ways would
    not have a key per word) the plain keys stand in, as in the matching statement."""
    tokens = [_WORD.findall(_lowered(text)) for text in texts]
    distinct = {word for words_of_text in tokens for word in words_of_text}
    stems = russian_stems(conn, (word for word in distinct if _CYRILLIC.search(word)))
    latin_of = {word: word.translate(_TO_LATIN) for word in distinct}
    plain_of = {word: latin[:KEY_LETTERS] for word, latin in latin_of.items()}
    stem_of = {
        word: stems[word].translate(_TO_LATIN)[:KEY_LETTERS] if word in stems else key
        for word, key in plain_of.items()
    }  # fmt: skip
    result = []
    for words_of_text in tokens:
        plain = [key for word in words_of_text if (key := plain_of[word])]
        stem = [key for word in words_of_text if (key := stem_of[word])]
        whole = [latin for word in words_of_text if (latin := latin_of[word])]
        result.append((plain, stem if len(stem) == len(plain) else plain, whole))
    return result


def russian_stems(conn: psycopg.Connection, cyrillic_words: Iterable[str]) -> dict[str, str]:
    """Each word's Snowball Russian stem from PostgreSQL (the word itself for a stop word), in
    one statement for all of them."""
    wanted = sorted(set(cyrillic_words))
    if not wanted:
        return {}
    rows = conn.execute(STEMS, {"words": wanted}).fetchall()
    return {word: stem or word for word, stem in rows}
