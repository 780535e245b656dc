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
# A word with a Cyrillic letter: what the stemmer is asked about.
_CYRILLIC_WORD = re.compile(f"[{_LETTERS}]*[а-яёўқғҳ][{_LETTERS}]*")
_LATIN_WORD = re.compile("[0-9a-z]+")
_CYRILLIC = re.compile("[а-яёўқғҳ]")
_TO_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхыэўқғҳ", "abvgdeziyklmnoprstufxieoqgh", strict=True)),
        "ё": "yo", "ж": "j", "ц": "ts", "ч": "ch", "щ": "shch", "ш": "sh", "ю": "yu",
        "я": "ya", "ъ": None, "ь": None,
    }
)  # fmt: skip
_NO_APOSTROPHES = str.maketrans(dict.fromkeys(APOSTROPHES))

STEMS = "SELECT w, (ts_lexize('russian_stem', w))[1] FROM unnest(%(words)s::text[]) AS w"


def _lowered(text: str | None) -> str:
    # Python lowers İ (U+0130) to two characters, i and a combining dot; PostgreSQL to i.
    text = unicodedata.normalize("NFC", text or "").replace("\u0130", "i").lower()
    for mark in APOSTROPHES:
        if mark in text:
            text = text.replace(mark, "")
    return text


def words(text: str | None) -> list[str]:
    """The text's words as ``presswatch_match_keys`` splits them (before transliteration)."""
    return _WORD.findall(_lowered(text))


def _latin_keys(lowered: str) -> list[str]:
    """Transliterating the whole text splits it into the same words as transliterating word by
    word: separators stay separators, and ъ and ь vanish inside a word either way."""
    if _CYRILLIC.search(lowered):
        lowered = lowered.translate(_TO_LATIN)
    return [word[:KEY_LETTERS] for word in _LATIN_WORD.findall(lowered)]


def plain_keys(text: str | None) -> list[str]:
    """``presswatch_match_keys(text, 'plain')``."""
    return _latin_keys(_lowered(text))


def story_keys(
    conn: psycopg.Connection, texts: Sequence[str]
) -> list[tuple[list[str], list[str], list[str]]]:
    """(plain keys, stem keys, whole words) of each text: ``presswatch_match_keys`` in its
    three ways. Each
    distinct word of the batch is transliterated once, and the stemmer is asked once, in one
    statement, for all the distinct Cyrillic words. Where a stem vanishes (the two ways would
    not have a key per word) the plain keys stand in, as in the matching statement."""
    tokens = [_WORD.findall(_lowered(text)) for text in texts]
    distinct = {word for words_of_text in tokens for word in words_of_text}
    stemmer = Stemmer(conn)
    stemmer.ask([word for word in distinct if _CYRILLIC.search(word)])
    latin_of = {word: word.translate(_TO_LATIN) for word in distinct}
    plain_of = {word: latin[:KEY_LETTERS] for word, latin in latin_of.items()}
    stem_of = {
        word: stemmer.stems[word].translate(_TO_LATIN)[:KEY_LETTERS]
        if word in stemmer.stems else key
        for word, key in plain_of.items()
    }  # fmt: skip
    result = []
    for words_of_text in tokens:
        plain = [key for word in words_of_text if (key := plain_of[word])]
        stem = [key for word in words_of_text if (key := stem_of[word])]
        whole = [latin for word in words_of_text if (latin := latin_of[word])]
        result.append((plain, stem if len(stem) == len(plain) else plain, whole))
    return result


class Stemmer:
    """Snowball Russian stems of Cyrillic words, from PostgreSQL, asked once per distinct word."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.stems: dict[str, str] = {}

    def learn(self, texts: Iterable[str | None]) -> None:
        self.learn_lowered(_lowered(text) for text in texts)

    def learn_lowered(self, lowered: Iterable[str]) -> None:
        self.ask({w for text in lowered for w in _CYRILLIC_WORD.findall(text)})

    def ask(self, cyrillic_words: Iterable[str]) -> None:
        wanted = set(cyrillic_words) - set(self.stems)
        if wanted:
            rows = self.conn.execute(STEMS, {"words": sorted(wanted)}).fetchall()
            self.stems.update({word: stem or word for word, stem in rows})

    def stem_keys(self, text: str | None) -> list[str]:
        """``presswatch_match_keys(text, 'stem')`` (call ``learn`` with the text first)."""
        return self.stem_lowered(_lowered(text))

    def stem_lowered(self, lowered: str) -> list[str]:
        stems = self.stems
        stemmed = _CYRILLIC_WORD.sub(lambda m: stems.get(m.group(0), m.group(0)), lowered)
        return _latin_keys(stemmed)
