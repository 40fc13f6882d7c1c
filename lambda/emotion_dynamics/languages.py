"""Typical speaking rates per language: the norm a speaker's syllable rate is relative to.

Two norms per language, in syllables per speech-second (this project's speech span, which
includes short pauses): one for rates that count syllables exactly (transcript, word timings)
and one for the acoustic estimator, which merges adjacent vowels more in some languages. The
table, its sources and how each figure was measured: ``docs/design/languages.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["DEFAULT_LANGUAGE", "NORMS", "LanguageNorm", "norm_for", "primary_language"]

DEFAULT_LANGUAGE: Final = "en"


@dataclass(frozen=True, slots=True)
class LanguageNorm:
    """Typical read-speech syllable rates of one language (syllables per speech-second)."""

    exact_syllables_per_s: float
    acoustic_syllables_per_s: float
    source: str


#: English: speech-dev's median true syllable rate over this project's speech span (38 clips,
#: 7 talkers, plus the 2 read English clips of extra/). Other languages: English times the ratio
#: of their read-speech rates in Pellegrino, Coupe & Marsico (2011), Language 87(3).
_EN_EXACT: Final = 4.12
_PELLEGRINO: Final = {"en": 6.19, "ja": 7.84, "es": 7.82, "fr": 7.18, "de": 5.97, "zh": 5.18}
#: The acoustic estimator's reading over the true rate, median per clip on real read speech
#: (``python -m calibration norms``; few readers outside English: docs/design/languages.md).
#: A language's acoustic norm is its exact norm times this (English's where not measured).
_ESTIMATOR_RATIO: Final = {
    "en": 0.956,
    "de": 0.991,
    "es": 0.968,
    "fr": 1.149,
    "it": 1.022,
    "ja": 1.214,
    "ko": 1.006,
    "pt": 0.985,
    "ru": 0.854,
}


def _norm(lang: str) -> LanguageNorm:
    exact = _EN_EXACT * _PELLEGRINO.get(lang, _PELLEGRINO["en"]) / _PELLEGRINO["en"]
    ratio = _ESTIMATOR_RATIO.get(lang, _ESTIMATOR_RATIO["en"])
    source = (
        "speech-dev"
        if lang == "en"
        else "Pellegrino et al. 2011 ratio"
        if lang in _PELLEGRINO
        else "none published: English's"
    )
    return LanguageNorm(round(exact, 2), round(exact * ratio, 2), source)


NORMS: Final[dict[str, LanguageNorm]] = {
    lang: _norm(lang) for lang in sorted(set(_PELLEGRINO) | set(_ESTIMATOR_RATIO))
}


def primary_language(tag: str) -> str:
    """The primary subtag of a BCP-47 tag, lower case (``pt-BR`` -> ``pt``)."""
    return tag.split("-", 1)[0].lower()


def norm_for(tag: str) -> tuple[str, LanguageNorm, bool]:
    """The language's primary subtag, its norm, and whether a published norm of its own is known.

    Other languages get English's typical pace (and ``False``), so the response can say so.
    """
    lang = primary_language(tag)
    norm = NORMS.get(lang) or _norm(lang)
    return lang, norm, lang in _PELLEGRINO
