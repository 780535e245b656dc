"""Normalising Uzbek and other registry text.

Uzbek Latin writes oʻ and gʻ with U+02BB (modifier letter turned comma) and the tutuq belgisi
(ʼ) with U+02BC; in practice people type ', ‘, ’ or `. Registry text is normalised so that the
same name always compares equal, whatever keyboard typed it.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = "'\u2018\u2019`\u02bb\u02bc\u00b4\u02b9"
# o or g (either case) followed by any apostrophe-like mark is the letter oʻ / gʻ.
_OG = re.compile(f"([oOgG])[{_APOSTROPHES}]")
# Any other apostrophe between letters is the tutuq belgisi (ʼ), as in taʼlim, maʼlumot.
_TUTUQ = re.compile(f"(?<=\\w)[{_APOSTROPHES}](?=\\w)")
_SPACES = re.compile(r"\s+")


def normalize_uz_latin(text: str) -> str:
    """NFC, single spaces, oʻ/gʻ with U+02BB and the tutuq belgisi with U+02BC."""
    text = unicodedata.normalize("NFC", text)
    text = _OG.sub(lambda m: m.group(1) + "\u02bb", text)
    text = _TUTUQ.sub("\u02bc", text)
    return _SPACES.sub(" ", text).strip()


def normalize_text(text: str) -> str:
    """NFC and single spaces, for names in any script."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
