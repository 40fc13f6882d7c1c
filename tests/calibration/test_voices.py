"""Measuring a voice: espeak-ng for real, Polly through botocore's Stubber and moto's server."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import boto3
import numpy as np
import pytest
import soundfile as sf
from botocore.response import StreamingBody
from botocore.stub import Stubber
from ruamel.yaml import YAML

from calibration import voices
from calibration.cli import main
from emotion_dynamics.ssml import build_ssml
from emotion_dynamics.voices import VoiceProfile, parse_profiles
from emotion_dynamics_infra.stack import validate_stack_file

REPO = Path(__file__).resolve().parents[2]
needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"
)
SENTENCES = voices.SENTENCES[:3]


def _profiles(path: Path) -> list[str]:
    return list(YAML(typ="safe").load(path.read_text())["config"]["emotion-dynamics:voiceProfiles"])


@needs_espeak
def test_espeak_voice_is_measured_and_written_into_the_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = tmp_path / "Pulumi.dev.yaml"
    shutil.copyfile(REPO / "Pulumi.dev.yaml", stack)
    argv = ["voices", "--backend", "espeak", "--voice", "en-us", "--stack-file", str(stack)]
    assert main(argv) == 0  # without --write-back: shown, not written
    assert "would change" in capsys.readouterr().out and _profiles(stack) == []
    assert main([*argv, "--write-back"]) == 0
    out = capsys.readouterr().out
    assert "profile: en-us=en:" in out and "| 200% |" in out and f"wrote {stack}" in out
    (entry,) = _profiles(stack)
    profile = parse_profiles([entry])["en-us"]
    assert 3.5 < profile.syllables_per_s < 6.0 and profile.seconds_per_letter is not None
    validate_stack_file(stack)


def test_profiles_merge_by_key() -> None:
    profile = VoiceProfile("en-US", 4.9, -21.0)
    merged = voices.merge_profile(
        ["Matthew=en-US:4.5:-20.0", "Joanna@neural=en-US:1:-1"], "Joanna@neural", profile
    )
    assert merged == ["Matthew=en-US:4.5:-20.0", "Joanna@neural=en-US:4.90:-21.0"]
    assert voices.merge_profile([], voices.profile_key("Joanna", None), profile) == [
        "Joanna=en-US:4.90:-21.0"
    ]


def _speech_pcm(seconds: float, syllables: int) -> bytes:
    """16 kHz PCM16 with `syllables` voiced bursts: what a recorded Polly answer holds."""
    rate = 16000
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.clip(np.sin(np.pi * syllables * t / seconds), 0, None) ** 2
    wave = 0.3 * envelope * np.sin(2 * np.pi * 140 * t) * (1 + 0.5 * np.sin(2 * np.pi * 700 * t))
    return (wave * 32767).astype("<i2").tobytes()


def test_polly_is_asked_for_pcm_ssml_at_each_rate() -> None:
    client = boto3.client(
        "polly", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    rates = (None, "x-fast")
    for rate in rates:
        for text, syllables in SENTENCES:
            pcm = _speech_pcm(2.0 if rate is None else 1.4, syllables)
            stubber.add_response(
                "synthesize_speech",
                {
                    "AudioStream": StreamingBody(io.BytesIO(pcm), len(pcm)),
                    "ContentType": "audio/pcm",
                },
                expected_params={
                    "Text": build_ssml(text, volume=None, rate=rate),
                    "TextType": "ssml",
                    "VoiceId": "Joanna",
                    "Engine": "neural",
                    "OutputFormat": "pcm",
                    "SampleRate": "16000",
                },
            )
    with stubber:
        render = voices.polly_renderer(client, voice_id="Joanna", engine="neural")
        measured = voices.measure_voice(
            render, voice_id="Joanna", language="en-US", sentences=SENTENCES, rates=("x-fast",)
        )
    stubber.assert_no_pending_responses()
    assert measured.profile.language == "en-US"
    assert measured.rows[1].rate == "x-fast" and measured.rows[1].factor > 1.2


def test_polly_language_comes_from_describe_voices() -> None:
    client = boto3.client(
        "polly", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        stubber.add_response(
            "describe_voices",
            {"Voices": [{"Id": "Joanna", "LanguageCode": "en-US", "Name": "Joanna"}]},
            {"Engine": "neural"},
        )
        assert voices.polly_language(client, voice_id="Joanna", engine="neural") == "en-US"


@pytest.mark.usefixtures("fake_aws_env")
def test_moto_polly_answers_silence_and_the_cli_says_so(
    moto_server: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # moto's Polly returns 8 zero bytes: a real round trip, but nothing to measure
    monkeypatch.setenv("AWS_ENDPOINT_URL_POLLY", moto_server)
    stack = tmp_path / "Pulumi.dev.yaml"
    shutil.copyfile(REPO / "Pulumi.dev.yaml", stack)
    argv = ["voices", "--backend", "polly", "--voice", "Joanna", "--engine", "neural"]
    assert main([*argv, "--language", "en-US", "--stack-file", str(stack), "--write-back"]) == 2
    err = capsys.readouterr().err
    assert "polly voice Joanna: the voice rendered no speech" in err
    assert _profiles(stack) == []  # nothing written


def test_a_pcm_answer_becomes_a_wav_of_the_same_length() -> None:
    client = boto3.client(
        "polly", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    pcm = _speech_pcm(1.0, 4)
    with Stubber(client) as stubber:
        stubber.add_response(
            "synthesize_speech",
            {"AudioStream": StreamingBody(io.BytesIO(pcm), len(pcm)), "ContentType": "audio/pcm"},
        )
        wav = voices.polly_renderer(client, voice_id="Joanna", engine="standard")(
            "<speak>x</speak>"
        )
    samples, rate = sf.read(io.BytesIO(wav))
    assert rate == 16000 and len(samples) == len(pcm) // 2
