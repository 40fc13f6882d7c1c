"""The threshold fitter on synthetic features with known answers (no audio, no detectors)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from calibration.errors import FitError
from calibration.fit import (
    RATE_CLASSES,
    VOLUME_CLASSES,
    agreement,
    band_indices,
    fit_ordered_thresholds,
    fit_rate,
    fit_volume,
    rate_cuts,
    volume_cuts,
)
from emotion_dynamics.config import VolumeThresholds, default_config
from emotion_dynamics.models import RateClass, VolumeClass

CURRENT_VOLUME = default_config().volume  # -10 / -20 / -30
CURRENT_RATE = default_config().rate  # 100 / 130 / 160 / 190


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261130)


def test_band_indices_follow_the_production_rules() -> None:
    # GIVEN the production semantics: ">= loud is loud", "< very_slow is x-slow"
    cuts = volume_cuts(CURRENT_VOLUME)
    # THEN a value exactly on a cut belongs to the upper class
    assert band_indices([-30.0, -30.01, -10.0, -9.99, -50.0], cuts).tolist() == [1, 0, 3, 3, 0]
    assert band_indices([99.99, 100.0, 190.0], rate_cuts(CURRENT_RATE)).tolist() == [0, 1, 4]


def test_recovers_known_volume_thresholds_from_separable_features(rng: np.random.Generator) -> None:
    # GIVEN levels labelled by known thresholds, away from the defaults
    truth = VolumeThresholds(loud_dbfs=-16.0, medium_dbfs=-24.0, soft_dbfs=-32.0)
    levels = rng.uniform(-45.0, -5.0, 800)
    labels = [VOLUME_CLASSES[i] for i in band_indices(levels, volume_cuts(truth))]
    # WHEN fitted from the defaults
    fitted = fit_volume(levels, labels, CURRENT_VOLUME)
    # THEN each threshold is recovered within the sample spacing (0.25 dB here)
    assert fitted.loud_dbfs == pytest.approx(truth.loud_dbfs, abs=0.25)
    assert fitted.medium_dbfs == pytest.approx(truth.medium_dbfs, abs=0.25)
    assert fitted.soft_dbfs == pytest.approx(truth.soft_dbfs, abs=0.25)


def test_recovers_a_biased_rate_estimator(rng: np.random.Generator) -> None:
    # GIVEN reference WPM labelled under the target bands, and an estimator reading 15 % high
    reference = rng.uniform(60.0, 250.0, 1000)
    labels = [RATE_CLASSES[i] for i in band_indices(reference, rate_cuts(CURRENT_RATE))]
    estimated = reference * 1.15 + rng.normal(0.0, 2.0, reference.size)
    # WHEN fitted
    fitted = fit_rate(estimated, labels, CURRENT_RATE)
    # THEN the thresholds move to the estimator's scale (1.15 x bands, within 3 WPM)
    expected = np.array(rate_cuts(CURRENT_RATE)) * 1.15
    assert np.allclose(rate_cuts(fitted), expected, atol=3.0)
    # AND balanced agreement improves from the defaults
    y = band_indices(reference, rate_cuts(CURRENT_RATE))
    before = agreement(
        y, band_indices(estimated, rate_cuts(CURRENT_RATE)), [c.value for c in RATE_CLASSES]
    )
    after = agreement(
        y, band_indices(estimated, rate_cuts(fitted)), [c.value for c in RATE_CLASSES]
    )
    assert before.balanced < 0.8
    assert after.balanced > 0.95


def test_noisy_features_still_land_near_the_truth(rng: np.random.Generator) -> None:
    truth = (-32.0, -24.0, -16.0)
    reference = rng.uniform(-45.0, -5.0, 2000)
    labels = band_indices(reference, truth)
    measured = reference + rng.normal(0.0, 1.5, reference.size)
    fitted = fit_ordered_thresholds(
        measured,
        labels,
        n_classes=4,
        current=(-30.0, -20.0, -10.0),
        bounds=(-60.0, 0.0),
        min_gap=2.0,
    )
    assert np.allclose(fitted, truth, atol=1.0)


def test_order_gaps_and_bounds_hold_even_when_labels_contradict_them(
    rng: np.random.Generator,
) -> None:
    # GIVEN labels that run backwards (louder clips labelled softer)
    levels = rng.uniform(-50.0, -5.0, 300)
    labels = [VOLUME_CLASSES[3 - i] for i in band_indices(levels, (-35.0, -25.0, -15.0))]
    fitted = fit_volume(levels, labels, CURRENT_VOLUME, min_gap_db=3.0)
    # THEN the result is still ordered with the minimum gap, inside the bounds
    assert fitted.soft_dbfs >= -60.0
    assert fitted.medium_dbfs - fitted.soft_dbfs >= 3.0 - 1e-9
    assert fitted.loud_dbfs - fitted.medium_dbfs >= 3.0 - 1e-9
    assert fitted.loud_dbfs <= 0.0


def test_rate_bounds_are_kept(rng: np.random.Generator) -> None:
    # GIVEN an estimator so biased that the ideal thresholds would fall below 40 WPM
    reference = rng.uniform(60.0, 250.0, 400)
    labels = [RATE_CLASSES[i] for i in band_indices(reference, rate_cuts(CURRENT_RATE))]
    fitted = fit_rate(reference * 0.2, labels, CURRENT_RATE)
    cuts = rate_cuts(fitted)
    assert all(40.0 <= c <= 400.0 for c in cuts)
    assert all(b - a >= 10.0 - 1e-9 for a, b in itertools.pairwise(cuts))


def test_absent_classes_keep_their_current_thresholds(rng: np.random.Generator) -> None:
    # GIVEN only medium and fast clips (as in a corpus of read speech), all between 130 and 190
    reference = rng.uniform(132.0, 188.0, 200)
    labels = [RATE_CLASSES[i] for i in band_indices(reference, rate_cuts(CURRENT_RATE))]
    estimated = reference + 10.0
    fitted = fit_rate(estimated, labels, CURRENT_RATE)
    # THEN the medium/fast cut moves with the bias, the cuts of absent classes stay...
    assert fitted.medium_wpm == pytest.approx(170.0, abs=2.0)
    assert fitted.very_slow_wpm == CURRENT_RATE.very_slow_wpm
    assert fitted.slow_wpm == CURRENT_RATE.slow_wpm
    # ... or move only as far as needed: x-fast starts just above the fastest 'fast' clip
    top = float(estimated.max())
    assert top < fitted.fast_wpm <= top + 1.0


def test_tiny_classes_do_not_steer_the_fit() -> None:
    # GIVEN 20 medium clips and a single, mislabelled-looking 'loud' clip among them
    levels = np.linspace(-24.0, -18.0, 21)
    labels = [VolumeClass.MEDIUM] * 21
    labels[10] = VolumeClass.LOUD
    fitted = fit_volume(levels, labels, CURRENT_VOLUME, min_class_size=3)
    # THEN loud keeps its current threshold instead of being carved out around one clip
    assert fitted.loud_dbfs == CURRENT_VOLUME.loud_dbfs
    # AND with min_class_size=1 the single clip does count (balanced: it weighs as much as 20)
    carved = fit_volume(levels, labels, CURRENT_VOLUME, min_class_size=1)
    assert carved.loud_dbfs != CURRENT_VOLUME.loud_dbfs


def test_current_thresholds_are_kept_when_they_already_fit(rng: np.random.Generator) -> None:
    levels = rng.uniform(-45.0, -5.0, 300)
    labels = [VOLUME_CLASSES[i] for i in band_indices(levels, volume_cuts(CURRENT_VOLUME))]
    # Leave a 2 dB gap of no samples around each current threshold.
    far = np.min(np.abs(levels[:, None] - np.array(volume_cuts(CURRENT_VOLUME))), axis=1) > 1.0
    fitted = fit_volume(
        levels[far], [lab for lab, f in zip(labels, far, strict=True) if f], CURRENT_VOLUME
    )
    assert fitted == CURRENT_VOLUME


def test_nan_features_are_ignored() -> None:
    levels = np.array([np.nan, -35.0, -34.0, -33.0, -25.0, -26.0, -27.0])
    labels = [VolumeClass.LOUD, *[VolumeClass.X_SOFT] * 3, *[VolumeClass.SOFT] * 3]
    fitted = fit_volume(levels, labels, CURRENT_VOLUME)
    assert -33.0 < fitted.soft_dbfs < -27.0


def test_errors_name_the_problem() -> None:
    with pytest.raises(FitError, match="no class has at least 3"):
        fit_volume([-20.0], [VolumeClass.MEDIUM], CURRENT_VOLUME)
    with pytest.raises(FitError, match="differ in length"):
        fit_ordered_thresholds(
            [1.0, 2.0], [0], n_classes=2, current=[1.5], bounds=(0, 3), min_gap=0.1
        )
    with pytest.raises(FitError, match="cannot hold"):
        fit_ordered_thresholds(
            [1.0], [0], n_classes=5, current=[1, 2, 3, 4], bounds=(0, 3), min_gap=2
        )
    with pytest.raises(ValueError):
        fit_rate([120.0], ["very-fast"], CURRENT_RATE)


def test_agreement_scores() -> None:
    classes = [c.value for c in RateClass]
    result = agreement([0, 0, 1, 4], [0, 1, 1, 2], classes)
    assert result.exact == pytest.approx(0.5)
    assert result.balanced == pytest.approx((0.5 + 1.0 + 0.0) / 3)  # only labelled classes
    assert result.within_one == pytest.approx(0.75)
    assert result.confusion.sum() == 4
    assert result.confusion[4, 2] == 1
