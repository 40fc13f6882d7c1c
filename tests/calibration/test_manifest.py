"""The manifest format: reference measurements, speech-dev as a manifest, clear errors."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from calibration.cli import main
from calibration.errors import ManifestError
from calibration.manifest import (
    rate_band,
    read_manifest,
    reference_measurements,
    volume_band,
    write_manifest,
)
from emotion_dynamics.models import RateClass, VolumeClass


def test_reference_level_convention() -> None:
    # GIVEN a full-scale square wave and a full-scale sine (1 s, 16 kHz)
    t = np.arange(16000) / 16000
    sine = np.sin(2 * np.pi * 440 * t)
    # THEN the square is 0 dBFS and the sine -3.01 dBFS; the span covers the whole signal
    assert reference_measurements(np.sign(sine + 1e-12), 16000)[1] == pytest.approx(0.0, abs=0.01)
    speech_s, level = reference_measurements(sine, 16000)
    assert level == pytest.approx(-3.01, abs=0.01)
    assert speech_s == pytest.approx(1.0, abs=0.011)
    assert reference_measurements(np.zeros(1600), 16000)[0] == 0.0


def test_reference_measurements_reproduce_speech_dev(speech_dev: Path) -> None:
    with speech_dev.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        samples, rate = sf.read(str(speech_dev.parent / row["file"]), dtype="float64")
        speech_s, rms_dbfs = reference_measurements(samples, rate)
        assert speech_s == pytest.approx(float(row["speech_s"]), abs=0.0005)
        assert rms_dbfs == pytest.approx(float(row["rms_dbfs"]), abs=0.006)


def test_speech_dev_reads_as_a_manifest_with_derived_labels(speech_dev: Path) -> None:
    clips = read_manifest(speech_dev)
    assert len(clips) == 38
    assert {clip.corpus for clip in clips} == {"speech-dev"}
    assert all(
        clip.volume_label is VolumeClass.MEDIUM and clip.volume_label_derived for clip in clips
    )
    assert all(clip.rate_label is rate_band(clip.wpm) and clip.rate_label_derived for clip in clips)
    by_reference = read_manifest(speech_dev, volume_rule="reference")
    assert all(clip.volume_label is volume_band(clip.rms_dbfs) for clip in by_reference)


def test_label_bands() -> None:
    assert [rate_band(w) for w in (99.9, 100, 129.9, 130, 160, 189.9, 190)] == [
        RateClass.X_SLOW, RateClass.SLOW, RateClass.SLOW, RateClass.MEDIUM,
        RateClass.FAST, RateClass.FAST, RateClass.X_FAST,
    ]  # fmt: skip
    assert volume_band(-16.5) is VolumeClass.LOUD
    assert volume_band(-40.0) is VolumeClass.X_SOFT


def _recording(folder: Path, name: str = "me.wav") -> None:
    rng = np.random.default_rng(1)
    burst = np.concatenate([np.zeros(1600), 0.1 * rng.standard_normal(16000), np.zeros(1600)])
    (folder / "clips").mkdir(exist_ok=True)
    sf.write(str(folder / "clips" / name), burst, 16000, subtype="PCM_16")


def test_a_users_recording_needs_only_file_transcript_and_labels(tmp_path: Path) -> None:
    # GIVEN a manifest a person wrote by hand: file, transcript and a volume label
    _recording(tmp_path)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,transcript,volume_label\nclips/me.wav,one two three four,loud\n", encoding="utf-8"
    )
    # WHEN it is read, the blank reference columns are measured from the audio
    (clip,) = read_manifest(manifest, corpus="mine")
    assert clip.speech_s == pytest.approx(1.0, abs=0.04)  # 1 s of noise, framing adds 15-25 ms
    assert clip.wpm == pytest.approx(4 / clip.speech_s * 60, abs=0.06)
    assert clip.volume_label is VolumeClass.LOUD and not clip.volume_label_derived
    assert clip.rate_label is RateClass.X_FAST and clip.rate_label_derived
    # AND `python -m calibration measure` writes them into a full manifest
    assert main(["measure", str(manifest), "--out", str(tmp_path / "full.csv")]) == 0
    (full,) = read_manifest(tmp_path / "full.csv")
    assert full.wpm == pytest.approx(clip.wpm)


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ("file,transcript,volume_label\nclips/me.wav,one two,shouting\n", 1, "volume_label"),
        (
            "file,transcript,rate_label\nclips/me.wav,one two,medium\nclips/me.wav,a b,slowish\n",
            2,
            "rate_label",
        ),
        ("file,transcript\nclips/missing.wav,one two\n", 1, "file"),
        ("file,transcript\nclips/me.wav,\n", 1, "transcript"),
        ("file,transcript,wpm\nclips/me.wav,one,fast\n", 1, "wpm"),
        ("file,transcript,words\nclips/me.wav,one,2.5\n", 1, "words"),
    ],
)
def test_errors_name_row_and_column(tmp_path: Path, text: str, row: int, column: str) -> None:
    _recording(tmp_path)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=f"row {row}, column '{column}'") as info:
        read_manifest(manifest)
    assert info.value.row == row and info.value.column == column


def test_missing_column_and_written_manifests(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("path,text\na.wav,hello\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="column 'file'"):
        read_manifest(bad)
    _recording(tmp_path)
    out = write_manifest(
        tmp_path / "m.csv", [{"file": "clips/me.wav", "transcript": "a b c", "rate_label": "slow"}]
    )
    (clip,) = read_manifest(out)
    assert clip.rate_label is RateClass.SLOW
