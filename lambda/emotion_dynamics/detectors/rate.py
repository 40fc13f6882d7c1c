"""Speaking rate of a speech segment: syllables per second, words per minute and a class.

From word timings: their words over the recogniser's own times. With a transcript: its words
and syllables over the speech span. Without either: syllable nuclei counted in a
noise-subtracted band envelope (:mod:`.nuclei`), reported as syllables per second, scaled to
WPM by English's syllables per word and the stack's acoustic scale; its confidences are the
fitted probabilities that the rate class is right and that the relative rate is within 15 %
of the speaker's (:mod:`.rate_confidence`). The class and the
pace relative to the speaker's language come from :mod:`.pace`. Method and figures:
``docs/design/rate.md``, ``docs/design/rate-confidence.md``, ``docs/design/languages.md``.
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from dataclasses import dataclass
from typing import Final

import numpy as np

from emotion_dynamics.config import RateThresholds
from emotion_dynamics.contract import RATE_ACOUSTIC_SCALE
from emotion_dynamics.detectors import nuclei
from emotion_dynamics.detectors.framing import percentile, speech_span_s
from emotion_dynamics.detectors.pace import class_wpm, classify_rate, judge
from emotion_dynamics.detectors.rate_confidence import class_probability, relative_probability
from emotion_dynamics.languages import DEFAULT_LANGUAGE, primary_language
from emotion_dynamics.models import RateClass, RateMethod, RateResult
from emotion_dynamics.syllables import count_syllables
from emotion_dynamics.timings import WordTimings

__all__ = [
    "CALIBRATION_SCALE",
    "MARGIN_CAP",
    "MAX_PLAUSIBLE_SYLLABLES_PER_S",
    "MIN_ACOUSTIC_SPEECH_S",
    "MIN_PLAUSIBLE_SYLLABLES_PER_S",
    "SYLLABLES_PER_WORD",
    "SyllableEstimate",
    "acoustic_syllables_per_s",
    "acoustic_wpm",
    "classify_rate",
    "confidence_features",
    "count_words",
    "detect_rate",
    "estimate_syllables",
    "implausible",
    "summarise_nuclei",
]

#: English averages about 1.4-1.46 syllables per word.
SYLLABLES_PER_WORD: Final = 1.45
#: Least-squares scale from the word reading's rate to the reference WPM on speech-dev
#: (``python -m calibration.rate_model``): the contract's default of the per-stack setting.
CALIBRATION_SCALE: Final = float(RATE_ACOUSTIC_SCALE.default)
#: Counted rates outside these bounds are not human speech (about 40 and 400 WPM of English):
#: a transcript or word timings implying one belong to another segment, so the acoustic
#: estimate is used instead.
MIN_PLAUSIBLE_SYLLABLES_PER_S: Final = 1.0
MAX_PLAUSIBLE_SYLLABLES_PER_S: Final = 10.0
#: Shortest speech span for an acoustic estimate (s).
MIN_ACOUSTIC_SPEECH_S: Final = 0.5
#: Speech span under which the transcript rate's confidence is scaled down (s).
FULL_CONFIDENCE_TRANSCRIPT_S: Final = 0.8
TRANSCRIPT_CONFIDENCE: Final = 0.95
#: Upper end of the envelope's SNR and of a nucleus's prominence used by the confidence (dB).
MAX_SNR_DB: Final = 60.0
MAX_CLARITY_DB: Final = 30.0
#: Distance to a class boundary (natural log of the WPM ratio) beyond which it stops counting.
MARGIN_CAP: Final = 0.08


@dataclass(frozen=True, slots=True)
class SyllableEstimate:
    """Acoustic syllable nuclei over a speech span, and what the confidence is made from.

    ``count`` is the syllable reading's soft count (``syllables`` rounds it), ``word_nuclei``
    the word reading's; ``speech_s`` is the span they were counted in (manifest definition).
    ``clarity_db`` is the weighted median prominence of the nuclei, ``range_db`` the
    envelope's 99th - 5th percentile, ``snr_db`` its 99th percentile over the noise floor,
    ``voiced_share`` the share of candidate weight that passed the voicing check.
    """

    syllables: int
    speech_s: float
    count: float = 0.0
    word_nuclei: float = 0.0
    clarity_db: float = 0.0
    range_db: float = 0.0
    snr_db: float = 0.0
    voiced_share: float = 0.0


# --- words ------------------------------------------------------------------------------


def _is_cjk(char: str) -> bool:
    """Han ideographs and Japanese kana: scripts written without spaces between words."""
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # Hiragana, Katakana
        or 0x31F0 <= code <= 0x31FF  # Katakana phonetic extensions
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0xFF66 <= code <= 0xFF9F  # half-width Katakana
        or 0x20000 <= code <= 0x3134F  # CJK extensions B-G
    )


def _is_word_char(char: str) -> bool:
    """Letters (any script), digits and combining marks (so ``नमस्ते`` stays one word)."""
    return unicodedata.category(char)[0] in "LNM"


def count_words(text: str) -> int:
    """Count the words of a transcript in any language or script.

    A word is a whitespace-separated token holding at least one letter or digit (Unicode
    categories L and N), so punctuation, dashes and emoji alone are not words. Scripts
    written without spaces are handled by a documented approximation: each Han ideograph
    and each Japanese kana counts as one word, and each run of other letters or digits
    inside such a token counts as one more word. (Per-character counting overstates
    Chinese and Japanese word counts by roughly 1.5-2x, so WPM thresholds tuned on English
    do not transfer to those languages; Thai, Lao and Khmer, also written without spaces,
    count one word per space-separated phrase.)

    Examples
    --------
    >>> count_words("Hello, world -- it's 9 o'clock!")
    5
    >>> count_words("東京タワー 333m")
    6

    """
    words = 0
    for token in text.split():
        in_run = False
        for char in token:
            if _is_cjk(char):
                words += 1
                in_run = False
            elif _is_word_char(char) and unicodedata.category(char)[0] != "M":
                if not in_run:
                    words += 1
                    in_run = True
            elif unicodedata.category(char)[0] != "M":
                # Punctuation inside a token (it's, o'clock, 3.5) does not split a word.
                continue
    return words


# --- syllable nuclei --------------------------------------------------------------------


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def estimate_syllables(samples: np.ndarray, sample_rate: int) -> SyllableEstimate:
    """Count syllable nuclei in the segment's band envelope (``docs/design/rate.md``).

    Parameters
    ----------
    samples
        Mono samples in [-1, 1], shape ``(n,)``, float32 or float64.
    sample_rate
        Sampling rate in Hz (8000..48000).

    Returns
    -------
    SyllableEstimate
        The nuclei counts, the speech span they were counted in (s) and the confidence's
        features; 0 nuclei under :data:`MIN_ACOUSTIC_SPEECH_S` of speech.

    """
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    speech_s = speech_span_s(x, sample_rate)
    if speech_s < MIN_ACOUSTIC_SPEECH_S:
        return SyllableEstimate(syllables=0, speech_s=speech_s)
    return summarise_nuclei(nuclei.analyse(x, sample_rate), speech_s)


def summarise_nuclei(
    envelope: nuclei.Envelope,
    speech_s: float,
    *,
    syllable_reading: nuclei.Reading = nuclei.SYLLABLE_READING,
    word_reading: nuclei.Reading = nuclei.WORD_READING,
) -> SyllableEstimate:
    """Read an envelope's nuclei twice (syllables, words) into a :class:`SyllableEstimate`."""
    voicing: dict[int, float] = {}
    syllable = nuclei.read_nuclei(envelope, syllable_reading, voicing)
    word = nuclei.read_nuclei(envelope, word_reading, voicing)
    if syllable.count <= 0.0:
        return SyllableEstimate(syllables=0, speech_s=speech_s)
    p99 = percentile(envelope.db, 99)
    return SyllableEstimate(
        syllables=round(syllable.count),
        speech_s=speech_s,
        count=syllable.count,
        word_nuclei=word.count,
        clarity_db=min(MAX_CLARITY_DB, _weighted_median(syllable.prominence_db, syllable.weights)),
        range_db=p99 - percentile(envelope.db, 5),
        snr_db=min(MAX_SNR_DB, max(0.0, p99 - envelope.noise_db)),
        voiced_share=syllable.voiced_share,
    )


def acoustic_syllables_per_s(estimate: SyllableEstimate) -> float | None:
    """Syllable nuclei per second of speech span (``None`` without nuclei)."""
    if estimate.count <= 0.0 or estimate.speech_s <= 0.0:
        return None
    return estimate.count / estimate.speech_s


def acoustic_wpm(estimate: SyllableEstimate, scale: float = CALIBRATION_SCALE) -> float | None:
    """Calibrated WPM of a syllable estimate: the word reading's nuclei per minute / 1.45."""
    if estimate.count <= 0.0 or estimate.word_nuclei <= 0.0 or estimate.speech_s <= 0.0:
        return None
    raw = estimate.word_nuclei / estimate.speech_s * 60.0 / SYLLABLES_PER_WORD
    return scale * raw


def _boundary_margin(wpm: float, thresholds: RateThresholds) -> tuple[float, float]:
    """Log-distance of ``wpm`` to its class's nearer cut (at most :data:`MARGIN_CAP`), open flag.

    The flag is 1.0 for the open classes (x-slow, x-fast), else 0.0.
    """
    cuts = (
        thresholds.very_slow_wpm,
        thresholds.slow_wpm,
        thresholds.medium_wpm,
        thresholds.fast_wpm,
    )
    index = int(np.searchsorted(cuts, wpm, side="right"))
    lower = cuts[index - 1] if index > 0 else None
    upper = cuts[index] if index < len(cuts) else None
    distances = [abs(math.log(max(wpm, 1e-6) / c)) for c in (lower, upper) if c is not None]
    return min(MARGIN_CAP, *distances), float(lower is None or upper is None)


def confidence_features(
    estimate: SyllableEstimate, wpm: float, thresholds: RateThresholds
) -> tuple[float, ...]:
    """The confidence model's inputs, in :data:`.rate_confidence.FEATURES` order."""
    margin, open_class = _boundary_margin(wpm, thresholds)
    return (
        math.log(estimate.speech_s),
        math.log1p(estimate.count),
        estimate.clarity_db,
        estimate.range_db,
        estimate.snr_db,
        estimate.voiced_share,
        margin,
        open_class,
        math.log(max(estimate.word_nuclei, 1e-3) / estimate.count),
    )


# --- the detector -----------------------------------------------------------------------


def _no_speech(method: RateMethod, speech_s: float, **counts: int | None) -> RateResult:
    return RateResult(
        wpm=None,
        rate_class=RateClass.MEDIUM,
        method=method,
        confidence=0.0,
        speech_s=speech_s,
        **counts,  # type: ignore[arg-type]
    )


def _exact_confidence(span_s: float) -> float:
    return TRANSCRIPT_CONFIDENCE * min(1.0, span_s / FULL_CONFIDENCE_TRANSCRIPT_S)


def _counted_rate(
    method: RateMethod,
    *,
    words: int,
    syllables: int,
    span_s: float,
    articulation_wpm: float | None = None,
) -> RateResult:
    """A rate from counted words and syllables over a speech span (unjudged: pace.judge)."""
    return RateResult(
        wpm=words / span_s * 60.0,
        rate_class=RateClass.MEDIUM,  # judged by pace.judge
        method=method,
        confidence=_exact_confidence(span_s),
        speech_s=span_s,
        syllables=syllables,
        words=words,
        syllables_per_s=syllables / span_s,
        articulation_wpm=articulation_wpm,
    )


def _timed_rate(words: WordTimings, language: str) -> RateResult:
    """Words and syllables over the recogniser's own times: exact, no audio analysis."""
    n_words = len(words.words)
    articulation_s = words.articulation_s
    return _counted_rate(
        RateMethod.WORD_TIMINGS,
        words=n_words,
        syllables=count_syllables(words.text, language),
        span_s=words.span_s,
        articulation_wpm=n_words / articulation_s * 60.0 if articulation_s > 0 else None,
    )


def _transcript_rate(
    samples: np.ndarray, sample_rate: int, transcript: str, words: int, language: str
) -> RateResult:
    syllables = count_syllables(transcript, language)
    speech_s = speech_span_s(samples, sample_rate)
    if speech_s <= 0.0:
        return _no_speech(RateMethod.TRANSCRIPT, 0.0, words=words, syllables=syllables)
    return _counted_rate(RateMethod.TRANSCRIPT, words=words, syllables=syllables, span_s=speech_s)


def _acoustic_rate(
    samples: np.ndarray, sample_rate: int, scale: float
) -> tuple[RateResult, SyllableEstimate]:
    """The acoustic estimate, unjudged (its confidence needs the class: see detect_rate)."""
    estimate = estimate_syllables(samples, sample_rate)
    acoustic = acoustic_wpm(estimate, scale)
    if acoustic is None:
        return _no_speech(
            RateMethod.ACOUSTIC, estimate.speech_s, syllables=estimate.syllables
        ), estimate
    return RateResult(
        wpm=acoustic,
        rate_class=RateClass.MEDIUM,  # judged by pace.judge
        method=RateMethod.ACOUSTIC,
        confidence=0.0,  # set once judged
        speech_s=estimate.speech_s,
        syllables=estimate.syllables,
        syllables_per_s=acoustic_syllables_per_s(estimate),
    ), estimate


def implausible(rate: RateResult) -> bool:
    """A counted rate no human speaks at (a wrong transcript or wrong word timings)."""
    return rate.syllables_per_s is not None and not (
        MIN_PLAUSIBLE_SYLLABLES_PER_S <= rate.syllables_per_s <= MAX_PLAUSIBLE_SYLLABLES_PER_S
    )


def detect_rate(
    samples: np.ndarray,
    sample_rate: int,
    *,
    thresholds: RateThresholds,
    transcript: str | None = None,
    words: WordTimings | None = None,
    language: str = DEFAULT_LANGUAGE,
    language_given: bool = False,
    acoustic_scale: float = CALIBRATION_SCALE,
) -> RateResult:
    """Measure the speaking rate: from word timings, else a transcript, else acoustically.

    ``language`` (BCP-47) picks the syllable counter and the pace norm (:mod:`.pace`). A
    counted rate outside human speech falls back to the acoustic estimate with a note. The
    acoustic confidence is the probability that the class is right, so it is computed on the
    WPM the class was judged by (:func:`.pace.class_wpm`); ``relative_confidence`` is the
    probability that the relative rate is within 15 % (the relative mode's gate). Never raises
    on finite input of at least one sample; without speech ``wpm`` is ``None``, the class
    MEDIUM and the confidences 0.0.
    """
    primary = primary_language(language)
    counted: RateResult | None = None
    if words is not None:
        counted = _timed_rate(words, primary)
    elif transcript is not None and (n_words := count_words(transcript)) > 0:
        counted = _transcript_rate(samples, sample_rate, transcript, n_words, primary)
    notes: tuple[str, ...] = ()
    if counted is not None and implausible(counted):
        field = "source_words" if counted.method is RateMethod.WORD_TIMINGS else "source_transcript"
        notes = (
            f"rate: {field} implies {counted.wpm or 0:.0f} WPM "
            f"({counted.syllables_per_s or 0:.1f} syllables/s), outside human speech "
            f"({MIN_PLAUSIBLE_SYLLABLES_PER_S:g}..{MAX_PLAUSIBLE_SYLLABLES_PER_S:g} syllables/s, "
            "about 40..400 WPM); acoustic estimate used",
        )
        counted = None
    if counted is not None:
        return judge(
            counted, language=language, given=language_given, thresholds=thresholds, notes=notes
        )
    acoustic, estimate = _acoustic_rate(samples, sample_rate, acoustic_scale)
    judged = judge(
        acoustic, language=language, given=language_given, thresholds=thresholds, notes=notes
    )
    wpm = class_wpm(judged, thresholds)
    if wpm is None:
        return judged
    features = confidence_features(estimate, wpm, thresholds)
    return dataclasses.replace(
        judged,
        confidence=class_probability(features),
        relative_confidence=relative_probability(features),
    )
