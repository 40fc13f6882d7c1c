"""Syllables of a text by rules per language (no dictionary: it would not fit the layer).

English: vowel groups with silent-e, -ed/-es and consonant-le rules; Spanish, Italian and
Portuguese: vowel groups split at strong-strong hiatus and at stressed weak vowels; German,
French: vowel groups (French drops a final mute e); Russian: one per vowel letter; Korean:
one per Hangul block; Chinese: one per Han character; Japanese: one per kana that starts a
syllable, and an estimated 1.4 per kanji (readings are not in the text). Error against
speech-dev's dictionary counts: ``docs/design/languages.md``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from typing import Final

__all__ = ["count_syllables"]

#: Syllables of a kanji whose reading the text does not give (on'yomi average, estimated).
KANJI_SYLLABLES: Final = 1.4

_APOSTROPHES: Final = "'\u2019"
_WORD: Final = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*|\d+", re.UNICODE)
_EN_VOWELS: Final = re.compile(r"[aeiouy]+")
_EN_DIGITS: Final = (1, 1, 1, 1, 1, 1, 2, 2, 1, 1)  # zero..nine (said as digits)
_ROMANCE_STRONG: Final = frozenset("aeoáéóàèòâêôãõ")
_ROMANCE_STRESSED_WEAK: Final = frozenset("íúìù")
_VOWELS: Final = {
    "de": "aeiouäöüy",
    "fr": "aeiouyàâéèêëîïôûùüÿæœ",
    "es": "aeiouáéíóúüy",
    "it": "aeiouàèéìíòóùú",
    "pt": "aeiouáâãàéêíóôõúü",
    "generic": "aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœ",
}
_RU_VOWELS: Final = frozenset("аеёиоуыэюяaeiou")  # noqa: RUF001 (Cyrillic and Latin vowels)
#: Small kana, the long-vowel mark, the sokuon and the moraic n: part of another syllable.
_JA_NOT_SYLLABLE: Final = frozenset("ぁぃぅぇぉゃゅょゎっんァィゥェォャュョヮッンヵヶー")


def _english_word(word: str) -> int:
    w = "".join(c for c in word.lower() if c not in _APOSTROPHES)  # it's, o'clock
    if w.isdecimal():
        return sum(_EN_DIGITS[int(d)] for d in w)
    if len(w) <= 3:
        return max(1, len(_EN_VOWELS.findall(w)))
    groups = len(_EN_VOWELS.findall(w[1:] if w[0] == "y" else w)) or 1
    consonant_le = w.endswith("le") and w[-3] not in "aeiouy"
    if w.endswith("e") and w[-2] not in "aeiouy" and not consonant_le and groups > 1:
        groups -= 1  # silent final e: make, time
    if w.endswith("ed") and groups > 1 and w[-3] not in "td":
        groups -= 1  # jumped, called
    elif (
        w.endswith("es")
        and groups > 1
        and not w.endswith(("ses", "xes", "zes", "ches", "shes", "ges", "ces"))
    ):
        groups -= 1  # makes, times
    groups += len(
        re.findall(r"[^aeiou]ia|(?<![tscgx])io(?!u)|[^aeiou]ua|eo|[aeiou]ing\b", w)
    )  # hiatus
    return max(1, groups)


def _vowel_groups(word: str, vowels: str) -> list[str]:
    return re.findall(f"[{vowels}]+", word.lower())


def _romance_word(word: str, lang: str) -> int:
    count = 0
    for group in _vowel_groups(word, _VOWELS[lang]):
        count += 1
        for a, b in itertools.pairwise(group):
            strong_pair = a in _ROMANCE_STRONG and b in _ROMANCE_STRONG
            if strong_pair or a in _ROMANCE_STRESSED_WEAK or b in _ROMANCE_STRESSED_WEAK:
                count += 1  # hiatus: two syllables
    if word.isdecimal():
        return 2 * len(word)
    return max(1, count)


def _french_word(word: str) -> int:
    w = word.lower()
    if w.isdecimal():
        return len(w)
    groups = len(_vowel_groups(w, _VOWELS["fr"]))
    if groups > 1 and re.search(r"[^aeiouy](e|es|ent)$", w):
        groups -= 1  # mute e: table, tables, parlent
    groups += len(re.findall(r"é[aeiouàâéèêîôû]", w))  # réalité, créer
    return max(1, groups)


def _generic_word(word: str, vowels: str) -> int:
    if word.isdecimal():
        return len(word)
    return max(1, len(_vowel_groups(word, vowels)))


def _ja_text(text: str) -> int:
    kana = kanji = 0.0
    for char in text:
        code = ord(char)
        if 0x3040 <= code <= 0x30FF and char not in _JA_NOT_SYLLABLE:
            kana += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            kanji += 1
    return round(kana + KANJI_SYLLABLES * kanji)


def _per_char(predicate: Callable[[int], bool]) -> Callable[[str], int]:
    return lambda text: sum(1 for char in text if predicate(ord(char)))


_SCRIPT_COUNTERS: Final[dict[str, Callable[[str], int]]] = {
    "ja": _ja_text,
    "ko": _per_char(lambda code: 0xAC00 <= code <= 0xD7A3),
    "zh": _per_char(lambda code: 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF),
    "yue": _per_char(lambda code: 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF),
}


def _word_counter(lang: str) -> Callable[[str], int]:
    if lang == "en":
        return _english_word
    if lang in ("es", "it", "pt"):
        return lambda w: _romance_word(w, lang)
    if lang == "fr":
        return _french_word
    if lang == "ru" or lang in ("uk", "bg", "be"):
        return lambda w: (
            max(1, sum(1 for c in w.lower() if c in _RU_VOWELS)) if not w.isdecimal() else len(w)
        )
    return lambda w: _generic_word(w, _VOWELS.get(lang, _VOWELS["generic"]))


def count_syllables(text: str, language: str) -> int:
    """Syllables of ``text`` read in ``language`` (a primary subtag such as ``en``, ``ja``)."""
    normal = unicodedata.normalize("NFC", text)
    if language in _SCRIPT_COUNTERS:
        return _SCRIPT_COUNTERS[language](normal)
    counter = _word_counter(language)
    return sum(counter(word) for word in _WORD.findall(normal))
