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
    assert "PROSODY_MODE=classes" in out and "PROSODY_MODE=relative" in out
    for mode in ("classes", "relative"):
        folder = tmp_path / mode
        for clip in DEMO_CLIPS:
            assert clip.name in out
            ssml = (folder / f"{clip.name}.ssml").read_text(encoding="utf-8")
            assert ET.fromstring(ssml).tag == "speak"
            audio, rate = sf.read(folder / f"{clip.name}.wav")
            assert len(audio) / rate > 0.5  # espeak-ng really spoke
            response = json.loads((folder / f"{clip.name}.json").read_text(encoding="utf-8"))
            assert response["statusCode"] == 200
            assert response["prosody_mode"] == mode
            assert response["rate"]["method"] == (
                "transcript" if clip.with_transcript else "acoustic"
            )
        levels = {
            c.name: json.loads((folder / f"{c.name}.json").read_text())["volume"]["level_dbfs"]
            for c in DEMO_CLIPS
        }
        assert (
            levels["excited_loud"]
            > levels["neutral"]
            > levels["calm_soft"]
            > levels["hurried_whisper"]
        )
    relative = json.loads((tmp_path / "relative" / "excited_loud.json").read_text())
    assert relative["volume"]["applied"].endswith("dB")  # an offset, not a keyword


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


def test_process_with_word_timings_and_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo", "--out", str(tmp_path / "demo"), "--no-synthesis"])
    capsys.readouterr()
    wav = tmp_path / "demo" / "input" / "neutral.wav"
    words = tmp_path / "words.json"
    words.write_text(
        json.dumps(
            [
                {"word": " Der", "start": 0.1, "end": 0.3},
                {"word": " Zug", "start": 0.35, "end": 0.8},
            ]
        ),
        encoding="utf-8",
    )
    argv = ["process", str(wav), "--text", "Hi.", "--words", str(words), "--language", "de"]
    assert main([*argv, "--out", str(tmp_path / "one"), "--no-synthesis"]) == 0
    response = json.loads((tmp_path / "one" / "neutral.json").read_text(encoding="utf-8"))
    assert response["rate"]["method"] == "word_timings"
    assert response["rate"]["wpm"] == pytest.approx(2 / 0.7 * 60, abs=0.1)
    assert response["rate"]["language"] == {
        "code": "de", "given": True, "norm_syllables_per_s": 3.97, "norm_known": True,
    }  # fmt: skip
    words.write_text("not json", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"words\.json: not a readable JSON file"):
        main([*argv, "--out", str(tmp_path / "two"), "--no-synthesis"])
