"""A speaker's pace relative to their language's typical pace, and the rate class from it.

``relative`` is the syllable rate over the language's norm (:mod:`emotion_dynamics.languages`):
the exact norm for counted syllables (transcript, word timings), the acoustic estimator's own
norm for nuclei counts. English speakers are classed by words per minute against the stack's
thresholds, as always; a speaker of another language is classed by their relative pace, so
that the language's typical pace lands in the middle of the medium band.
"""

from __future__ import annotations

import dataclasses

from emotion_dynamics.config import RateThresholds
from emotion_dynamics.languages import norm_for
from emotion_dynamics.models import LanguagePace, RateClass, RateMethod, RateResult

__all__ = ["class_wpm", "classify_rate", "judge", "reference_wpm"]


def classify_rate(wpm: float, thresholds: RateThresholds) -> RateClass:
    """Rate class: ``< very_slow`` X_SLOW, ``< slow`` SLOW, ``< medium`` MEDIUM, ``< fast`` FAST, else X_FAST."""
    if wpm < thresholds.very_slow_wpm:
        return RateClass.X_SLOW
    if wpm < thresholds.slow_wpm:
        return RateClass.SLOW
    if wpm < thresholds.medium_wpm:
        return RateClass.MEDIUM
    if wpm < thresholds.fast_wpm:
        return RateClass.FAST
    return RateClass.X_FAST


def reference_wpm(thresholds: RateThresholds) -> float:
    """The WPM a speaker at their language's typical pace is classed as: mid medium band."""
    return (thresholds.slow_wpm + thresholds.medium_wpm) / 2.0


def class_wpm(result: RateResult, thresholds: RateThresholds) -> float | None:
    """The WPM ``result`` is classed by: its own for English, relative x the reference else.

    ``None`` for a result without a rate (or a judged one without ``relative``).
    """
    if result.wpm is None:
        return None
    if result.pace is None or result.pace.language == "en":
        return result.wpm
    if result.relative is None:
        return None
    return result.relative * reference_wpm(thresholds)


def judge(
    result: RateResult,
    *,
    language: str,
    given: bool,
    thresholds: RateThresholds,
    notes: tuple[str, ...] = (),
) -> RateResult:
    """``result`` with its language pace, relative rate and class filled in."""
    lang, norm, known = norm_for(language)
    exact = result.method is not RateMethod.ACOUSTIC
    norm_rate = norm.exact_syllables_per_s if exact else norm.acoustic_syllables_per_s
    pace = LanguagePace(language=lang, norm_syllables_per_s=norm_rate, known=known, given=given)
    if result.wpm is None or result.syllables_per_s is None:
        return dataclasses.replace(result, pace=pace, notes=result.notes + notes)
    judged = dataclasses.replace(
        result, relative=result.syllables_per_s / norm_rate, pace=pace, notes=result.notes + notes
    )
    wpm = class_wpm(judged, thresholds)
    assert wpm is not None  # wpm and relative are set
    return dataclasses.replace(judged, rate_class=classify_rate(wpm, thresholds))
