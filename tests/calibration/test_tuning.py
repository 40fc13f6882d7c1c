"""The tuning notebook's state on synthetic clips with known answers (no audio, no widgets)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from calibration import tuning
from calibration.errors import CalibrationError
from calibration.labelling import LabelFileExistsError, LabelSession
from calibration.sample import SampleClip, read_sample_manifest
from calibration.unlabelled import SampleFeatures, fit_volume_quantiles
from emotion_dynamics import contract
from emotion_dynamics.config import RateThresholds, VolumeThresholds
from emotion_dynamics_infra.stack import validate_stack_file

VOLUME = VolumeThresholds(loud_dbfs=-15.0, medium_dbfs=-25.0, soft_dbfs=-35.0)
RATE = RateThresholds(very_slow_wpm=100.0, slow_wpm=130.0, medium_wpm=160.0, fast_wpm=190.0)
SETTINGS = tuning.Settings(
    VOLUME, RATE, reference_dbfs=-20.0, min_stability=0.85, acoustic_scale=1.0
)


def feature(
    name: str,
    level: float,
    raw_wpm: float = 150.0,
    *,
    exact: float = math.nan,
    volume_confidence: float = 1.0,
    rate_confidence: float = 0.9,
    corpus: str = "a",
    speaker: str = "s1",
    synthetic: bool = False,
    volume_label: str | None = None,
    rate_label: str | None = None,
) -> SampleFeatures:
    syllables_per_s = raw_wpm * 1.45 / 60.0
    return SampleFeatures(
        name=name, path=f"/clips/{name}.wav", corpus=corpus, speaker=speaker,
        synthetic=synthetic, level_dbfs=level, volume_confidence=volume_confidence,
        acoustic_syllables_per_s=syllables_per_s, raw_acoustic_wpm=raw_wpm,
        rate_confidence=rate_confidence, exact_wpm=exact, speech_s=2.0, duration_s=2.5,
        volume_label=volume_label, rate_label=rate_label,
    )  # fmt: skip


# GIVEN six clips with levels on both sides of every volume threshold (one exactly on one)
CLIPS = [
    feature("xsoft", -40.0, 90.0, exact=95.0, rate_confidence=0.5),
    feature("soft", -30.0, 120.0, exact=125.0, rate_confidence=0.80),
    feature("medium_low", -25.0, 140.0, exact=170.0, corpus="b", synthetic=True),
    feature("medium", -20.0, 150.0, exact=150.0, corpus="b"),
    feature("loud", -15.0, 200.0, exact=195.0, rate_confidence=0.95),
    feature("silent", math.nan, math.nan, volume_confidence=0.0, rate_confidence=0.0),
]


@pytest.fixture
def classified() -> pd.DataFrame:
    return tuning.classify(tuning.clip_frame(CLIPS), SETTINGS)


def test_clip_frame_tells_real_from_synthetic_and_keeps_missing_labels_none() -> None:
    frame = tuning.clip_frame(CLIPS)
    assert list(frame.columns) == list(tuning.FRAME_COLUMNS)
    assert frame.set_index("name")["kind"].to_dict()["medium_low"] == "synthetic"
    assert (frame["kind"] == "real").sum() == 5
    assert frame["volume_label"].tolist() == [None] * 6


def test_classes_follow_the_production_rules_at_the_thresholds(
    classified: pd.DataFrame,
) -> None:
    by_name = classified.set_index("name")
    # a level exactly on a threshold belongs to the class above it (>= loud is loud)
    assert by_name["volume_class"].to_dict() == {
        "xsoft": "x-soft", "soft": "soft", "medium_low": "medium", "medium": "medium",
        "loud": "loud", "silent": None,
    }  # fmt: skip
    assert by_name.loc["loud", "rate_class"] == "x-fast"
    assert by_name.loc["xsoft", "rate_class"] == "x-slow"
    assert by_name.loc["medium_low", "exact_class"] == "fast"  # 170 WPM exact
    assert by_name.loc["medium_low", "rate_reference"] == "fast"  # no label: the exact class
    assert by_name.loc["medium", "volume_offset_db"] == pytest.approx(0.0)


def test_the_acoustic_scale_moves_the_rate_classes() -> None:
    scaled = tuning.classify(
        tuning.clip_frame(CLIPS), dataclasses.replace(SETTINGS, acoustic_scale=1.3)
    )
    # 150 raw WPM x 1.3 = 195: x-fast
    assert scaled.set_index("name").loc["medium", "rate_class"] == "x-fast"
    assert scaled.set_index("name").loc["medium", "rate_wpm"] == pytest.approx(195.0)


def test_class_shares_per_corpus_and_all(classified: pd.DataFrame) -> None:
    shares = tuning.class_shares(classified, "volume")
    assert shares.loc["b", "medium"] == pytest.approx(100.0)
    assert shares.loc["a", "clips"] == 4
    # the silent clip counts in "clips" but in no class
    assert shares.loc["a", ["x-soft", "soft", "medium", "loud"]].sum() == pytest.approx(75.0)
    assert shares.loc["all", "medium"] == pytest.approx(100 * 2 / 6, abs=0.05)


def test_nearest_clips_are_just_below_and_at_or_above_each_threshold(
    classified: pd.DataFrame,
) -> None:
    nearest = tuning.nearest_clips(classified, SETTINGS, "volume")
    picks = {(r.boundary, r.side): r.name for r in nearest.itertuples()}
    assert picks == {
        ("x-soft | soft", "below"): "xsoft",
        ("x-soft | soft", "at or above"): "soft",
        ("soft | medium", "below"): "soft",
        ("soft | medium", "at or above"): "medium_low",
        ("medium | loud", "below"): "medium",
        ("medium | loud", "at or above"): "loud",
    }
    rate = tuning.nearest_clips(classified, SETTINGS, "rate")
    assert {(r.at, r.side): r.name for r in rate.itertuples()}[(190.0, "at or above")] == "loud"
    # nothing above 200 WPM... and no clip between 160 and 190: "below 190" is the 150 one
    assert {(r.at, r.side): r.name for r in rate.itertuples()}[(190.0, "below")] == "medium"


def test_confusion_needs_labels_for_volume_and_uses_exact_rates_for_rate(
    classified: pd.DataFrame,
) -> None:
    assert tuning.confusion(classified, "volume") is None
    rate = tuning.confusion(classified, "rate")
    assert rate is not None and rate.reference == "exact rate (transcript)"
    assert rate.n == 5
    # medium_low: exact fast, acoustic medium (140); the other four agree
    assert rate.table.loc["fast", "medium"] == 1
    assert rate.exact == pytest.approx(4 / 5)


def test_confusion_with_labels() -> None:
    clips = [
        feature("a", -30.0, volume_label="soft"),
        feature("b", -30.0, volume_label="medium"),
        feature("c", -20.0, volume_label="medium"),
    ]
    result = tuning.confusion(tuning.classify(tuning.clip_frame(clips), SETTINGS), "volume")
    assert result is not None and result.reference == "label"
    assert result.table.loc["medium", "soft"] == 1
    assert result.balanced == pytest.approx((1.0 + 0.5) / 2)


def test_gate_tradeoff_at_the_slider_and_along_the_curve(classified: pd.DataFrame) -> None:
    table = tuning.gate_tradeoff(classified, SETTINGS)
    # rate confidences 0.5, 0.8, 0.9, 0.9, 0.95, 0.0: three of six at or above 0.85
    assert table.loc["rate", "applied %"] == pytest.approx(50.0)
    # applied: medium_low (wrong: medium vs fast), medium, loud (right) -> 2/3
    assert table.loc["rate", "accuracy applied %"] == pytest.approx(66.7, abs=0.05)
    # gated but measured: xsoft and soft, both right
    assert table.loc["rate", "accuracy gated %"] == pytest.approx(100.0)
    assert math.isnan(table.loc["volume", "accuracy applied %"])  # no volume labels
    curve = tuning.gate_curve(classified)
    assert curve.loc[0.0, "rate applied %"] == pytest.approx(500 / 6)  # five measured
    assert curve.loc[1.0, "rate applied %"] == pytest.approx(0.0)
    assert curve["rate applied %"].is_monotonic_decreasing


def test_order_problems_name_the_dimension() -> None:
    bad = dataclasses.replace(
        SETTINGS, volume=VolumeThresholds(loud_dbfs=-30.0, medium_dbfs=-25.0, soft_dbfs=-35.0)
    )
    problems = tuning.order_problems(bad)
    assert len(problems) == 1 and problems[0].startswith("volume thresholds")
    assert tuning.order_problems(SETTINGS) == []


def test_propose_from_the_sample_quantiles_median_and_scale() -> None:
    rng = np.random.default_rng(7)
    levels = rng.normal(-22.0, 4.0, 60)
    raw = rng.uniform(120, 200, 60)
    clips = [
        feature(f"c{i}", float(v), float(r), exact=float(r) * 1.2, speaker=f"s{i % 5}")
        for i, (v, r) in enumerate(zip(levels, raw, strict=True))
    ]
    proposal = tuning.propose(clips, [], SETTINGS)
    expected_volume, median = fit_volume_quantiles(levels.tolist())
    assert proposal.settings.volume == expected_volume
    assert proposal.settings.reference_dbfs == median == pytest.approx(np.median(levels), abs=0.05)
    assert proposal.settings.acoustic_scale == pytest.approx(1.2, abs=1e-3)
    assert proposal.settings.rate == RATE  # the product's bands stay
    assert proposal.settings.min_stability == SETTINGS.min_stability  # never fitted
    assert proposal.sample is not None and proposal.labelled is None
    scale = tuning.scale_fit_table(proposal.sample)
    assert scale is not None and scale["WPM MAE"].iloc[1] == pytest.approx(0.0, abs=0.1)


def test_propose_without_transcripts_keeps_the_scale_and_says_why() -> None:
    clips = [feature(f"c{i}", -30.0 + i) for i in range(25)]
    proposal = tuning.propose(clips, [], SETTINGS)
    assert proposal.settings.acoustic_scale == SETTINGS.acoustic_scale
    assert any(w.startswith("rate: 0 clips have a transcript") for w in proposal.warnings)


def test_propose_from_labels_separates_the_labelled_classes() -> None:
    classes = ("x-soft", "soft", "medium", "loud")
    centres = (-38.0, -30.0, -22.0, -14.0)
    clips = [
        feature(f"{c}{i}", centre + d, volume_label=c, rate_label="medium")
        for c, centre in zip(classes, centres, strict=True)
        for i, d in enumerate((-1.5, -0.5, 0.5, 1.5))
    ]
    proposal = tuning.propose([], clips, SETTINGS)
    volume = proposal.settings.volume
    assert -36.5 < volume.soft_dbfs < -31.5
    assert -28.5 < volume.medium_dbfs < -23.5
    assert -20.5 < volume.loud_dbfs < -15.5
    assert proposal.labelled is not None
    summary = proposal.labelled_summary()
    assert summary is not None and summary.loc[("volume", "all"), "balanced_after"] == 1.0
    assert any("no clip labelled x-slow" in w for w in proposal.warnings)


def test_propose_needs_something() -> None:
    with pytest.raises(CalibrationError, match="nothing to fit"):
        tuning.propose([], [], SETTINGS)


# --- the stack file ------------------------------------------------------------------------


def test_read_settings_reads_the_gate_from_the_stack(stack_copy: Path) -> None:
    text = stack_copy.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "emotion-dynamics:minStabilityThreshold:" in x)
    stack_copy.write_text(
        text.replace(line, '  emotion-dynamics:minStabilityThreshold: "0.7"'), encoding="utf-8"
    )
    assert tuning.read_settings(stack_copy).min_stability == 0.7


def test_write_settings_writes_only_what_changed(stack_copy: Path) -> None:
    stack = tuning.read_settings(stack_copy)
    tuned = dataclasses.replace(
        stack,
        volume=dataclasses.replace(stack.volume, loud_dbfs=-15.0),
        min_stability=0.9,
    )
    before = stack_copy.read_text(encoding="utf-8")
    changes = tuning.setting_changes(stack_copy, tuned)
    assert changes.set_index("key")["new"].to_dict() == {
        contract.VOLUME_LOUD_THRESHOLD.full_key: "-15",
        contract.MIN_STABILITY_THRESHOLD.full_key: "0.9",
    }
    message, diff = tuning.write_settings(stack_copy, tuned)
    assert (
        message == f"would change {stack_copy}"
        and '+  emotion-dynamics:volumeLoudThreshold: "-15"' in diff
    )
    assert stack_copy.read_text(encoding="utf-8") == before
    message, _ = tuning.write_settings(stack_copy, tuned, only="rate")
    assert message == f"no change to {stack_copy}"  # nothing of rate moved; the gate needs both
    message, _ = tuning.write_settings(stack_copy, tuned, write=True)
    assert message == f"wrote {stack_copy}"
    assert tuning.read_settings(stack_copy) == tuned
    assert validate_stack_file(stack_copy).thresholds["volumeLoudThreshold"] == -15.0
    assert len(stack_copy.read_text(encoding="utf-8").splitlines()) == len(before.splitlines())


def test_write_settings_refuses_unordered_thresholds(stack_copy: Path) -> None:
    stack = tuning.read_settings(stack_copy)
    bad = dataclasses.replace(stack, rate=dataclasses.replace(stack.rate, slow_wpm=99.0))
    before = stack_copy.read_text(encoding="utf-8")
    with pytest.raises(CalibrationError, match="rate thresholds must satisfy"):
        tuning.write_settings(stack_copy, bad, write=True)
    assert stack_copy.read_text(encoding="utf-8") == before


# --- where the audio comes from ------------------------------------------------------------


def test_sources_default_to_speech_dev_with_a_warning(tmp_path: Path) -> None:
    sample, labelled = tmp_path / "speech-dev" / "manifest.csv", tmp_path / "small.csv"
    given = tuning.resolve_sources(["x"], None, default_sample=sample, default_labelled=labelled)
    assert given == tuning.Sources((Path("x"),), ())
    with pytest.raises(CalibrationError, match="no audio"):
        tuning.resolve_sources(None, None, default_sample=sample, default_labelled=labelled)
    sample.parent.mkdir()
    sample.write_text("file\n", encoding="utf-8")
    chosen = tuning.resolve_sources(None, [], default_sample=sample, default_labelled=labelled)
    assert chosen.sample == (sample,) and chosen.labelled == ()
    assert "no sample_audio given" in chosen.warnings[0]
    assert "is missing" in chosen.warnings[1]
    sample.unlink()
    labelled.write_text("file\n", encoding="utf-8")
    only = tuning.resolve_sources(None, None, default_sample=sample, default_labelled=labelled)
    assert only.labelled == (labelled,) and "synthetic" in only.warnings[0]


# --- labelling -----------------------------------------------------------------------------


def _clips(folder: Path, n: int = 3) -> list[SampleClip]:
    clips = []
    for i in range(n):
        path = folder / "audio" / f"clip{i}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, np.zeros(1600, dtype=np.float32), 16000)
        clips.append(SampleClip(path=path, corpus="audio", transcript=f"words {i}", speaker="s"))
    return clips


def test_label_session_saves_a_manifest_and_never_overwrites_unasked(tmp_path: Path) -> None:
    clips = _clips(tmp_path)
    out = tmp_path / "labels" / "mine.csv"
    session = LabelSession(clips, out)
    session.label(volume="soft", rate="fast")
    session.move(2)
    session.label(volume="loud")
    assert session.labelled == 2
    with pytest.raises(ValueError, match="volume class must be one of"):
        session.label(volume="quiet")
    assert session.save() == out
    rows = read_sample_manifest(out)
    assert [(r.name, r.volume_label, r.rate_label) for r in rows] == [
        ("clip0.wav", "soft", "fast"),
        ("clip2.wav", "loud", None),
    ]
    assert rows[0].path == clips[0].path.resolve() and rows[0].transcript == "words 0"
    text = out.read_text(encoding="utf-8")
    assert "../audio/clip0.wav" in text  # relative to the manifest's folder
    assert session.move(-1).name == "clip1.wav"
    session.label(rate="x-slow")
    with pytest.raises(LabelFileExistsError, match="exists"):
        session.save()
    assert out.read_text(encoding="utf-8") == text
    session.save(overwrite=True)
    assert len(read_sample_manifest(out)) == 3


def test_label_session_starts_from_existing_labels_and_refuses_empty_saves(tmp_path: Path) -> None:
    clips = _clips(tmp_path)
    session = LabelSession(clips, tmp_path / "x.csv")
    with pytest.raises(CalibrationError, match="no clip has a label"):
        session.save()
    labelled = [dataclasses.replace(clips[0], volume_label="medium"), *clips[1:]]
    assert LabelSession(labelled, tmp_path / "y.csv").volume == {0: "medium"}
