"""Round-trip edits of the thresholds in a Pulumi stack file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from calibration.cli import main
from calibration.errors import StackFileError
from calibration.stackfile import (
    STACK_KEYS,
    format_threshold,
    read_thresholds,
    stack_file_path,
    write_thresholds,
)
from emotion_dynamics.config import RateThresholds, VolumeThresholds

NEW_VOLUME = VolumeThresholds(loud_dbfs=-16.9, medium_dbfs=-24.0, soft_dbfs=-31.75)
NEW_RATE = RateThresholds(very_slow_wpm=95.0, slow_wpm=128.5, medium_wpm=161.0, fast_wpm=205.0)


def _config(path: Path) -> dict[str, object]:
    return dict(YAML(typ="safe").load(path.read_text(encoding="utf-8"))["config"])


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


def test_round_trip_changes_only_the_thresholds(stack_copy: Path) -> None:
    before_text = stack_copy.read_text(encoding="utf-8")
    before = _config(stack_copy)
    diff = write_thresholds(stack_copy, NEW_VOLUME, NEW_RATE)
    after_text = stack_copy.read_text(encoding="utf-8")
    after = _config(stack_copy)
    # the thresholds are written as quoted strings
    assert after["emotion-dynamics:volumeLoudThreshold"] == "-16.9"
    assert after["emotion-dynamics:volumeSoftThreshold"] == "-31.8"
    assert after["emotion-dynamics:rateSlowThreshold"] == "128.5"
    assert after["emotion-dynamics:rateFastThreshold"] == "205"
    for key in STACK_KEYS:
        assert f'{key}: "' in after_text
    # every other key, every comment and the key order survive
    assert {k: v for k, v in after.items() if k not in STACK_KEYS} == {
        k: v for k, v in before.items() if k not in STACK_KEYS
    }
    assert _comments(after_text) == _comments(before_text)
    assert list(after) == list(before)
    assert len(after_text.splitlines()) == len(before_text.splitlines())
    # the diff shows exactly the changed lines
    changed = [
        line
        for line in diff.splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert all("Threshold" in line for line in changed)
    assert read_thresholds(stack_copy) == (
        VolumeThresholds(-16.9, -24.0, -31.8),
        RateThresholds(95.0, 128.5, 161.0, 205.0),
    )


def test_writing_the_same_values_again_changes_nothing(stack_copy: Path) -> None:
    write_thresholds(stack_copy, NEW_VOLUME, NEW_RATE)
    text = stack_copy.read_text(encoding="utf-8")
    assert write_thresholds(stack_copy, VolumeThresholds(-16.9, -24.0, -31.8), NEW_RATE) == ""
    assert stack_copy.read_text(encoding="utf-8") == text


def test_dry_run_leaves_the_file_alone(stack_copy: Path) -> None:
    text = stack_copy.read_text(encoding="utf-8")
    diff = write_thresholds(stack_copy, NEW_VOLUME, NEW_RATE, dry_run=True)
    assert '+  emotion-dynamics:rateFastThreshold: "205"' in diff
    assert stack_copy.read_text(encoding="utf-8") == text


def test_missing_keys_are_added_next_to_the_others(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(
        "# top comment\nconfig:\n  aws:region: eu-west-1  # region\n"
        "  emotion-dynamics:volumeLoudThreshold: '-10'\n  emotion-dynamics:memorySize: 512\n"
        "  emotion-dynamics:timeout: 30\n",
        encoding="utf-8",
    )
    write_thresholds(stack, NEW_VOLUME, NEW_RATE)
    text = stack.read_text(encoding="utf-8")
    config = _config(stack)
    assert "# top comment" in text and "# region" in text
    assert "emotion-dynamics:volumeLoudThreshold: '-16.9'" in text  # quoting style kept
    keys = list(config)
    assert keys[:2] == ["aws:region", "emotion-dynamics:volumeLoudThreshold"]
    assert keys[2:8] == list(STACK_KEYS[1:])
    assert keys[8:] == ["emotion-dynamics:memorySize", "emotion-dynamics:timeout"]


def test_out_of_order_thresholds_are_refused(stack_copy: Path) -> None:
    text = stack_copy.read_text(encoding="utf-8")
    with pytest.raises(StackFileError, match="loud > medium > soft"):
        write_thresholds(stack_copy, VolumeThresholds(-30.0, -20.0, -10.0), NEW_RATE)
    with pytest.raises(StackFileError, match="very_slow < slow"):
        write_thresholds(stack_copy, NEW_VOLUME, RateThresholds(100.0, 100.0, 160.0, 190.0))
    assert stack_copy.read_text(encoding="utf-8") == text


def test_the_pulumi_programs_validation_guards_the_write(stack_copy: Path) -> None:
    text = stack_copy.read_text(encoding="utf-8")
    with pytest.raises(StackFileError, match="rateFastThreshold"):
        write_thresholds(stack_copy, NEW_VOLUME, RateThresholds(100.0, 130.0, 160.0, 700.0))
    assert stack_copy.read_text(encoding="utf-8") == text


def test_bad_files_and_names(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match="no such stack file"):
        read_thresholds(tmp_path / "Pulumi.none.yaml")
    (tmp_path / "Pulumi.x.yaml").write_text("encryptionsalt: abc\n", encoding="utf-8")
    with pytest.raises(StackFileError, match="config:"):
        read_thresholds(tmp_path / "Pulumi.x.yaml")
    with pytest.raises(StackFileError, match="plain name"):
        stack_file_path("../etc")
    assert stack_file_path("prod", tmp_path) == tmp_path / "Pulumi.prod.yaml"
    assert [format_threshold(v) for v in (-10.0, -16.94, 128.5, 0.0, -0.04)] == [
        "-10",
        "-16.9",
        "128.5",
        "0",
        "0",
    ]


def test_write_back_command(
    stack_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thresholds = tmp_path / "proposed.json"
    thresholds.write_text(
        json.dumps({"volume": {"loud_dbfs": -15, "medium_dbfs": -22, "soft_dbfs": -29},
                    "rate": {"very_slow_wpm": 90, "slow_wpm": 120, "medium_wpm": 150, "fast_wpm": 185}}),
        encoding="utf-8",
    )  # fmt: skip
    text = stack_copy.read_text(encoding="utf-8")
    args = ["write-back", "--stack-file", str(stack_copy), "--thresholds", str(thresholds)]
    assert main([*args, "--dry-run"]) == 0
    assert '+  emotion-dynamics:volumeLoudThreshold: "-15"' in capsys.readouterr().out
    assert stack_copy.read_text(encoding="utf-8") == text
    assert main(args) == 0
    assert read_thresholds(stack_copy)[1] == RateThresholds(90, 120, 150, 185)
    assert (
        main(
            [
                "write-back",
                "--stack-file",
                str(tmp_path / "nope.yaml"),
                "--thresholds",
                str(thresholds),
            ]
        )
        == 2
    )


@pytest.mark.parametrize("item_indent", ["  ", "    "], ids=["sequence-flush", "sequence-indented"])
def test_the_files_own_indentation_is_kept(tmp_path: Path, item_indent: str) -> None:
    text = (
        "config:\n  aws:region: us-east-1\n\n  # thresholds\n"
        '  emotion-dynamics:volumeLoudThreshold: "-10"\n'
        f"  emotion-dynamics:tags:\n{item_indent}- owner=speech-team\n{item_indent}- environment=dev\n"
    )
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(text, encoding="utf-8")
    write_thresholds(stack, NEW_VOLUME, NEW_RATE)
    after = stack.read_text(encoding="utf-8")
    assert f"\n{item_indent}- owner=speech-team\n{item_indent}- environment=dev\n" in after
    assert "\n\n  # thresholds\n" in after
