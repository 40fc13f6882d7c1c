"""Syllable nuclei: prominence, the noise-subtracted envelope and the soft count.

Synthetic signals with known answers (seeded): random walks for the prominence, stationary
white noise for the noise floor, syllable trains with and without noise for the count.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pytest

from emotion_dynamics.detectors import nuclei
from emotion_dynamics.detectors.framing import percentile
from tests.unit.conftest import syllable_train

FloatArray = npt.NDArray[np.float64]


def _brute_prominence(x: FloatArray, peak: int) -> float:
    """The definition: the peak's height over the higher of its two bases, where a base is
    the lowest point between the peak and the nearest strictly higher sample (or the end)."""
    left = peak
    while left > 0 and x[left - 1] <= x[peak]:
        left -= 1
    right = peak
    while right < x.size - 1 and x[right + 1] <= x[peak]:
        right += 1
    return float(x[peak] - max(np.min(x[left : peak + 1]), np.min(x[peak : right + 1])))


@pytest.mark.parametrize("plateaus", [False, True], ids=["continuous", "with-plateaus"])
def test_peak_prominences_match_the_definition(plateaus: bool, rng: np.random.Generator) -> None:
    for _ in range(200):
        x = np.cumsum(rng.standard_normal(int(rng.integers(3, 300))))
        if plateaus:
            x = np.round(x)
        inner = x[1:-1]
        peaks = np.flatnonzero((inner > x[:-2]) & (inner >= x[2:])) + 1
        got = nuclei.peak_prominences(x, peaks)
        want = [_brute_prominence(x, int(p)) for p in peaks]
        np.testing.assert_allclose(got, want, atol=1e-12)


def test_noise_floor_tracks_stationary_noise(rng: np.random.Generator) -> None:
    # White noise of variance s**2 puts s**2 * bins / n_fft into the band's 120 bins
    # (250-4000 Hz at 31.25 Hz per bin); the floor is a low percentile, a little below.
    floors = []
    for sigma in (0.01, 0.1):
        envelope = nuclei.analyse(rng.standard_normal(48000) * sigma, 16000)
        mean_db = 10 * math.log10(120 / 512 * sigma**2)
        assert mean_db - 3.0 <= envelope.noise_db <= mean_db
        floors.append(envelope.noise_db)
    assert floors[1] - floors[0] == pytest.approx(20.0, abs=0.3)


@pytest.mark.parametrize("snr_db", [20.0, 10.0, 5.0])
def test_noise_subtraction_restores_the_dips(snr_db: float, rng: np.random.Generator) -> None:
    x = syllable_train(4.0, 3.0, 16000, rng=rng)
    rms = np.sqrt(np.mean(x[np.abs(x) > 0.01 * np.max(np.abs(x))] ** 2))
    noisy = x + rng.standard_normal(x.size) * rms * 10 ** (-snr_db / 20)
    plain = nuclei.analyse(noisy, 16000, replace(nuclei.DEFAULT_FRONT, noise_subtraction=0.0))
    subtracted = nuclei.analyse(noisy, 16000)

    def range_db(e: nuclei.Envelope) -> float:
        return percentile(e.db, 99) - percentile(e.db, 5)

    assert range_db(subtracted) >= range_db(plain) + 4.0


@pytest.mark.parametrize("snr_db", [30.0, 20.0, 10.0])
def test_soft_count_of_a_syllable_train_in_noise(snr_db: float, rng: np.random.Generator) -> None:
    # Down to the 10 dB SNR the readings were fitted on, the count stays within one of 12;
    # below it (not tested here) noise bumps between the bursts start to count.
    x = syllable_train(4.0, 3.0, 16000, rng=rng)
    rms = np.sqrt(np.mean(x[np.abs(x) > 0.01 * np.max(np.abs(x))] ** 2))
    envelope = nuclei.analyse(x + rng.standard_normal(x.size) * rms * 10 ** (-snr_db / 20), 16000)
    for reading in (nuclei.SYLLABLE_READING, nuclei.WORD_READING):
        result = nuclei.read_nuclei(envelope, reading)
        assert abs(result.count - 12) <= 1.0, reading
        assert np.all((result.weights >= 0) & (result.weights <= 1))
        assert result.count == pytest.approx(float(np.sum(result.weights)))
        assert 0.0 <= result.voiced_share <= 1.0


def test_noise_relative_voicing_keeps_voiced_nuclei(rng: np.random.Generator) -> None:
    # A voiced burst's autocorrelation shrinks by snr / (1 + snr) in noise; thresholds that
    # shrink with it keep at least as many nuclei as fixed ones.
    x = syllable_train(4.0, 3.0, 16000, rng=rng)
    rms = np.sqrt(np.mean(x[np.abs(x) > 0.01 * np.max(np.abs(x))] ** 2))
    envelope = nuclei.analyse(x + rng.standard_normal(x.size) * rms * 10 ** (-10 / 20), 16000)
    fixed = replace(nuclei.SYLLABLE_READING, voicing_shrink=False)
    shrinking = nuclei.read_nuclei(envelope, nuclei.SYLLABLE_READING).count
    assert shrinking >= nuclei.read_nuclei(envelope, fixed).count


@pytest.mark.parametrize("n", [1, 2, 50, 399, 400, 401, 2000])
@pytest.mark.parametrize("sample_rate", [8000, 16000, 48000])
def test_tiny_and_odd_inputs(n: int, sample_rate: int, rng: np.random.Generator) -> None:
    envelope = nuclei.analyse(rng.standard_normal(n) * 0.1, sample_rate)
    assert np.all(np.isfinite(envelope.db)) and math.isfinite(envelope.noise_db)
    for reading in (nuclei.SYLLABLE_READING, nuclei.WORD_READING):
        result = nuclei.read_nuclei(envelope, reading)
        assert math.isfinite(result.count) and result.count >= 0.0


def test_voicing_cache_is_shared_and_consistent(rng: np.random.Generator) -> None:
    envelope = nuclei.analyse(syllable_train(5.0, 2.0, 16000, rng=rng), 16000)
    cache: dict[int, float] = {}
    first = nuclei.read_nuclei(envelope, nuclei.SYLLABLE_READING, cache)
    again = nuclei.read_nuclei(envelope, nuclei.SYLLABLE_READING, cache)
    fresh = nuclei.read_nuclei(envelope, nuclei.SYLLABLE_READING)
    assert cache and first.count == again.count == fresh.count
