"""The command line runs the Lambda's pipeline locally with espeak-ng (no AWS)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import soundfile as sf

from emotion_dynamics_dev.cli import main
from emotion_dynamics_dev.demo import DEMO_CLIPS

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"
)


def test_demo_writes_ssml_audio_and_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "level dBFS" in out and "WPM" in out
    for clip in DEMO_CLIPS:
        assert clip.name in out
        ssml = (tmp_path / f"{clip.name}.ssml").read_text(encoding="utf-8")
        assert ET.fromstring(ssml).tag == "speak"
        audio, rate = sf.read(tmp_path / f"{clip.name}.wav")
        assert len(audio) / rate > 0.5  # espeak-ng really spoke
        response = json.loads((tmp_path / f"{clip.name}.json").read_text(encoding="utf-8"))
        assert response["statusCode"] == 200
        assert response["rate"]["method"] == ("transcript" if clip.with_transcript else "acoustic")
    levels = {
        c.name: json.loads((tmp_path / f"{c.name}.json").read_text())["volume"]["level_dbfs"]
        for c in DEMO_CLIPS
    }
    assert (
        levels["excited_loud"] > levels["neutral"] > levels["calm_soft"] > levels["hurried_whisper"]
    )


def test_process_one_file_without_synthesis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo", "--out", str(tmp_path / "demo"), "--no-synthesis"])
    capsys.readouterr()
    wav = tmp_path / "demo" / "input" / "neutral.wav"
    assert (
        main(
            [
                "process",
                str(wav),
                "--text",
                "Hello & <goodbye>",
                "--out",
                str(tmp_path / "one"),
                "--no-synthesis",
            ]
        )
        == 0
    )
    ssml = (tmp_path / "one" / "neutral.ssml").read_text(encoding="utf-8")
    assert "Hello &amp; &lt;goodbye&gt;" in ssml
    assert not (tmp_path / "one" / "neutral.wav").exists()


def test_errors_are_reported_with_a_nonzero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["process", str(tmp_path / "missing.wav"), "--text", "x"]) == 2
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "noise.wav").write_bytes(b"RIFF not really a wav")
    (tmp_path / "in" / "noise.txt").write_text("hello")
    assert main(["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == 1
    assert "INVALID_AUDIO" in capsys.readouterr().err
