"""Normalising Uzbek Latin text typed with any apostrophe."""

import pytest

from presswatch.text import normalize_text, normalize_uz_latin


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Farg'ona", "Farg\u02bbona"),
        ("Farg\u2018ona", "Farg\u02bbona"),
        ("Farg\u2019ona", "Farg\u02bbona"),
        ("Farg`ona", "Farg\u02bbona"),
        ("O\u02bczbekiston", "O\u02bbzbekiston"),  # the tutuq sign typed where oʻ is meant
        ("ta'lim", "ta\u02bclim"),  # the tutuq belgisi
        ("ta\u02bblim", "ta\u02bclim"),
        ("bog'", "bog\u02bb"),  # oʻ/gʻ at the end of a word
        ("  Toshkent   shahar  ", "Toshkent shahar"),
        ("Sog\u02bbliqni saqlash", "Sog\u02bbliqni saqlash"),  # already right: unchanged
    ],
)
def test_uzbek_latin_apostrophes_become_modifier_letters(typed, stored):
    assert normalize_uz_latin(typed) == stored


def test_text_is_nfc_normalised():
    decomposed = "\u0418\u0306"  # Cyrillic И + combining breve
    assert normalize_text(decomposed) == "\u0419"  # Й
    assert normalize_uz_latin("O\u0301") == "\u00d3"


def test_quotes_that_are_not_letters_are_kept():
    assert normalize_uz_latin("'Adliya' vazirligi") == "'Adliya' vazirligi"
