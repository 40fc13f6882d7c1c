"""The command line runs the Lambda's pipeline locally with espeak-ng (no AWS).

Real files: speech rendered by espeak-ng, re-encoded by ffmpeg. Each test drives ``main`` as
a user would and checks the exit status, what was printed and what was written.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import soundfile as sf

from emotion_dynamics.config import default_config
from emotion_dynamics.detectors.volume import detect_volume
from emotion_dynamics_dev.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, main
from emotion_dynamics_dev.demo import DEMO_CLIPS
from emotion_dynamics_dev.jobs import result_names
from tests.media import ffmpeg
from tests.support import EVENTS_DIR, ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"
)
TEXT = "The train leaves at eight tonight."


def espeak_wav(path: Path, *, level_dbfs: float | None = None, text: str = TEXT) -> Path:
    """espeak-ng speaking ``text`` into a WAV, optionally scaled to an active-speech level."""
    subprocess.run(
        ["espeak-ng", "-w", str(path), "--stdin"], input=text.encode(), check=True, timeout=30
    )
    if level_dbfs is not None:
        samples, rate = sf.read(path, dtype="float64")
        measured = detect_volume(samples, rate, thresholds=default_config().volume).level_dbfs
        assert measured is not None
        sf.write(path, samples * 10 ** ((level_dbfs - measured) / 20), rate, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return espeak_wav(tmp_path_factory.mktemp("speech") / "speech.wav")


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ") and "Traceback" not in captured.err
    return lines[0]


# --- demo and process ---------------------------------------------------------------------


def test_demo_writes_ssml_audio_and_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "level dBFS" in out and "WPM" in out and "conf" in out and "relative" in out
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
            assert response["statusCode"] == 200 and response["prosody_mode"] == mode
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
    assert "loud -> +" in out


def test_process_one_file_without_synthesis(
    speech: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["process", str(speech), "--text", "Hello & <goodbye>", "--out", str(tmp_path)]
    assert main([*args, "--no-synthesis"]) == EXIT_OK
    ssml = (tmp_path / "speech.ssml").read_text(encoding="utf-8")
    assert "Hello &amp; &lt;goodbye&gt;" in ssml
    assert not (tmp_path / "speech.wav").exists()  # nothing written that was not asked for


def test_table_shows_confidence_and_why_a_dimension_stayed_neutral(
    speech: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a stability threshold no detector reaches
    args = ["process", str(speech), "--text", TEXT, "--out", str(tmp_path), "--no-synthesis"]
    assert main([*args, "--defaults"]) == EXIT_OK
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MIN_STABILITY_THRESHOLD", "1.0")
        assert main([*args, "--defaults"]) == EXIT_OK
    out = capsys.readouterr().out
    header, _, row = out.splitlines()[:3]
    assert header.split()[:9] == [
        "file", "status", "level", "dBFS", "volume", "conf", "WPM", "rate", "conf",
    ]  # fmt: skip
    response = json.loads((tmp_path / "speech.json").read_text())
    neutral = [d for d in ("volume", "rate") if response[d]["confidence"] < 1.0]
    assert neutral and row.count("(neutral)") == len(neutral)
    for dimension in neutral:  # each neutral dimension with its short reason
        assert f"{dimension}: confidence {response[dimension]['confidence']:.2f} < 1" in row


# --- settings: stack, environment, flags --------------------------------------------------


def _volume_class(folder: Path, name: str) -> str:
    return str(json.loads((folder / f"{name}.json").read_text())["volume"]["class"])


def test_stack_settings_then_environment_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN speech at -22 dBFS: medium with Pulumi.dev.yaml's thresholds (-24), soft with the
    # contract's defaults (-20)
    wav = espeak_wav(tmp_path / "talk.wav", level_dbfs=-22.0)
    base = ["process", str(wav), "--text", TEXT, "--no-synthesis", "--out"]
    assert main([*base, str(tmp_path / "stack")]) == EXIT_OK  # --stack dev is the default
    assert _volume_class(tmp_path / "stack", "talk") == "medium"
    assert main([*base, str(tmp_path / "defaults"), "--defaults"]) == EXIT_OK
    assert _volume_class(tmp_path / "defaults", "talk") == "soft"
    # an environment variable overrides the stack file
    monkeypatch.setenv("VOLUME_MEDIUM_THRESHOLD", "-21")
    assert main([*base, str(tmp_path / "env")]) == EXIT_OK
    assert _volume_class(tmp_path / "env", "talk") == "soft"
    # and a flag overrides both
    monkeypatch.setenv("MAX_AUDIO_DURATION_SECONDS", "1")
    assert main([*base, str(tmp_path / "short")]) == EXIT_BAD_INPUT
    assert main([*base, str(tmp_path / "flag"), "--max-duration", "3"]) == EXIT_OK
    assert main([*base, str(tmp_path / "trim"), "--long-audio", "last"]) == EXIT_OK
    trimmed = json.loads((tmp_path / "trim" / "talk.json").read_text())["audio"]
    assert trimmed["kept"] == "last" and trimmed["duration_s"] == 1.0
    capsys.readouterr()


def test_unknown_stack_is_a_one_line_error(
    speech: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["process", str(speech), "--text", "x", "--stack", "nope"]) == EXIT_BAD_INPUT
    assert "Pulumi.nope.yaml" in one_line_error(capsys)


# --- batch ---------------------------------------------------------------------------------


@pytest.fixture
def batch_folder(tmp_path: Path) -> Path:
    """clip.wav, clip.flac, clip.mp3 sharing clip.txt, and other.wav without a text."""
    folder = tmp_path / "in"
    folder.mkdir()
    wav = espeak_wav(folder / "clip.wav")
    ffmpeg(wav, folder / "clip.flac")
    ffmpeg(wav, folder / "clip.mp3", "-c:a", "libmp3lame")
    shutil.copy(wav, folder / "other.wav")
    (folder / "clip.txt").write_text(TEXT + "\n", encoding="utf-8")
    return folder


def test_batch_writes_distinct_results_and_reports_a_file_without_text(
    batch_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    status = main(["batch", str(batch_folder), "--out", str(out)])
    # THEN three distinct results, nothing overwritten, and other.wav reported, not fatal
    assert status == EXIT_BAD_INPUT
    for name, source in (("clip_wav", "WAV"), ("clip_flac", "FLAC"), ("clip_mp3", "MP3")):
        response = json.loads((out / f"{name}.json").read_text())
        assert response["statusCode"] == 200 and response["audio"]["format"] == source
        assert (out / f"{name}.ssml").is_file() and (out / f"{name}.wav").is_file()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{n}.{s}" for n in ("clip_wav", "clip_flac", "clip_mp3") for s in ("json", "ssml", "wav")
    )
    captured = capsys.readouterr()
    assert "no text: write other.txt or pass --text" in captured.err
    assert "left alone" not in captured.err  # every file of the folder was used
    assert "other.wav" in captured.out and "clip.mp3" in captured.out


def test_batch_writes_the_table_as_json_and_csv(
    batch_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (batch_folder / "other.wav").unlink()
    table = tmp_path / "table.json"
    assert (
        main(["batch", str(batch_folder), "--out", str(tmp_path / "o"), "--table-out", str(table)])
        == EXIT_OK
    )
    rows = json.loads(table.read_text())
    assert [r["result"] for r in rows] == ["clip_flac", "clip_mp3", "clip_wav"]
    for row in rows:
        assert row["status"] == 200 and 0.0 <= row["volume_confidence"] <= 1.0
        assert row["rate_confidence"] is not None and row["outputs"]
    csv_path = tmp_path / "table.csv"
    assert (
        main(
            [
                "batch",
                str(batch_folder),
                "--out",
                str(tmp_path / "o"),
                "--table-out",
                str(csv_path),
                "--no-synthesis",
            ]
        )
        == EXIT_OK
    )
    with csv_path.open(newline="", encoding="utf-8") as handle:
        assert [r["file"] for r in csv.DictReader(handle)] == ["clip.flac", "clip.mp3", "clip.wav"]
    capsys.readouterr()


def test_table_out_needs_a_json_or_csv_name(
    batch_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["batch", str(batch_folder), "--table-out", str(tmp_path / "t.txt")])
    assert exited.value.code == EXIT_BAD_INPUT
    assert "must end in .json or .csv" in capsys.readouterr().err


def test_batch_reports_every_accepted_and_refused_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    wav = espeak_wav(tmp_path / "src.wav")
    for suffix, options in (
        (".ogg", ("-c:a", "libvorbis")), (".oga", ("-c:a", "libvorbis")),
        (".opus", ("-c:a", "libopus")), (".mp3", ()), (".webm", ("-c:a", "libopus")),
        (".m4a", ("-c:a", "aac")),
    ):  # fmt: skip
        ffmpeg(wav, folder / f"s{suffix.lstrip('.')}{suffix}", *options)
    samples, rate = sf.read(wav, dtype="int16")
    (folder / "sraw.raw").write_bytes(samples.astype("<i2").tobytes())
    (folder / "notes.md").write_text("not audio")
    args = ["batch", str(folder), "--out", str(tmp_path / "o"), "--text", TEXT, "--no-synthesis"]
    assert main([*args, "--sample-rate", str(rate)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "note: 1 other file(s) left alone: notes.md" in captured.err
    out = captured.out
    for name in ("sogg.ogg", "soga.oga", "sopus.opus", "smp3.mp3", "sraw.raw"):
        assert any(line.startswith(name) and " 200 " in line for line in out.splitlines()), out
    for name, label in (("swebm.webm", "WebM/Matroska"), ("sm4a.m4a", "MP4/M4A")):
        (line,) = [x for x in out.splitlines() if x.startswith(name)]
        assert f"is {label} audio, which is not accepted; accepted: WAV" in line


def test_result_names_are_unique_in_a_run() -> None:
    paths = [
        Path(p) for p in ("a/clip.wav", "a/clip.flac", "a/Clip.mp3", "a/clip_wav.ogg", "a/x.wav")
    ]
    names = result_names(paths)
    assert len(set(n.casefold() for n in names.values())) == len(paths)
    assert names[Path("a/x.wav")] == "x" and names[Path("a/clip.flac")] == "clip_flac"
    assert names[Path("a/clip_wav.ogg")] == "clip_wav_2"  # after clip.wav took clip_wav


# --- paths that cannot be used -------------------------------------------------------------


def test_out_on_a_file_is_a_one_line_error(
    speech: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "results.txt"
    a_file.write_text("not a folder")
    assert main(["process", str(speech), "--text", TEXT, "--out", str(a_file)]) == EXIT_BAD_INPUT
    assert one_line_error(capsys) == f"error: --out {a_file} is a file, not a folder"
    below = a_file / "sub"
    assert main(["process", str(speech), "--text", TEXT, "--out", str(below)]) == EXIT_BAD_INPUT
    assert one_line_error(capsys).startswith(f"error: --out {below} cannot be created")
    assert a_file.read_text() == "not a folder"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_out_on_an_unwritable_folder_is_a_one_line_error(
    speech: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # /proc/self is a folder nobody can create files in, root included
    assert main(["process", str(speech), "--text", TEXT, "--out", "/proc/self"]) == EXIT_BAD_INPUT
    assert one_line_error(capsys).startswith("error: --out /proc/self is not writable")


def test_paths_that_are_not_what_the_command_needs(
    speech: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["process", str(tmp_path), "--text", "x"]) == EXIT_BAD_INPUT
    assert (
        one_line_error(capsys)
        == f"error: {tmp_path} is a folder: use `batch {tmp_path}` for a folder of clips"
    )
    assert main(["process", str(tmp_path / "missing.wav"), "--text", "x"]) == EXIT_BAD_INPUT
    assert one_line_error(capsys) == f"error: {tmp_path / 'missing.wav'}: no such file"
    assert main(["batch", str(speech)]) == EXIT_BAD_INPUT
    assert "is a file: use `process" in one_line_error(capsys)
    noise = tmp_path / "noise.wav"
    noise.write_bytes(b"\x1f\x8b\x08\x00" + bytes(500))
    assert main(["process", str(noise), "--text", "x"]) == EXIT_BAD_INPUT
    message = one_line_error(capsys)
    assert f"{noise}: not a recognised audio file (504 bytes, header 1f 8b 08 00)" in message
    assert "sample_rate" not in message and "--sample-rate" in message


def test_outputs_never_overwrite_the_inputs(
    batch_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in batch_folder.iterdir()}
    (batch_folder / "other.wav").unlink()
    del before["other.wav"]
    (batch_folder / "clip_wav.wav").write_bytes((batch_folder / "clip.wav").read_bytes())
    before["clip_wav.wav"] = (batch_folder / "clip.wav").read_bytes()
    assert main(["batch", str(batch_folder), "--out", str(batch_folder)]) == EXIT_BAD_INPUT
    assert "would overwrite the input" in one_line_error(capsys)
    assert {p.name: p.read_bytes() for p in batch_folder.iterdir()} == before


def test_a_truncated_file_is_reported_as_a_file(
    speech: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut = tmp_path / "cut.wav"
    cut.write_bytes(speech.read_bytes()[:5000])
    assert (
        main(["process", str(cut), "--text", TEXT, "--out", str(tmp_path / "o")]) == EXIT_BAD_INPUT
    )
    captured = capsys.readouterr()
    assert f"{cut}: is a truncated WAV file: its data chunk declares" in captured.out
    assert "audio_base64" not in captured.out + captured.err


def test_a_synthesis_failure_exits_with_1(
    speech: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng on the PATH
    assert (
        main(["process", str(speech), "--text", TEXT, "--out", str(tmp_path / "o")]) == EXIT_FAILED
    )
    assert "SYNTHESIS_FAILED" in capsys.readouterr().out
    assert json.loads((tmp_path / "o" / "speech.json").read_text())["ssml"]  # nothing lost


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 every file answered 200" in text
    assert "1 a failure" in text and "2 bad input" in text


# --- the handler on the sample events ------------------------------------------------------


def test_events_command_runs_the_handler_on_every_sample_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["events", str(EVENTS_DIR), "--defaults"]) == EXIT_OK
    out = capsys.readouterr().out
    expected = json.loads((EVENTS_DIR / "expected.json").read_text())
    lines = {line.split()[0]: line for line in out.splitlines()[:-1]}
    assert set(lines) == set(expected)
    for name, want in expected.items():
        assert lines[name].split()[1] == str(want["status"]) and lines[name].endswith("OK")
    assert (
        out.splitlines()[-1]
        == f"{len(expected)} events, {len(expected)} of {len(expected)} as expected"
    )


def test_events_command_fails_on_a_mismatch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(EVENTS_DIR / "valid_wav_base64.json", tmp_path)
    (tmp_path / "expected.json").write_text(
        json.dumps(
            {"valid_wav_base64": {"status": 400, "code": "INVALID_AUDIO", "field": "audio_base64"}}
        )
    )
    assert main(["events", str(tmp_path), "--defaults"]) == EXIT_FAILED
    assert "MISMATCH: status: expected 400, got 200" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("target", "command"),
    [("events", "-m emotion_dynamics_dev events tests/events --defaults"),
     ("demo", "-m emotion_dynamics_dev demo --stack dev --out out/demo")],
)  # fmt: skip
def test_make_targets_run_the_command_line(target: str, command: str) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert command in dry.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"make {target}" in readme


def test_word_timings_and_language_from_the_command_line(
    speech: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
    args = ["process", str(speech), "--text", "Hi.", "--words", str(words), "--language", "de"]
    assert main([*args, "--out", str(tmp_path / "one"), "--no-synthesis"]) == EXIT_OK
    response = json.loads((tmp_path / "one" / "speech.json").read_text(encoding="utf-8"))
    assert response["rate"]["method"] == "word_timings"
    assert response["rate"]["wpm"] == pytest.approx(2 / 0.7 * 60, abs=0.1)
    assert response["rate"]["language"]["code"] == "de" and response["rate"]["language"]["given"]
    words.write_text("not json", encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "two"), "--no-synthesis"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "words.json: not a readable JSON file" in err


def test_batch_takes_word_timings_beside_a_clip(speech: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "clip.wav").write_bytes(speech.read_bytes())
    (folder / "clip.txt").write_text("Hello.", encoding="utf-8")
    (folder / "clip.words.json").write_text(
        json.dumps(
            [
                {"word": " hello", "start": 0.2, "end": 0.6},
                {"word": " there", "start": 0.7, "end": 1.1},
            ]
        ),
        encoding="utf-8",
    )
    assert main(["batch", str(folder), "--out", str(tmp_path / "out"), "--no-synthesis"]) == EXIT_OK
    response = json.loads((tmp_path / "out" / "clip.json").read_text(encoding="utf-8"))
    assert response["rate"]["method"] == "word_timings"
