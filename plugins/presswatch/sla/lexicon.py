"""The word lists matching ships with: the trigger words and phrases that make a story critical
(``include/lexicon/critical.yaml``) and the words that name no one institution
(``include/lexicon/generic_words.yaml``).

Both are read and validated here, with an error naming the bad entry by its place in the file
(``categories.corruption.terms.ru[3]``). What the entries' keys are, and whether a term is long
enough to be found, is the database's to say (``presswatch_match_keys``): that is checked when
``presswatch.sla.matching`` loads the lexicon. The lexicon's sha256 is stored with every score
(``story.scored_with``), so a score can be traced to the exact list it was computed with.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from presswatch.errors import PresswatchError
from presswatch.paths import INCLUDE
from presswatch.settings import LANGUAGES
from presswatch.text import normalize_text

LEXICON_DIR = INCLUDE / "lexicon"
LEXICON_FILE = LEXICON_DIR / "critical.yaml"
GENERIC_WORDS_FILE = LEXICON_DIR / "generic_words.yaml"
MAX_WEIGHT = 10.0
PREFIX_MARK = "*"


@dataclass(frozen=True)
class Term:
    """One trigger word or phrase, as written in the lexicon (without its trailing ``*``)."""

    text: str
    language: str
    category: str
    weight: float
    # Written with a trailing *: the last word is compared with the story's whole words as a
    # prefix (bajarilma* finds bajarilmadi, not bajarildi) instead of by its 6-letter key.
    prefix: bool
    where: str  # its place in the file, for messages: categories.corruption.terms.ru[3]


@dataclass(frozen=True)
class Lexicon:
    path: Path
    sha256: str
    terms: tuple[Term, ...]


def _read_yaml(path: Path) -> tuple[Any, bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PresswatchError(f"lexicon file not found: {path}") from None
    try:
        return yaml.safe_load(data.decode("utf-8")), data
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PresswatchError(f"{path}: not valid UTF-8 YAML: {exc}") from None


def _weight(value: Any, where: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PresswatchError(f"{path}: {where}: {value!r} is not a number")
    if not (0 < value <= MAX_WEIGHT) or math.isnan(value):
        raise PresswatchError(
            f"{path}: {where}: {value!r} must be above 0 and at most {MAX_WEIGHT:g}"
        )
    return float(value)


def _term(value: Any, where: str, path: Path) -> tuple[str, bool]:
    if not isinstance(value, str):
        raise PresswatchError(f"{path}: {where}: {value!r} is not a word or phrase (a string)")
    text = normalize_text(value)
    prefix = text.endswith(PREFIX_MARK)
    if prefix:
        text = text[: -len(PREFIX_MARK)]
        if not text or not text[-1].isalpha():
            raise PresswatchError(f"{path}: {where}: {value!r}: a * must follow a letter")
    if PREFIX_MARK in text:
        raise PresswatchError(f"{path}: {where}: {value!r}: a * may only end the term")
    if not any(ch.isalnum() for ch in text):
        raise PresswatchError(f"{path}: {where}: {value!r} has no letters")
    return text, prefix


def load(path: Path | str = LEXICON_FILE) -> Lexicon:
    """Read and validate the lexicon: ``categories`` of ``weight`` and ``terms`` per language."""
    source = Path(path)
    raw, data = _read_yaml(source)
    if not isinstance(raw, dict) or set(raw) != {"categories"}:
        raise PresswatchError(f"{source}: expected one top-level key, categories")
    categories = raw["categories"]
    if not isinstance(categories, dict) or not categories:
        raise PresswatchError(f"{source}: categories: expected a mapping of categories")
    terms: list[Term] = []
    seen: dict[tuple[str, str, bool], str] = {}
    for category, spec in categories.items():
        at = f"categories.{category}"
        if not isinstance(spec, dict) or set(spec) != {"weight", "terms"}:
            raise PresswatchError(f"{source}: {at}: expected the keys weight and terms")
        weight = _weight(spec["weight"], f"{at}.weight", source)
        by_language = spec["terms"]
        if not isinstance(by_language, dict) or not by_language:
            raise PresswatchError(f"{source}: {at}.terms: expected lists per language")
        for language, entries in by_language.items():
            where_list = f"{at}.terms.{language}"
            if language not in LANGUAGES:
                raise PresswatchError(
                    f"{source}: {where_list}: unknown language (one of {', '.join(LANGUAGES)})"
                )
            if not isinstance(entries, list) or not entries:
                raise PresswatchError(f"{source}: {where_list}: expected a list of terms")
            for index, entry in enumerate(entries):
                where = f"{where_list}[{index}]"
                text, prefix = _term(entry, where, source)
                key = (language, text.lower(), prefix)
                if key in seen:
                    raise PresswatchError(f"{source}: {where}: {entry!r} is already {seen[key]}")
                seen[key] = where
                terms.append(Term(text, language, str(category), weight, prefix, where))
    return Lexicon(source, hashlib.sha256(data).hexdigest(), tuple(terms))


def load_generic_words(path: Path | str = GENERIC_WORDS_FILE) -> tuple[str, ...]:
    """The words no alias may consist of alone (``generic_words.yaml``: lists per language)."""
    source = Path(path)
    raw, _ = _read_yaml(source)
    if not isinstance(raw, dict) or not raw:
        raise PresswatchError(f"{source}: expected lists of words per language")
    words: list[str] = []
    for language, entries in raw.items():
        if language not in LANGUAGES:
            raise PresswatchError(
                f"{source}: {language}: unknown language (one of {', '.join(LANGUAGES)})"
            )
        if not isinstance(entries, list):
            raise PresswatchError(f"{source}: {language}: expected a list of words")
        for index, entry in enumerate(entries):
            if not isinstance(entry, str) or not entry.strip():
                raise PresswatchError(f"{source}: {language}[{index}]: {entry!r} is not a word")
            words.append(normalize_text(entry))
    return tuple(words)
