"""Speaking rate of a speech segment in words per minute, and its rate class.

Two methods, reported in :class:`~emotion_dynamics.models.RateResult.method`:

TRANSCRIPT (a transcript with at least one word is given)
    ``wpm = words / speech_s * 60`` where ``speech_s`` is the speech span defined as in the
    speech-dev manifest (first to last 25 ms frame, 10 ms hop, whose RMS is above the loudest
    frame - 40 dB; :func:`~.framing.speech_span_s`). Confidence 0.95, scaled down linearly
    below 0.8 s of speech (one word more or less swings the rate of a short span wildly).

ACOUSTIC (no transcript)
    Syllable nuclei are counted in the energy envelope (:func:`estimate_syllables`) and
    ``wpm = CALIBRATION_SCALE * syllables / speech_s * 60 / 1.45`` (English averages about
    1.45 syllables per word; the scale is explained below). Under
    :data:`MIN_ACOUSTIC_SPEECH_S` of speech, or with no nucleus found, ``wpm`` is ``None``,
    the class MEDIUM and the confidence 0.0.

Syllable nuclei (numpy only, one framed FFT pass over the segment):

1. Frames of 25 ms every 10 ms, Hann window, FFT.
2. Envelope: energy in 300-3000 Hz (where vowels carry their energy) in dB, smoothed by a
   50 ms moving average (5 frames).
3. Candidates: local maxima of the envelope above (99th percentile - 30 dB); being relative,
   this makes the count independent of the gain.
4. Dip test: walking the candidates in time order, two neighbouring candidates count as two
   nuclei only if the envelope dips by more than :data:`MIN_DIP_DB` (1.5 dB) below *both*
   between them; otherwise they are merged into the larger one.
5. Voicing test: the normalised autocorrelation of the frame at a nucleus (from a zero-padded
   FFT, divided by the window's own autocorrelation, lags of 50-400 Hz periods, limited to
   half a frame) must exceed :data:`MIN_VOICING` (0.4); unvoiced bursts and fricatives fail it.

Confidence of the acoustic estimate (in [0, 0.9]: acoustics never beat a transcript) is
``0.9 * d * n * c * s`` with ``d = min(1, speech_s / 2 s)`` (enough time to average over a
few words), ``n = min(1, nuclei / 6)`` (one miscounted nucleus of six moves the rate by 17 %),
``c`` the peak clarity, ``min(1, median dip depth of the nuclei / 6 dB)``, and ``s`` the
envelope's dynamic range, ``clip((p99 - p5 of the envelope - 15 dB) / 15 dB, 0, 1)``: clean
speech-dev clips span 34-58 dB, with white noise at 20 dB SNR about 32 dB, at 10 dB SNR about
22 dB (s about 0.5), where the count starts to miss nuclei. Clean speech of 2 s or more
usually scores the full 0.9; note that the acoustic rate is far less exact than
a transcript (see below) whatever its confidence.

Calibration and what it was fitted on (speech-dev: 38 clips of read English, 7 talkers):
the counter's structural parameters (band, smoothing, dip, voicing threshold, peak floor,
frame length) were chosen in a small hand sweep for syllable-count accuracy against the
manifest's dictionary syllable counts (mean absolute error 2.3 syllables per clip, r 0.78
between estimated and dictionary syllable rates). One constant was then fitted to the
manifest WPM: :data:`CALIBRATION_SCALE`, the least-squares scale from raw to reference WPM
(1.128; it absorbs the counter's undercount of merged syllables). In sample: MAE 26.6 WPM,
Pearson r 0.45; leave-one-out: MAE 27.4 WPM, r 0.41. (Dictionary syllable counts / 1.45 would
score MAE 28.3, r 0.41 on the same clips: the syllables-per-word ratio varies per sentence and
bounds any syllable counter.) A two-constant line (intercept + slope) would lower the
in-sample MAE to about 24.5 WPM (leave-one-out 25.9) only by shrinking every estimate
towards the set's mean of 186 WPM (slope 0.65), which would hide slow speakers, so a pure
scale was kept. speech-dev is small, read and mostly fast speech: recalibrate on the
deployment's own audio before trusting class boundaries.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from emotion_dynamics.config import RateThresholds
from emotion_dynamics.detectors.framing import (
    frame_lengths,
    frame_signal,
    percentile,
    speech_span_s,
)
from emotion_dynamics.models import RateClass, RateMethod, RateResult

__all__ = [
    "CALIBRATION_SCALE",
    "MIN_ACOUSTIC_SPEECH_S",
    "SYLLABLES_PER_WORD",
    "SyllableEstimate",
    "acoustic_wpm",
    "classify_rate",
    "count_words",
    "detect_rate",
    "estimate_syllables",
]

#: English averages about 1.4-1.46 syllables per word (FACTS.md).
SYLLABLES_PER_WORD: Final = 1.45
#: Least-squares scale from raw to reference WPM on speech-dev (38 clips); see the docstring.
CALIBRATION_SCALE: Final = 1.128
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

    ``confidence`` is in [0, 0.9] (see the module docstring); ``speech_s`` is the speech span
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
    """Count voiced syllable nuclei in the energy envelope (see the module docstring).

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


def acoustic_wpm(estimate: SyllableEstimate) -> float | None:
    """Calibrated WPM of a syllable estimate (``None`` without nuclei or speech)."""
    if estimate.syllables == 0 or estimate.speech_s <= 0.0:
        return None
    raw = estimate.syllables / estimate.speech_s * 60.0 / SYLLABLES_PER_WORD
    return CALIBRATION_SCALE * raw


# --- the detector -----------------------------------------------------------------------


def detect_rate(
    samples: np.ndarray,
    sample_rate: int,
    *,
    thresholds: RateThresholds,
    transcript: str | None = None,
) -> RateResult:
    """Measure the speaking rate from a transcript if one is given, else acoustically.

    Never raises on finite input of at least one sample; without speech ``wpm`` is
    ``None``, the class MEDIUM and the confidence 0.0.
    """
    words = count_words(transcript) if transcript is not None else 0
    if words > 0:
        speech_s = speech_span_s(samples, sample_rate)
        if speech_s <= 0.0:
            return RateResult(
                wpm=None,
                rate_class=RateClass.MEDIUM,
                method=RateMethod.TRANSCRIPT,
                confidence=0.0,
                speech_s=0.0,
                words=words,
            )
        wpm = words / speech_s * 60.0
        confidence = TRANSCRIPT_CONFIDENCE * min(1.0, speech_s / FULL_CONFIDENCE_TRANSCRIPT_S)
        return RateResult(
            wpm=wpm,
            rate_class=classify_rate(wpm, thresholds),
            method=RateMethod.TRANSCRIPT,
            confidence=confidence,
            speech_s=speech_s,
            words=words,
        )
    estimate = estimate_syllables(samples, sample_rate)
    acoustic = acoustic_wpm(estimate)
    if acoustic is None:
        return RateResult(
            wpm=None,
            rate_class=RateClass.MEDIUM,
            method=RateMethod.ACOUSTIC,
            confidence=0.0,
            speech_s=estimate.speech_s,
            syllables=estimate.syllables,
        )
    return RateResult(
        wpm=acoustic,
        rate_class=classify_rate(acoustic, thresholds),
        method=RateMethod.ACOUSTIC,
        confidence=estimate.confidence,
        speech_s=estimate.speech_s,
        syllables=estimate.syllables,
    )
