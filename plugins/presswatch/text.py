"""Normalising Uzbek and other registry text.

Uzbek Latin writes oʻ and gʻ with U+02BB (modifier letter turned comma) and the tutuq belgisi
(ʼ) with U+02BC; in practice people type ', ‘, ’ or `. Registry text is normalised so that the
same name always compares equal, whatever keyboard typed it.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = "'\u2018\u2019`\u02bb\u02bc\u00b4\u02b9"
# An apostrophe-like mark after a letter: after o or g it makes the letter oʻ / gʻ (U+02BB);
# after any other letter, and followed by one, it is the tutuq belgisi (U+02BC: taʼlim).
_MARK = re.compile(f"(?<=(\\w))[{_APOSTROPHES}]")
_SPACES = re.compile(r"\s+")


def _letter_mark(match: re.Match) -> str:
    before = match.group(1)
    if before in "oOgG":
        return "\u02bb"
    following = match.string[match.end() : match.end() + 1]
    return "\u02bc" if following.isalpha() else match.group(0)


def normalize_uz_latin(text: str) -> str:
    """NFC, single spaces, oʻ/gʻ with U+02BB and the tutuq belgisi with U+02BC."""
    text = unicodedata.normalize("NFC", text)
    text = _MARK.sub(_letter_mark, text)
    return _SPACES.sub(" ", text).strip()


def normalize_text(text: str) -> str:
    """NFC and single spaces, for names in any script."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
