"""Speaking rate of a speech segment in words per minute, and its rate class.

With a transcript: its words over the speech span. Without: voiced syllable nuclei counted
in the 300-3000 Hz energy envelope, scaled to WPM by English's syllables per word and one
constant fitted on speech-dev. Method, confidence and fit figures: ``docs/design/rate.md``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from emotion_dynamics.config import RateThresholds
from emotion_dynamics.contract import RATE_ACOUSTIC_SCALE
from emotion_dynamics.detectors.framing import (
    frame_lengths,
    frame_signal,
    percentile,
    speech_span_s,
)
from emotion_dynamics.detectors.pace import classify_rate, judge
from emotion_dynamics.languages import DEFAULT_LANGUAGE, primary_language
from emotion_dynamics.models import RateClass, RateMethod, RateResult
from emotion_dynamics.syllables import count_syllables
from emotion_dynamics.timings import WordTimings

__all__ = [
    "CALIBRATION_SCALE",
    "MAX_PLAUSIBLE_SYLLABLES_PER_S",
    "MIN_ACOUSTIC_SPEECH_S",
    "MIN_PLAUSIBLE_SYLLABLES_PER_S",
    "SYLLABLES_PER_WORD",
    "SyllableEstimate",
    "acoustic_wpm",
    "classify_rate",
    "count_words",
    "detect_rate",
    "estimate_syllables",
    "implausible",
]

#: English averages about 1.4-1.46 syllables per word.
SYLLABLES_PER_WORD: Final = 1.45
#: Least-squares scale from raw to reference WPM on speech-dev (38 clips; docs/design/rate.md):
#: the contract's default of the per-stack setting.
CALIBRATION_SCALE: Final = float(RATE_ACOUSTIC_SCALE.default)
#: Counted rates outside these bounds are not human speech (about 40 and 400 WPM of English).
MIN_PLAUSIBLE_SYLLABLES_PER_S: Final = 1.0
MAX_PLAUSIBLE_SYLLABLES_PER_S: Final = 10.0
#: Shortest speech span for an acoustic estimate (s).
MIN_ACOUSTIC_SPEECH_S: Final = 0.5
#: Speech span under which the transcript rate's confidence is scaled down (s).
FULL_CONFIDENCE_TRANSCRIPT_S: Final = 0.8
TRANSCRIPT_CONFIDENCE: Final = 0.95
ACOUSTIC_MAX_CONFIDENCE: Final = 0.9
FULL_CONFIDENCE_ACOUSTIC_S: Final = 2.0
FULL_CONFIDENCE_NUCLEI: Final = 6
FULL_CLARITY_DIP_DB: Final = 6.0
#: Envelope dynamic range (99th - 5th percentile) at which the range term is 0, and its span.
MIN_ENVELOPE_RANGE_DB: Final = 15.0
ENVELOPE_RANGE_SPAN_DB: Final = 15.0

# Envelope and nucleus picking.
ENVELOPE_FRAME_S: Final = 0.025
ENVELOPE_HOP_S: Final = 0.010
BAND_LOW_HZ: Final = 300.0
BAND_HIGH_HZ: Final = 3000.0
SMOOTHING_FRAMES: Final = 5
PEAK_FLOOR_BELOW_P99_DB: Final = 30.0
MIN_DIP_DB: Final = 1.5
MIN_VOICING: Final = 0.4
PITCH_MIN_HZ: Final = 50.0
PITCH_MAX_HZ: Final = 400.0

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SyllableEstimate:
    """Acoustic syllable-nuclei count over a speech span.

    ``confidence`` is in [0, 0.9] (``docs/design/rate.md``); ``speech_s`` is the speech span
    the nuclei were counted in (manifest definition).
    """

    syllables: int
    speech_s: float
    confidence: float


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


def _envelope(x: FloatArray, sample_rate: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Smoothed band envelope in dB, the frames it was computed from, and their window."""
    frame_len, hop_len = frame_lengths(sample_rate, frame_s=ENVELOPE_FRAME_S, hop_s=ENVELOPE_HOP_S)
    frames = frame_signal(x, frame_len, hop_len)
    frame_len = frames.shape[1]
    n_fft = 1 << int(np.ceil(np.log2(max(frame_len, 2))))
    window = np.hanning(frame_len) if frame_len > 2 else np.ones(frame_len)
    spectra = np.fft.rfft(frames * window, n_fft)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    band = np.flatnonzero((freqs >= BAND_LOW_HZ) & (freqs <= BAND_HIGH_HZ))
    if band.size == 0:  # frames too short to resolve the band: use every bin
        band = np.arange(freqs.size)
    in_band = spectra[:, band[0] : band[-1] + 1]
    band_power = (in_band.real**2 + in_band.imag**2).sum(axis=1) / (
        n_fft * np.sum(window**2) + 1e-30
    )
    envelope = 10.0 * np.log10(band_power + 1e-12)
    if envelope.size >= SMOOTHING_FRAMES:
        kernel = np.full(SMOOTHING_FRAMES, 1.0 / SMOOTHING_FRAMES)
        padded = np.pad(envelope, SMOOTHING_FRAMES // 2, mode="edge")
        envelope = np.convolve(padded, kernel, mode="valid")[: frames.shape[0]]
    return envelope, frames, window


def _voicing(frames: FloatArray, window: FloatArray, sample_rate: int) -> FloatArray:
    """Peak normalised autocorrelation (lags of 50-400 Hz periods) of each frame.

    The autocorrelation is computed from a zero-padded FFT (no circular wrap) and divided by
    the window's own autocorrelation, so a periodic frame scores close to 1 and noise near 0.
    """
    frame_len = frames.shape[1]
    lag_lo = max(1, int(sample_rate / PITCH_MAX_HZ))
    lag_hi = min(int(sample_rate / PITCH_MIN_HZ), frame_len // 2)
    if lag_hi <= lag_lo or frames.shape[0] == 0:
        return np.zeros(frames.shape[0])
    n_fft = 1 << int(np.ceil(np.log2(2 * frame_len)))
    spectra = np.fft.rfft(frames * window, n_fft)
    acf = np.fft.irfft(spectra.real**2 + spectra.imag**2, n_fft)[:, : lag_hi + 1]
    window_acf = np.fft.irfft(np.abs(np.fft.rfft(window, n_fft)) ** 2, n_fft)[: lag_hi + 1]
    energy = np.maximum(acf[:, :1], 1e-30)
    shape = window_acf[lag_lo : lag_hi + 1] / max(float(window_acf[0]), 1e-30)
    corrected = acf[:, lag_lo : lag_hi + 1] / energy / shape
    return np.asarray(np.max(corrected, axis=1), dtype=np.float64)


def _nuclei(envelope: FloatArray) -> tuple[list[int], list[float]]:
    """Peak frames passing the threshold and dip test, with each one's dip depth (dB)."""
    if envelope.size < 3:
        return [], []
    floor_db = percentile(envelope, 99) - PEAK_FLOOR_BELOW_P99_DB
    inner = envelope[1:-1]
    maxima = np.flatnonzero((inner > envelope[:-2]) & (inner >= envelope[2:])) + 1
    maxima = maxima[envelope[maxima] > floor_db]
    if maxima.size == 0:
        return [], []
    kept: list[int] = []
    depths: list[float] = []
    current = int(maxima[0])
    current_left_dip = float(envelope[current] - np.min(envelope[: current + 1]))
    for candidate in maxima[1:]:
        q = int(candidate)
        dip = float(np.min(envelope[current : q + 1]))
        if envelope[current] - dip > MIN_DIP_DB and envelope[q] - dip > MIN_DIP_DB:
            kept.append(current)
            depths.append(min(current_left_dip, float(envelope[current] - dip)))
            current, current_left_dip = q, float(envelope[q] - dip)
        elif envelope[q] > envelope[current]:
            current = q
            current_left_dip = float(
                envelope[q] - np.min(envelope[kept[-1] if kept else 0 : q + 1])
            )
    right_dip = float(envelope[current] - np.min(envelope[current:]))
    kept.append(current)
    depths.append(min(current_left_dip, right_dip) if kept[:-1] else right_dip)
    return kept, depths


def estimate_syllables(samples: np.ndarray, sample_rate: int) -> SyllableEstimate:
    """Count voiced syllable nuclei in the energy envelope (``docs/design/rate.md``).

    Parameters
    ----------
    samples
        Mono samples in [-1, 1], shape ``(n,)``, float32 or float64.
    sample_rate
        Sampling rate in Hz (8000..48000).

    Returns
    -------
    SyllableEstimate
        The nuclei count, the speech span they were counted in (s) and a confidence in
        [0, 0.9]; 0 nuclei and confidence 0.0 under :data:`MIN_ACOUSTIC_SPEECH_S` of speech.

    """
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    speech_s = speech_span_s(x, sample_rate)
    if speech_s < MIN_ACOUSTIC_SPEECH_S:
        return SyllableEstimate(syllables=0, speech_s=speech_s, confidence=0.0)
    envelope, frames, window = _envelope(x, sample_rate)
    peaks, depths = _nuclei(envelope)
    if peaks:
        voicing = _voicing(frames[peaks], window, sample_rate)
        voiced = voicing > MIN_VOICING
        depths = [d for d, v in zip(depths, voiced, strict=True) if v]
    syllables = len(depths)
    if syllables == 0:
        return SyllableEstimate(syllables=0, speech_s=speech_s, confidence=0.0)
    d = min(1.0, speech_s / FULL_CONFIDENCE_ACOUSTIC_S)
    n = min(1.0, syllables / FULL_CONFIDENCE_NUCLEI)
    c = min(1.0, percentile(depths, 50) / FULL_CLARITY_DIP_DB)
    range_db = percentile(envelope, 99) - percentile(envelope, 5)
    r = min(1.0, max(0.0, (range_db - MIN_ENVELOPE_RANGE_DB) / ENVELOPE_RANGE_SPAN_DB))
    confidence = ACOUSTIC_MAX_CONFIDENCE * d * n * c * r
    return SyllableEstimate(syllables=syllables, speech_s=speech_s, confidence=float(confidence))


def acoustic_wpm(estimate: SyllableEstimate, scale: float = CALIBRATION_SCALE) -> float | None:
    """Calibrated WPM of a syllable estimate (``None`` without nuclei or speech)."""
    if estimate.syllables == 0 or estimate.speech_s <= 0.0:
        return None
    raw = estimate.syllables / estimate.speech_s * 60.0 / SYLLABLES_PER_WORD
    return scale * raw


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


def _timed_rate(words: WordTimings, language: str) -> RateResult:
    """Words and syllables over the recogniser's own times: exact, no audio analysis."""
    span_s = words.span_s
    n_words = len(words.words)
    syllables = count_syllables(words.text, language)
    articulation_s = words.articulation_s
    return RateResult(
        wpm=n_words / span_s * 60.0,
        rate_class=RateClass.MEDIUM,  # judged by pace.judge
        method=RateMethod.WORD_TIMINGS,
        confidence=_exact_confidence(span_s),
        speech_s=span_s,
        syllables=syllables,
        words=n_words,
        syllables_per_s=syllables / span_s,
        articulation_wpm=n_words / articulation_s * 60.0 if articulation_s > 0 else None,
    )


def _transcript_rate(
    samples: np.ndarray, sample_rate: int, transcript: str, words: int, language: str
) -> RateResult:
    syllables = count_syllables(transcript, language)
    speech_s = speech_span_s(samples, sample_rate)
    if speech_s <= 0.0:
        return _no_speech(RateMethod.TRANSCRIPT, 0.0, words=words, syllables=syllables)
    return RateResult(
        wpm=words / speech_s * 60.0,
        rate_class=RateClass.MEDIUM,  # judged by pace.judge
        method=RateMethod.TRANSCRIPT,
        confidence=_exact_confidence(speech_s),
        speech_s=speech_s,
        syllables=syllables,
        words=words,
        syllables_per_s=syllables / speech_s,
    )


def _acoustic_rate(samples: np.ndarray, sample_rate: int, scale: float) -> RateResult:
    estimate = estimate_syllables(samples, sample_rate)
    acoustic = acoustic_wpm(estimate, scale)
    if acoustic is None:
        return _no_speech(RateMethod.ACOUSTIC, estimate.speech_s, syllables=estimate.syllables)
    return RateResult(
        wpm=acoustic,
        rate_class=RateClass.MEDIUM,  # judged by pace.judge
        method=RateMethod.ACOUSTIC,
        confidence=estimate.confidence,
        speech_s=estimate.speech_s,
        syllables=estimate.syllables,
        syllables_per_s=estimate.syllables / estimate.speech_s,
    )


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
    counted rate outside human speech falls back to the acoustic estimate with a note. Never
    raises on finite input of at least one sample; without speech ``wpm`` is ``None``, the
    class MEDIUM and the confidence 0.0.
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
    result = (
        counted if counted is not None else _acoustic_rate(samples, sample_rate, acoustic_scale)
    )
    return judge(
        result, language=language, given=language_given, thresholds=thresholds, notes=notes
    )
