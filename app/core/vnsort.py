"""Vietnamese sorting and searching of names: a collation key that sorts by the Vietnamese alphabet
with tones as secondary differences (as CLDR's "vi" collation does), and an accent-free folding.

PyICU would give the same order, but PyPI has no wheel of it: it must be compiled against the
system's ICU, which a fresh machine does not have. The key is a plain string so that the database
can store it and sort by it (binary order on SQLite, collation "C" on PostgreSQL)."""
from __future__ import annotations

import unicodedata

#: the Vietnamese alphabet, with the Latin letters it lacks (f j w z) where Latin puts them
ALPHABET = ("a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
            "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z")
#: combining marks that make a letter of its own (â ă ê ô ơ ư): a primary difference
_LETTER_MARKS = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
                 ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
#: the five tones, in dictionary order (huyền, hỏi, ngã, sắc, nặng): a secondary difference
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_OTHER_MARK = "6"  # a mark Vietnamese does not use (ü, ç): after the tones

# Every weight is one character above the separators, so a shorter word sorts first ("An" < "Anh").
_FIELD_SEP, _LEVEL_SEP, _SPACE = " ", "!", '"'
_PRIMARY = {letter: chr(0x41 + n) for n, letter in enumerate(ALPHABET)} | {str(d): chr(0x30 + d) for d in range(10)}
#: any other character sorts after the letters, by code point (fixed width keeps that order)
_UNKNOWN = "~"


def _letters(text: str) -> list[tuple[str, str, bool]]:
    """The text as (base letter, secondary weight, upper case) triples, marks folded into their letter."""
    out: list[list] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if not out:
                continue
            base = out[-1][0]
            if (base, ch) in _LETTER_MARKS:
                out[-1][0] = _LETTER_MARKS[(base, ch)]
            elif out[-1][1] == "0":
                out[-1][1] = _TONES.get(ch, _OTHER_MARK)
            continue
        lower = ch.lower()
        out.append([lower, "0", ch != lower])
    return [(base, tone, upper) for base, tone, upper in out]


def _primary(letter: str) -> str:
    if letter in _PRIMARY:
        return _PRIMARY[letter]
    if letter.isspace():
        return _SPACE
    return f"{_UNKNOWN}{ord(letter):06x}"


def collation_key(text: str) -> str:
    """A string that sorts (by code point) as `text` does in Vietnamese: letters first (a ă â b …
    đ …), then tones (a à ả ã á ạ), then lower case before upper case; spaces count as a space."""
    letters = _letters(" ".join(text.split()))
    primary = "".join(_primary(base) for base, _tone, _upper in letters)
    tones = "".join(tone for _base, tone, _upper in letters)
    cases = "".join("1" if upper else "0" for _base, _tone, upper in letters)
    return f"{primary}{_LEVEL_SEP}{tones}{_LEVEL_SEP}{cases}"


def name_key(full_name: str) -> str:
    """The sort key of a Vietnamese full name: the given name (the last word) first, then the
    family and middle names, each compared in Vietnamese order ("Nguyễn Văn An" before "Lê Thị Bình")."""
    words = full_name.split()
    given, rest = (words[-1], " ".join(words[:-1])) if words else ("", "")
    return f"{collation_key(given)}{_FIELD_SEP}{collation_key(rest)}"


def fold(text: str) -> str:
    """`text` lower case without diacritics (đ as d), the form searches compare: "Nguyễn Đức" -> "nguyen duc"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
