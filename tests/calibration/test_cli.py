"""The command line end to end: features -> fit -> write-back, with the production detectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calibration.cli import main
from calibration.features import read_features
from calibration.stackfile import read_thresholds, write_thresholds
from emotion_dynamics.config import default_config


@pytest.mark.slow
def test_features_fit_write_back(
    small_corpus: Path, stack_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    features = tmp_path / "features.csv"
    assert (
        main(
            [
                "features",
                "--manifest",
                str(small_corpus),
                "--out",
                str(features),
                "--jobs",
                "2",
                "--quiet",
            ]
        )
        == 0
    )
    rows = read_features(features)
    assert len(rows) == 60
    assert (
        sum(r.level_dbfs == r.level_dbfs for r in rows) >= 58
    )  # NaN only where no speech was found
    proposed = tmp_path / "proposed.json"
    assert (
        main(
            [
                "fit",
                "--features",
                str(features),
                "--stack-file",
                str(stack_copy),
                "--out",
                str(proposed),
            ]
        )
        == 0
    )
    report = capsys.readouterr().out
    assert "volume confusion before" in report and "rate confusion after" in report
    thresholds = json.loads(proposed.read_text(encoding="utf-8"))
    assert main(["write-back", "--stack-file", str(stack_copy), "--thresholds", str(proposed)]) == 0
    volume, rate = read_thresholds(stack_copy)
    assert volume.loud_dbfs == pytest.approx(thresholds["volume"]["loud_dbfs"], abs=0.05)
    assert rate.fast_wpm == pytest.approx(thresholds["rate"]["fast_wpm"], abs=0.05)


@pytest.mark.slow
def test_calibrate_only_volume_keeps_rate_thresholds(small_corpus: Path, stack_copy: Path) -> None:
    # GIVEN a stack at the seed's volume thresholds (the generated corpus moves them)
    _, rate_before = read_thresholds(stack_copy)
    write_thresholds(stack_copy, default_config().volume, rate_before)
    volume_before = read_thresholds(stack_copy)[0]
    argv = ["calibrate", "--manifest", str(small_corpus), "--stack-file", str(stack_copy)]
    assert main([*argv, "--jobs", "2", "--quiet", "--only", "volume", "--write-back"]) == 0
    volume_after, rate_after = read_thresholds(stack_copy)
    assert rate_after == rate_before
    assert volume_after != volume_before
    assert volume_after.loud_dbfs > volume_after.medium_dbfs > volume_after.soft_dbfs
