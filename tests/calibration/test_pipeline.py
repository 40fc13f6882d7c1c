"""Fitting both dimensions and scoring before/after, on synthetic features."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from calibration import pipeline
from calibration.features import ClipFeatures, read_features, write_features
from calibration.fit import RATE_CLASSES, VOLUME_CLASSES, band_indices, rate_cuts, volume_cuts
from emotion_dynamics.config import default_config

DEFAULTS = default_config()


def _synthetic(n: int, seed: int = 3) -> list[ClipFeatures]:
    """Clips whose detector reads 4 dB hot and 20 % fast, from two corpora."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(-45.0, -5.0, n)
    wpm = rng.uniform(60.0, 250.0, n)
    volume_labels = band_indices(level, volume_cuts(DEFAULTS.volume))
    rate_labels = band_indices(wpm, rate_cuts(DEFAULTS.rate))
    out = []
    for i in range(n):
        out.append(
            ClipFeatures(
                file=f"clip{i}.wav",
                corpus="a" if i % 3 else "b",
                volume_label=VOLUME_CLASSES[volume_labels[i]].value,
                rate_label=RATE_CLASSES[rate_labels[i]].value,
                ref_level_dbfs=float(level[i]),
                ref_wpm=float(wpm[i]),
                level_dbfs=float(level[i] + 4.0 + rng.normal(0, 1.0)) if i != 7 else math.nan,
                volume_confidence=1.0,
                active_speech_s=2.0,
                wpm=float(wpm[i] * 1.2 + rng.normal(0, 5.0)),
                rate_confidence=0.9,
                speech_s=2.0,
                syllables=math.nan,
                wpm_transcript=float(wpm[i]),
                duration_s=2.5,
                sample_rate=16000,
            )
        )
    return out


def test_calibrate_corrects_both_biases() -> None:
    result = pipeline.calibrate(_synthetic(600), DEFAULTS.volume, DEFAULTS.rate)
    assert np.allclose(volume_cuts(result.proposed_volume), [-26.0, -16.0, -6.0], atol=1.0)
    assert np.allclose(rate_cuts(result.proposed_rate), [120.0, 156.0, 192.0, 228.0], atol=6.0)
    for report in (result.volume, result.rate):
        assert report.after.balanced > report.before.balanced + 0.1
        # cross-validation is honest: no better than in-sample, but close with 600 clips
        assert report.after_cv.balanced <= report.after.balanced + 1e-9
        assert report.after_cv.balanced > report.after.balanced - 0.05
        assert set(report.per_corpus) == {"a", "b"}
    assert result.volume.n_missing == 1
    assert result.volume.before.n == 599
    assert result.rate.n_missing == 0


def test_transcript_rate_needs_no_correction() -> None:
    result = pipeline.calibrate(
        _synthetic(300), DEFAULTS.volume, DEFAULTS.rate, rate_feature="wpm_transcript"
    )
    assert result.rate.before.exact == 1.0
    assert result.proposed_rate == DEFAULTS.rate
    rows = pipeline.summary_rows(result)
    assert [r["corpus"] for r in rows] == ["all", "a", "b", "all", "a", "b"]
    assert rows[3]["exact_after_cv"] == 1.0


def test_features_csv_round_trip(tmp_path: Path) -> None:
    features = _synthetic(8)
    path = write_features(tmp_path / "f.csv", features)
    again = read_features(path)
    assert len(again) == 8
    assert math.isnan(again[7].level_dbfs)  # NaN (no speech found) survives as an empty cell
    for a, b in zip(features, again, strict=True):
        assert a.file == b.file and a.rate_label == b.rate_label
        assert (
            math.isnan(a.level_dbfs) and math.isnan(b.level_dbfs)
        ) or a.level_dbfs == pytest.approx(b.level_dbfs)
