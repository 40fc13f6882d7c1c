"""The corpus generator: determinism, manifest columns, labels, reference measurements."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from calibration.generator import (
    LEVEL_JITTER_DB,
    LEVEL_STEPS_DBFS,
    SAMPLE_RATE,
    generate_corpus,
    plan_corpus,
)
from calibration.manifest import (
    MANIFEST_COLUMNS,
    REFERENCE_LEVEL_BANDS,
    rate_band,
    read_manifest,
    reference_measurements,
)
from emotion_dynamics.models import RateClass, VolumeClass


def _rows(manifest: Path) -> list[dict[str, str]]:
    with manifest.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_manifest_has_the_documented_columns_and_validates(small_corpus: Path) -> None:
    with small_corpus.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    assert tuple(header) == MANIFEST_COLUMNS
    clips = read_manifest(small_corpus)
    assert len(clips) == 60
    assert all(not clip.volume_label_derived and not clip.rate_label_derived for clip in clips)


def test_every_class_is_covered(small_corpus: Path) -> None:
    clips = read_manifest(small_corpus)
    volume = Counter(clip.volume_label for clip in clips)
    rate = Counter(clip.rate_label for clip in clips)
    assert volume == dict.fromkeys(VolumeClass, 15)
    assert set(rate) == set(RateClass)
    assert min(rate.values()) >= 6  # aimed at 12 each; the label comes from the measured WPM


def test_labels_follow_the_documented_rules(small_corpus: Path) -> None:
    for row in _rows(small_corpus):
        # rate: the class of the measured reference WPM under the product's bands
        assert row["rate_label"] == rate_band(float(row["wpm"])).value
        # volume: the gain step; the planned level lies within the step's jitter
        step = LEVEL_STEPS_DBFS[VolumeClass(row["volume_label"])]
        assert abs(float(row["gen_level_dbfs"]) - step) <= LEVEL_JITTER_DB
        # the reference bands sit halfway between the steps
        assert REFERENCE_LEVEL_BANDS.medium_dbfs == pytest.approx(
            (LEVEL_STEPS_DBFS[VolumeClass.SOFT] + LEVEL_STEPS_DBFS[VolumeClass.MEDIUM]) / 2
        )


def test_reference_measurements_match_the_clean_audio(small_corpus: Path) -> None:
    clean = [row for row in _rows(small_corpus) if row["gen_noise"] == "none"]
    assert clean, "the small corpus should hold clean clips"
    for row in clean:
        samples, rate = sf.read(str(small_corpus.parent / row["file"]), dtype="float64")
        speech_s, rms_dbfs = reference_measurements(samples, rate)
        assert rate == SAMPLE_RATE
        assert speech_s == pytest.approx(float(row["speech_s"]), abs=0.011)  # one hop; PCM16
        assert rms_dbfs == pytest.approx(float(row["rms_dbfs"]), abs=0.05)
        assert float(row["wpm"]) == pytest.approx(
            int(row["words"]) / float(row["speech_s"]) * 60, abs=0.06
        )
        # the level was scaled to the plan (clipping of loud clips may take off a little)
        assert float(row["rms_dbfs"]) == pytest.approx(float(row["gen_level_dbfs"]), abs=1.0)


def test_noise_snrs_and_voices_vary(small_corpus: Path) -> None:
    rows = _rows(small_corpus)
    assert {row["gen_snr_db"] for row in rows} == {"", "10.0", "20.0", "30.0"}
    assert {row["gen_noise"] for row in rows} == {"none", "white", "pink"}
    assert {row["gen_engine"] for row in rows} == {"espeak-ng", "flite"}
    assert any(float(row["gen_pause_s"]) > 0 for row in rows)


def test_clips_are_short(small_corpus: Path) -> None:
    durations = np.array([float(row["duration_s"]) for row in _rows(small_corpus)])
    assert durations.max() <= 4.0
    assert np.mean(durations <= 3.0) >= 0.75


def test_same_seed_gives_the_same_bytes(small_corpus: Path, tmp_path: Path) -> None:
    # GIVEN a second, shorter run with the same seed on one process
    again = generate_corpus(tmp_path / "again", size=6, seed=0, n_jobs=1, progress=False)
    # THEN its clips are byte-identical to the first six of the session's corpus (rendered on
    # two processes), and so are their manifest rows
    first = _rows(small_corpus)[:6]
    assert _rows(again) == first
    for row in first:
        assert (again.parent / row["file"]).read_bytes() == (
            small_corpus.parent / row["file"]
        ).read_bytes()


def test_another_seed_plans_another_corpus() -> None:
    assert plan_corpus(10, seed=0) == plan_corpus(10, seed=0)
    assert plan_corpus(10, seed=0) != plan_corpus(10, seed=1)
