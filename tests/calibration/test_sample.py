"""Calibration from a folder of unlabelled recordings: the CLI end to end, and the fits."""

from __future__ import annotations

import csv
import math
import shutil
import statistics
from pathlib import Path

import numpy as np
import pytest
from ruamel.yaml import YAML

from calibration.cli import main
from calibration.errors import FitError
from calibration.sample import discover, load_sample
from calibration.stackfile import read_thresholds
from calibration.unlabelled import fit_acoustic_scale, fit_volume_quantiles
from emotion_dynamics_infra.stack import validate_stack_file
from tests import speech_dev

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def forty_clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float]]:
    """40 real clips (speech-dev's 38 and extra/'s 2 read English) in a folder, no labels."""
    speech_dev.skip_unless_available()
    folder = tmp_path_factory.mktemp("recordings")
    levels = []
    for manifest in (
        speech_dev.SPEECH_DEV_DIR / "manifest.csv",
        speech_dev.SPEECH_DEV_DIR / "extra" / "manifest.csv",
    ):
        with manifest.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("language", "en") != "en" or row.get("style", "read") != "read":
                    continue
                shutil.copyfile(manifest.parent / row["file"], folder / Path(row["file"]).name)
                levels.append(float(row["rms_dbfs"]))
    assert len(list(folder.iterdir())) == 40
    return folder, levels


def _config(path: Path) -> dict[str, object]:
    return dict(YAML(typ="safe").load(path.read_text(encoding="utf-8"))["config"])


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


def test_forty_unlabelled_clips(
    forty_clips: tuple[Path, list[float]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, reference_levels = forty_clips
    stack = tmp_path / "Pulumi.dev.yaml"
    shutil.copyfile(REPO / "Pulumi.dev.yaml", stack)
    original = stack.read_text(encoding="utf-8")
    argv = ["calibrate", "--audio", str(folder), "--stack-file", str(stack), "--jobs", "2"]

    # WHEN run without --write-back THEN nothing is written and it says "would change"
    assert main(argv) == 0
    assert "would change" in capsys.readouterr().out
    assert stack.read_text(encoding="utf-8") == original

    # WHEN --write-back and --dry-run are both given THEN it is refused in one line
    assert main([*argv, "--write-back", "--dry-run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "contradict" in err
    assert stack.read_text(encoding="utf-8") == original

    # WHEN --write-back THEN it says which file and writes thresholds the program accepts
    assert main([*argv, "--write-back"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {stack}" in out and "+  emotion-dynamics:volumeLoudThreshold" in out
    volume, rate = read_thresholds(stack)
    assert volume.loud_dbfs > volume.medium_dbfs > volume.soft_dbfs
    median = statistics.median(reference_levels)  # the manifests' own level measurements
    assert volume.medium_dbfs <= median < volume.loud_dbfs
    in_medium = np.mean([volume.medium_dbfs <= v < volume.loud_dbfs for v in reference_levels])
    assert 0.30 <= in_medium <= 0.80
    after = _config(stack)
    assert float(str(after["emotion-dynamics:volumeReferenceDbfs"])) == pytest.approx(
        median, abs=1.5
    )
    # AND the rate settings and every other key and comment survive
    assert rate == read_thresholds(REPO / "Pulumi.dev.yaml")[1]
    before = _config(REPO / "Pulumi.dev.yaml")
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed <= {
        "emotion-dynamics:volumeLoudThreshold",
        "emotion-dynamics:volumeMediumThreshold",
        "emotion-dynamics:volumeSoftThreshold",
        "emotion-dynamics:volumeReferenceDbfs",
    }
    assert _comments(stack.read_text(encoding="utf-8")) == _comments(original)
    validate_stack_file(stack)
    assert "rate settings stay" in out  # no transcripts in the folder: the report says why


def test_transcripts_beside_the_clips_fit_the_acoustic_scale(
    forty_clips: tuple[Path, list[float]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = forty_clips
    with_text = tmp_path / "with-text"
    shutil.copytree(folder, with_text)
    with (speech_dev.SPEECH_DEV_DIR / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            (with_text / Path(row["file"]).name).with_suffix(".txt").write_text(row["transcript"])
    stack = tmp_path / "Pulumi.dev.yaml"
    shutil.copyfile(REPO / "Pulumi.dev.yaml", stack)
    argv = ["calibrate", "--audio", str(with_text), "--stack-file", str(stack), "--only", "rate"]
    assert main([*argv, "--jobs", "2", "--write-back"]) == 0
    out = capsys.readouterr().out
    assert "scale fitted on 38 clips" in out and "held out by" in out
    scale = float(str(_config(stack)["emotion-dynamics:rateAcousticScale"]))
    assert 0.9 < scale < 1.4
    assert read_thresholds(stack)[0] == read_thresholds(REPO / "Pulumi.dev.yaml")[0]  # --only rate


def test_folder_discovery_reads_sidecars(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "synthetic").mkdir()
    for name in ("alice/a.wav", "synthetic/s.flac", "b.mp3", "notes.md"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "alice" / "a.txt").write_text("hello there\n")
    (tmp_path / "b.words.json").write_text('[{"word": "hi", "start": 0, "end": 0.3}]')
    clips = {c.name: c for c in discover(tmp_path)}
    assert set(clips) == {"a.wav", "s.flac", "b.mp3"}
    assert clips["a.wav"].transcript == "hello there" and clips["a.wav"].speaker == "alice"
    assert clips["s.flac"].synthetic and not clips["a.wav"].synthetic
    assert clips["b.mp3"].words == [{"word": "hi", "start": 0, "end": 0.3}]
    with pytest.raises(Exception, match="no audio files"):
        load_sample([_empty(tmp_path)])


def _empty(root: Path) -> Path:
    folder = root / "empty"
    folder.mkdir()
    return folder


def test_quantiles_on_synthetic_levels_with_known_answers() -> None:
    levels = np.linspace(-40.0, -10.0, 301)  # uniform: quantiles are exact
    volume, median = fit_volume_quantiles(levels)
    assert (volume.soft_dbfs, volume.medium_dbfs, volume.loud_dbfs) == (-37.0, -32.5, -17.5)
    assert median == -25.0
    narrow, _ = fit_volume_quantiles(np.full(50, -20.0))  # no spread: bands 2 dB apart
    assert (
        narrow.loud_dbfs - narrow.medium_dbfs >= 2.0
        and narrow.medium_dbfs - narrow.soft_dbfs >= 2.0
    )
    with pytest.raises(FitError, match="summing to 1"):
        fit_volume_quantiles(levels, mix=(0.5, 0.5, 0.5, 0.5))
    with pytest.raises(FitError, match="no clip"):
        fit_volume_quantiles([math.nan])


def test_scale_on_synthetic_rates_with_known_answers() -> None:
    rng = np.random.default_rng(0)
    raw = rng.uniform(100, 200, 60)
    exact = 1.2 * raw * rng.normal(1.0, 0.03, raw.size)
    speakers = [f"s{i % 6}" for i in range(raw.size)]
    fit = fit_acoustic_scale(raw, exact, speakers, current=1.0)
    assert fit.scale == pytest.approx(1.2, abs=0.02)
    assert fit.held_out_by == "speaker" and fit.groups == 6
    assert fit.mae_in_sample < fit.mae_current and fit.mae_held_out >= fit.mae_in_sample
    with pytest.raises(FitError, match="3 are needed"):
        fit_acoustic_scale([100.0, 120.0], [110.0, 130.0], ["a", "b"], current=1.0)
