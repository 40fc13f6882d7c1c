"""Speaking rate: word counting, classes, transcript rate, acoustic syllable nuclei.

Real recordings (speech-dev), synthetic syllable trains with known answers (seeded) and
espeak-ng speech at two rates. Accuracy figures are printed (run with ``-s``) and bounded.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from emotion_dynamics.config import default_config
from emotion_dynamics.detectors import rate_confidence
from emotion_dynamics.detectors.rate import (
    MARGIN_CAP,
    MAX_PLAUSIBLE_SYLLABLES_PER_S,
    MIN_ACOUSTIC_SPEECH_S,
    MIN_PLAUSIBLE_SYLLABLES_PER_S,
    SyllableEstimate,
    classify_rate,
    confidence_features,
    count_words,
    detect_rate,
    estimate_syllables,
    implausible,
)
from emotion_dynamics.models import RateClass, RateMethod
from tests.speech_dev import Clip
from tests.unit.conftest import syllable_train

THRESHOLDS = default_config().rate
CUTS = (
    THRESHOLDS.very_slow_wpm,
    THRESHOLDS.slow_wpm,
    THRESHOLDS.medium_wpm,
    THRESHOLDS.fast_wpm,
)


def _class_index(wpm: float) -> int:
    return int(np.searchsorted(CUTS, wpm, side="right"))


# --- words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("Hello, world!", 2),
        ("It's 9 o'clock -- really?!", 4),
        ("well - ... — !", 1),
        ("naïve café Zürich", 3),
        ("Привет мир", 2),
        ("مرحبا بالعالم", 2),
        ("नमस्ते दुनिया", 2),
        ("东京 tower", 3),
        ("東京タワー 333m", 6),
        ("안녕하세요 세계", 2),
        ("3.14 1,000", 2),
        ("🙂 👍", 0),
    ],
)
def test_count_words(text: str, expected: int) -> None:
    assert count_words(text) == expected


def test_count_words_matches_manifest(clips: tuple[Clip, ...]) -> None:
    for clip in clips:
        assert count_words(clip.transcript) == clip.words, clip.name


# --- classes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wpm", "expected"),
    [
        (0.0, RateClass.X_SLOW),
        (99.9, RateClass.X_SLOW),
        (100.0, RateClass.SLOW),
        (129.9, RateClass.SLOW),
        (130.0, RateClass.MEDIUM),
        (159.9, RateClass.MEDIUM),
        (160.0, RateClass.FAST),
        (189.9, RateClass.FAST),
        (190.0, RateClass.X_FAST),
        (400.0, RateClass.X_FAST),
    ],
)
def test_classify_rate_boundaries(wpm: float, expected: RateClass) -> None:
    assert classify_rate(wpm, THRESHOLDS) is expected


# --- transcript rate --------------------------------------------------------------------


def test_transcript_rate_matches_manifest_exactly(clips: tuple[Clip, ...]) -> None:
    for clip in clips:
        result = detect_rate(
            clip.samples, clip.sample_rate, thresholds=THRESHOLDS, transcript=clip.transcript
        )
        assert result.method is RateMethod.TRANSCRIPT
        assert result.words == clip.words
        assert result.wpm is not None
        np.testing.assert_allclose(result.speech_s, clip.speech_s, atol=1e-6, err_msg=clip.name)
        # The manifest rounds WPM to 0.1.
        np.testing.assert_allclose(result.wpm, clip.wpm, atol=0.051, err_msg=clip.name)
        assert result.confidence >= 0.9


def test_transcript_confidence_lower_for_short_speech(rng: np.random.Generator) -> None:
    sr = 16000
    long = detect_rate(
        syllable_train(4, 2.0, sr, rng=rng),
        sr,
        thresholds=THRESHOLDS,
        transcript="one two three four five",
    )
    short = detect_rate(
        syllable_train(4, 0.4, sr, rng=rng), sr, thresholds=THRESHOLDS, transcript="one"
    )
    assert long.confidence >= 0.9
    assert short.confidence < 0.6
    assert long.method is short.method is RateMethod.TRANSCRIPT


def test_blank_transcript_falls_back_to_acoustics(rng: np.random.Generator) -> None:
    x = syllable_train(4, 2.0, 16000, rng=rng)
    assert (
        detect_rate(x, 16000, thresholds=THRESHOLDS, transcript=" ... ").method
        is RateMethod.ACOUSTIC
    )


def test_transcript_on_silence_gives_no_rate() -> None:
    result = detect_rate(np.zeros(16000), 16000, thresholds=THRESHOLDS, transcript="hello there")
    assert result.wpm is None
    assert result.rate_class is RateClass.MEDIUM
    assert result.confidence == 0.0


@pytest.mark.parametrize(
    ("words", "implied"),
    [(500, "over"), (1, "under")],  # 500 words or 1 word over the same 2.9 s of speech
)
def test_implausible_transcript_falls_back_to_the_acoustic_estimate(
    words: int, implied: str, rng: np.random.Generator
) -> None:
    x = syllable_train(4, 3.0, 16000, rng=rng)
    result = detect_rate(x, 16000, thresholds=THRESHOLDS, transcript=" ".join(["word"] * words))
    acoustic = detect_rate(x, 16000, thresholds=THRESHOLDS)
    # THEN the rate is the acoustic one, and the transcript's implied rate is kept as the reason
    assert result.method is RateMethod.ACOUSTIC
    assert result.wpm == acoustic.wpm and result.confidence == acoustic.confidence
    (note,) = result.notes
    assert note.startswith("rate: source_transcript implies") and "outside human speech" in note
    implied_rate = float(note.split("(", 1)[1].split(" syllables/s")[0])
    if implied == "over":
        assert implied_rate > MAX_PLAUSIBLE_SYLLABLES_PER_S
    else:
        assert implied_rate < MIN_PLAUSIBLE_SYLLABLES_PER_S


def test_plausible_speech_bounds() -> None:
    # about 40 and 400 WPM of English (1.45 syllables per word), in any language
    assert (MIN_PLAUSIBLE_SYLLABLES_PER_S, MAX_PLAUSIBLE_SYLLABLES_PER_S) == (1.0, 10.0)


def test_speech_dev_transcripts_are_all_plausible(clips: tuple[Clip, ...]) -> None:
    for clip in clips:
        result = detect_rate(
            clip.samples, clip.sample_rate, thresholds=THRESHOLDS, transcript=clip.transcript
        )
        assert not implausible(result) and result.method is RateMethod.TRANSCRIPT


# --- acoustic rate: synthetic signals with known answers --------------------------------


@pytest.mark.parametrize("sample_rate", [8000, 16000, 22050, 48000])
@pytest.mark.parametrize("rate_hz", [2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
def test_syllable_train_count_is_exact(
    rate_hz: float, sample_rate: int, rng: np.random.Generator
) -> None:
    x = syllable_train(rate_hz, 3.0, sample_rate, rng=rng)
    estimate = estimate_syllables(x, sample_rate)
    assert isinstance(estimate, SyllableEstimate)
    assert abs(estimate.syllables - round(rate_hz * 3.0)) <= 1
    result = detect_rate(x, sample_rate, thresholds=THRESHOLDS)
    assert result.syllables_per_s == pytest.approx(estimate.count / estimate.speech_s)
    # The span runs from the first to the last burst: about (n - 1) periods plus a burst.
    assert result.syllables_per_s == pytest.approx(rate_hz, rel=0.2)
    assert 0.0 < result.confidence < 1.0


def test_acoustic_wpm_rises_with_syllable_rate(rng: np.random.Generator) -> None:
    wpms = []
    for rate_hz in (2.0, 3.0, 4.0, 5.0, 6.0):
        result = detect_rate(
            syllable_train(rate_hz, 3.0, 16000, rng=rng), 16000, thresholds=THRESHOLDS
        )
        assert result.method is RateMethod.ACOUSTIC and result.wpm is not None
        wpms.append(result.wpm)
    assert all(b > a for a, b in itertools.pairwise(wpms))


def test_unvoiced_bursts_are_not_nuclei(rng: np.random.Generator) -> None:
    sr = 16000
    t = np.arange(3 * sr) / sr
    noise_bursts = 0.3 * (0.5 - 0.5 * np.cos(2 * np.pi * 4 * t)) ** 2 * rng.standard_normal(t.size)
    voiced = syllable_train(4.0, 3.0, sr, rng=rng)
    assert estimate_syllables(np.clip(noise_bursts, -1, 1), sr).syllables <= 2
    assert estimate_syllables(voiced, sr).syllables >= 11


def test_acoustic_confidence_drops_in_noise_beyond_the_fitted_range(
    rng: np.random.Generator,
) -> None:
    # GIVEN a clean syllable train and the same train in white noise at 5 dB SNR, below the
    # lowest SNR the confidence model was fitted on
    sr = 16000
    x = syllable_train(4.0, 3.0, sr, rng=rng)
    speech_rms = np.sqrt(np.mean(x[np.abs(x) > 0.01 * np.max(np.abs(x))] ** 2))
    noisy_x = x + rng.standard_normal(x.size) * speech_rms * 10 ** (-5 / 20)
    clean, noisy = (detect_rate(s, sr, thresholds=THRESHOLDS) for s in (x, noisy_x))
    estimate = estimate_syllables(noisy_x, sr)
    # THEN the noisy estimate's confidence is scaled down by its SNR shortfall
    assert estimate.snr_db < rate_confidence.SUPPORT_MIN_SNR_DB
    assert estimate_syllables(x, sr).snr_db >= rate_confidence.SUPPORT_MIN_SNR_DB
    assert clean.confidence > 0.3
    assert noisy.confidence < 0.8 * clean.confidence


def test_short_speech_confidence_is_scaled_down(rng: np.random.Generator) -> None:
    sr = 16000
    long_x = syllable_train(4.0, 3.0, sr, rng=rng)
    short_x = syllable_train(4.0, 0.75, sr, rng=rng)
    long, short = (detect_rate(s, sr, thresholds=THRESHOLDS) for s in (long_x, short_x))
    assert short.wpm is not None and short.speech_s < rate_confidence.SUPPORT_MIN_SPEECH_S
    features = confidence_features(estimate_syllables(short_x, sr), short.wpm, THRESHOLDS)
    unscaled = short.confidence / rate_confidence.support(features)
    assert short.confidence == pytest.approx(
        unscaled * short.speech_s / rate_confidence.SUPPORT_MIN_SPEECH_S
    )
    assert short.confidence < long.confidence


@pytest.mark.parametrize(
    ("wpm", "margin", "open_class"),
    [(80.0, math.log(100 / 80), 1.0), (99.0, math.log(100 / 99), 1.0), (115.0, math.log(115 / 100), 0.0),
     (158.0, math.log(160 / 158), 0.0), (250.0, math.log(250 / 190), 1.0)],
)  # fmt: skip
def test_boundary_margin_feature(wpm: float, margin: float, open_class: float) -> None:
    estimate = SyllableEstimate(syllables=10, speech_s=3.0, count=10.0, word_nuclei=9.0)
    features = dict(
        zip(rate_confidence.FEATURES, confidence_features(estimate, wpm, THRESHOLDS), strict=True)
    )
    assert features["boundary_margin"] == pytest.approx(min(MARGIN_CAP, margin))
    assert features["open_class"] == open_class


def test_open_class_estimates_are_more_likely_right() -> None:
    # The fitted model (docs/design/rate-confidence.md): x-fast/x-slow estimates are right
    # more often than those of the inner classes.
    estimate = SyllableEstimate(syllables=20, speech_s=5.0, count=20.0, word_nuclei=18.0,
                                snr_db=40.0)  # fmt: skip
    inner = rate_confidence.class_probability(confidence_features(estimate, 175.0, THRESHOLDS))
    outer = rate_confidence.class_probability(confidence_features(estimate, 215.0, THRESHOLDS))
    assert 0.2 < inner < 0.45 < outer < 0.7


@pytest.mark.parametrize("gain", [0.01, 0.1, 0.5, 1.0])
def test_synthetic_gain_invariance(gain: float, rng: np.random.Generator) -> None:
    x = syllable_train(4.0, 3.0, 16000, rng=rng, peak=0.9)
    reference = detect_rate(x, 16000, thresholds=THRESHOLDS)
    scaled = detect_rate(gain * x, 16000, thresholds=THRESHOLDS)
    assert reference.wpm is not None and scaled.wpm is not None
    np.testing.assert_allclose(scaled.wpm, reference.wpm, rtol=1e-6)


def test_synthetic_silence_padding_invariance(rng: np.random.Generator) -> None:
    sr = 16000
    x = syllable_train(5.0, 2.0, sr, rng=rng)
    padded = np.concatenate([np.zeros(sr), x, np.zeros(sr // 2)])
    a = detect_rate(x, sr, thresholds=THRESHOLDS)
    b = detect_rate(padded, sr, thresholds=THRESHOLDS)
    assert a.wpm is not None and b.wpm is not None
    assert a.syllables == b.syllables
    np.testing.assert_allclose(b.wpm, a.wpm, rtol=0.02)


# --- acoustic rate: degenerate input ----------------------------------------------------


@pytest.mark.parametrize(
    "samples",
    [
        np.zeros(48000),
        np.zeros(1),
        np.array([0.7]),
        np.full(1000, 0.2, dtype=np.float32),
        np.sin(2 * np.pi * 200 * np.arange(4000) / 16000),  # 0.25 s tone: too short
        np.sin(2 * np.pi * 200 * np.arange(32000) / 16000),  # steady tone, no dips
    ],
    ids=["silence", "one-zero", "one-sample", "short-dc", "short-tone", "steady-tone"],
)
@pytest.mark.parametrize("transcript", [None, "a few words"])
def test_degenerate_input_never_raises_or_gives_nan(
    samples: np.ndarray, transcript: str | None
) -> None:
    result = detect_rate(samples, 16000, thresholds=THRESHOLDS, transcript=transcript)
    assert 0.0 <= result.confidence <= 1.0
    assert math.isfinite(result.speech_s)
    if result.wpm is None:
        assert result.rate_class is RateClass.MEDIUM
        assert result.confidence == 0.0
    else:
        assert math.isfinite(result.wpm) and result.wpm >= 0.0


def test_too_little_speech_gives_no_acoustic_rate(rng: np.random.Generator) -> None:
    x = syllable_train(5.0, MIN_ACOUSTIC_SPEECH_S * 0.8, 16000, rng=rng)
    result = detect_rate(x, 16000, thresholds=THRESHOLDS)
    assert result.method is RateMethod.ACOUSTIC
    assert result.wpm is None
    assert result.rate_class is RateClass.MEDIUM
    assert result.confidence == 0.0


# --- acoustic rate: espeak-ng speech ------------------------------------------------------

ESPEAK_TEXT = "The quick brown fox jumps over the lazy dog while the children watch from the gate."


def test_espeak_faster_speech_gives_higher_wpm(
    espeak: Callable[[str, int], tuple[npt.NDArray[np.float64], int]],
) -> None:
    slow_x, slow_sr = espeak(ESPEAK_TEXT, 120)
    fast_x, fast_sr = espeak(ESPEAK_TEXT, 220)
    slow = detect_rate(slow_x, slow_sr, thresholds=THRESHOLDS)
    fast = detect_rate(fast_x, fast_sr, thresholds=THRESHOLDS)
    assert slow.wpm is not None and fast.wpm is not None
    assert fast.wpm > 1.3 * slow.wpm
    # And the acoustic estimate stays near the transcript rate (espeak-ng, clean speech).
    for x, sr, result in ((slow_x, slow_sr, slow), (fast_x, fast_sr, fast)):
        truth = detect_rate(x, sr, thresholds=THRESHOLDS, transcript=ESPEAK_TEXT).wpm
        assert truth is not None and result.wpm is not None
        assert abs(result.wpm - truth) <= 0.2 * truth


# --- acoustic rate: real recordings -------------------------------------------------------


def test_speech_dev_syllable_counts(clips: tuple[Clip, ...]) -> None:
    counts = np.array([estimate_syllables(c.samples, c.sample_rate).syllables for c in clips])
    truth = np.array([c.syllables for c in clips])
    spans = np.array([c.speech_s for c in clips])
    mae = float(np.mean(np.abs(counts - truth)))
    r = float(np.corrcoef(counts / spans, truth / spans)[0, 1])
    print(f"syllables vs dictionary counts: MAE {mae:.2f} per clip, r(syllable rate) {r:.3f}")
    # Measured: MAE 1.82 syllables per clip, r 0.859 (before the soft count: 2.3, 0.78).
    assert mae <= 2.5
    assert r >= 0.83


def test_speech_dev_acoustic_accuracy(clips: tuple[Clip, ...]) -> None:
    est = []
    for clip in clips:
        result = detect_rate(clip.samples, clip.sample_rate, thresholds=THRESHOLDS)
        assert result.method is RateMethod.ACOUSTIC
        assert result.wpm is not None
        est.append(result.wpm)
    estimate = np.array(est)
    reference = np.array([c.wpm for c in clips])
    mae = float(np.mean(np.abs(estimate - reference)))
    r = float(np.corrcoef(estimate, reference)[0, 1])
    classes = np.array([_class_index(w) for w in estimate])
    ref_classes = np.array([_class_index(w) for w in reference])
    exact = float(np.mean(classes == ref_classes))
    within_one = float(np.mean(np.abs(classes - ref_classes) <= 1))
    print(
        f"acoustic rate on speech-dev ({len(clips)} clips): MAE {mae:.1f} WPM, Pearson r {r:.3f}, "
        f"exact class {exact:.0%}, within one class {within_one:.0%}"
    )
    # Required: MAE <= 26.6 WPM (the estimator before). Measured: MAE 25.3, r 0.46, exact 50 %,
    # within one 97 % (in sample; leave-one-talker-out in tests/calibration/test_rate_model.py).
    assert mae <= 26.6
    assert r >= 0.35
    assert within_one >= 0.9


def test_speech_dev_gain_and_padding_invariance(clips: tuple[Clip, ...]) -> None:
    worst_gain = worst_pad = 0.0
    for clip in clips:
        x, sr = clip.samples, clip.sample_rate
        base = detect_rate(x, sr, thresholds=THRESHOLDS).wpm
        quiet = detect_rate(0.1 * x, sr, thresholds=THRESHOLDS).wpm
        padded = detect_rate(
            np.concatenate([np.zeros(sr), x, np.zeros(sr)]), sr, thresholds=THRESHOLDS
        ).wpm
        assert base is not None and quiet is not None and padded is not None
        worst_gain = max(worst_gain, abs(quiet / base - 1))
        worst_pad = max(worst_pad, abs(padded / base - 1))
    print(
        f"worst relative WPM change: -20 dB gain {worst_gain:.2%}, 1 s silence each side {worst_pad:.2%}"
    )
    assert worst_gain <= 0.01
    assert worst_pad <= 0.06
