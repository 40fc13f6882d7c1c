"""The handler in-process on every sample event, with an in-memory synthesizer.

GIVEN an event file from tests/events, WHEN the app handles it, THEN the response matches
tests/events/expected.json, and every valid response carries well-formed SSML.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from emotion_dynamics.app import App
from emotion_dynamics.config import load_config
from emotion_dynamics.errors import SynthesisUnavailableError
from emotion_dynamics.observability import QUIET_LIBRARY_LOGGERS, Telemetry
from tests.support import EXPECTED, FakeContext, FakeSynthesizer, event_names, load_event

ALLOWED_TAGS = {"speak", "prosody"}


def make_app(synth: FakeSynthesizer, env: dict[str, str] | None = None) -> tuple[App, io.StringIO]:
    stream = io.StringIO()
    config = load_config({"ENABLE_METRICS": "false", **(env or {})})
    return App(config, synth, Telemetry(config, stream=stream)), stream


def test_every_event_file_has_an_expectation() -> None:
    assert set(event_names()) == set(EXPECTED)
    assert any(n.startswith("valid_") for n in EXPECTED) and any(
        n.startswith("invalid_") for n in EXPECTED
    )


@pytest.mark.parametrize("name", event_names("invalid_"))
def test_invalid_event_gets_structured_error(name: str, fake_synthesizer: FakeSynthesizer) -> None:
    app, _ = make_app(fake_synthesizer)
    response = app.handle(load_event(name), FakeContext())
    expected = EXPECTED[name]
    assert response["statusCode"] == expected["status"], response
    assert response["error"]["code"] == expected["code"]
    assert response["error"]["field"] == expected["field"]
    assert response["error"]["message"].startswith(expected["field"])
    assert fake_synthesizer.requests == []  # nothing reached Polly


@pytest.mark.parametrize("name", event_names("valid_"))
def test_valid_event_gets_analysis_and_ssml(name: str, fake_synthesizer: FakeSynthesizer) -> None:
    app, _ = make_app(fake_synthesizer)
    event = load_event(name)
    response = app.handle(event, FakeContext())
    expected = EXPECTED[name]
    assert response["statusCode"] == 200, response
    root = ET.fromstring(response["ssml"])
    assert root.tag == "speak"
    assert {el.tag for el in root.iter()} <= ALLOWED_TAGS
    assert "".join(root.itertext()) == event["text"]
    for key in ("level_dbfs", "class", "confidence"):
        assert key in response["volume"]
    for key in ("wpm", "syllables_per_s", "class", "method", "confidence"):
        assert key in response["rate"]
    assert response["rate"]["method"] == expected.get("rate_method", "acoustic")
    if response["rate"]["method"] == "acoustic" and response["rate"]["wpm"] is not None:
        assert response["rate"]["syllables_per_s"] > 0
    assert response["fallback"]["used"] is expected["fallback"]
    applied = {"volume": response["volume"]["applied"], "rate": response["rate"]["applied"]}
    assert applied == expected["applied"]
    assert response["text_type"] == expected.get("text_type", "ssml")
    if expected.get("audio", True):
        assert base64.b64decode(response["audio_base64"]) == fake_synthesizer.audio
        assert response["content_type"] == "audio/mpeg"
        assert len(fake_synthesizer.requests) == 1
        sent = fake_synthesizer.requests[0]
        assert (sent.ssml is None) == (response["text_type"] == "text")
    else:
        assert "audio_base64" not in response
        assert fake_synthesizer.requests == []
    assert {"volume_detection", "rate_detection", "ssml_generation", "total"} <= set(
        response["timings_ms"]
    )
    json.dumps(response)  # the response is JSON-serialisable


def test_silence_is_neutral_not_an_error(fake_synthesizer: FakeSynthesizer) -> None:
    app, _ = make_app(fake_synthesizer)
    response = app.handle(load_event("valid_silence"), FakeContext())
    assert response["statusCode"] == 200
    assert response["volume"]["level_dbfs"] is None
    assert response["volume"]["applied"] is None and response["rate"]["applied"] is None
    assert "<prosody" not in response["ssml"]
    assert any("no speech" in r for r in response["fallback"]["reasons"])


def test_markup_in_text_stays_text(fake_synthesizer: FakeSynthesizer) -> None:
    app, _ = make_app(fake_synthesizer)
    response = app.handle(load_event("valid_markup_in_text"), FakeContext())
    root = ET.fromstring(response["ssml"])
    assert [el.tag for el in root.iter() if el.tag == "audio"] == []
    assert "&lt;/prosody&gt;" in response["ssml"]


def test_disabled_detectors_leave_dimensions_out(fake_synthesizer: FakeSynthesizer) -> None:
    app, _ = make_app(fake_synthesizer, {"ENABLE_VOLUME_DETECTION": "false"})
    event: dict[str, Any] = load_event("valid_wav_base64")
    event["options"] = {"enable_rate_detection": False}
    response = app.handle(event, FakeContext())
    assert response["volume"] is None and response["rate"] is None
    assert "<prosody" not in response["ssml"]


def test_low_confidence_dimension_stays_neutral(fake_synthesizer: FakeSynthesizer) -> None:
    app, _ = make_app(fake_synthesizer, {"MIN_STABILITY_THRESHOLD": "1.0"})
    response = app.handle(load_event("valid_wav_base64"), FakeContext())
    reasons = " ".join(response["fallback"]["reasons"])
    if response["volume"]["confidence"] < 1.0:
        assert response["volume"]["applied"] is None and "MIN_STABILITY_THRESHOLD" in reasons
    if response["rate"]["confidence"] < 1.0:
        assert response["rate"]["applied"] is None
    assert response["fallback"]["used"]


def test_synthesis_failure_keeps_the_ssml_and_analysis(fake_synthesizer: FakeSynthesizer) -> None:
    fake_synthesizer.fail_with = SynthesisUnavailableError(
        "Polly: ThrottlingException after 4 attempts"
    )
    app, _ = make_app(fake_synthesizer)
    response = app.handle(load_event("valid_wav_base64"), FakeContext())
    assert response["statusCode"] == 503
    assert response["error"]["code"] == "SYNTHESIS_UNAVAILABLE"
    assert ET.fromstring(response["ssml"]).tag == "speak"
    assert response["volume"] is not None and "audio_base64" not in response


def test_audio_too_large_for_lambda_still_returns_the_analysis() -> None:
    # GIVEN a synthesizer whose audio would not fit Lambda's 6 MB response (base64 grows it)
    synth = FakeSynthesizer(audio=b"\x00" * (5 * 1024 * 1024), content_type="audio/pcm")
    app, _ = make_app(synth)
    response = app.handle(load_event("valid_wav_base64"), FakeContext())
    # THEN the answer is a 413 that still carries the analysis and the SSML, without audio
    assert response["statusCode"] == 413
    assert response["error"]["code"] == "RESPONSE_TOO_LARGE"
    assert "analysis and the SSML are in this response" in response["error"]["message"]
    assert ET.fromstring(response["ssml"]).tag == "speak"
    assert response["volume"]["level_dbfs"] is not None and response["rate"]["method"]
    assert "audio_base64" not in response
    assert response["synthesis"]["attempts"] == 1


def test_unexpected_exception_is_a_500_not_a_crash(fake_synthesizer: FakeSynthesizer) -> None:
    fake_synthesizer.fail_with = RuntimeError("The train leaves at eight o'clock.")
    app, stream = make_app(fake_synthesizer)
    response = app.handle(load_event("valid_wav_base64"), FakeContext())
    assert response["statusCode"] == 500 and response["error"]["code"] == "INTERNAL_ERROR"
    assert "eight o'clock" not in stream.getvalue()  # the exception message may quote user data


def test_logs_never_contain_text_transcript_or_audio(fake_synthesizer: FakeSynthesizer) -> None:
    app, stream = make_app(fake_synthesizer, {"LOG_LEVEL": "DEBUG"})
    for name in event_names():
        event = load_event(name)
        app.handle(event, FakeContext())
        log = stream.getvalue()
        if isinstance(event, dict):
            for key in ("text", "source_transcript"):
                value = event.get(key)
                if isinstance(value, str) and value.strip():
                    assert value not in log, f"{key} of {name} leaked into the logs"
            audio = event.get("audio_base64")
            if isinstance(audio, str) and len(audio) > 16:
                assert audio[:16] not in log
    assert "request processed" in stream.getvalue() and "request rejected" in stream.getvalue()


def test_metrics_are_emitted_in_emf(
    fake_synthesizer: FakeSynthesizer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = load_config({"ENABLE_METRICS": "true"})
    app = App(config, fake_synthesizer, Telemetry(config, stream=io.StringIO()))
    app.handle(load_event("valid_wav_base64"), FakeContext())
    app.handle(load_event("invalid_missing_text"), FakeContext())
    documents = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    names = {m["Name"] for d in documents for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert {d["_aws"]["CloudWatchMetrics"][0]["Namespace"] for d in documents} == {
        "EmotionDynamics"
    }
    assert {
        "VolumeDetectionLatency",
        "RateDetectionLatency",
        "SSMLGenerationLatency",
        "PollySynthesisLatency",
        "EndToEndLatency",
        "ErrorCount",
    } <= names


def test_metrics_disabled_prints_nothing(
    fake_synthesizer: FakeSynthesizer, capsys: pytest.CaptureFixture[str]
) -> None:
    app, _ = make_app(fake_synthesizer)
    app.handle(load_event("valid_wav_base64"), FakeContext())
    assert '"_aws"' not in capsys.readouterr().out


def test_library_loggers_cannot_log_request_bodies(fake_synthesizer: FakeSynthesizer) -> None:
    # GIVEN a root logger at DEBUG (botocore logs request bodies, i.e. the text, at DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        make_app(fake_synthesizer, {"LOG_LEVEL": "DEBUG"})
        for name in QUIET_LIBRARY_LOGGERS:
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
    finally:
        root.setLevel(previous)


def test_response_describes_the_decoded_audio(fake_synthesizer: FakeSynthesizer) -> None:
    # GIVEN an MP3 of speech-like sound at full scale (the decoder overshoots a little)
    app, _ = make_app(fake_synthesizer)
    response = app.handle(load_event("valid_mp3_full_scale"), FakeContext())
    # THEN it is analysed, and the response says what was decoded and that samples were clipped
    assert response["statusCode"] == 200
    audio = response["audio"]
    assert (audio["format"], audio["codec"], audio["sample_rate"]) == (
        "MP3",
        "MPEG_LAYER_III",
        22050,
    )
    assert audio["clipped_samples"] > 0
    assert audio["trimmed_from_s"] is None and audio["kept"] is None


def test_implausible_transcript_rate_is_a_fallback_with_its_reason(
    fake_synthesizer: FakeSynthesizer,
) -> None:
    app, _ = make_app(fake_synthesizer)
    response = app.handle(load_event("valid_implausible_transcript"), FakeContext())
    assert response["rate"]["method"] == "acoustic"
    assert response["fallback"]["used"]
    (reason,) = [r for r in response["fallback"]["reasons"] if "outside human speech" in r]
    assert reason.startswith("rate: source_transcript implies 19048 WPM")
    assert "(1..10 syllables/s, about 40..400 WPM); acoustic estimate used" in reason


@pytest.mark.parametrize("kept", ["last", "first"])
def test_long_audio_setting_analyses_part_and_says_so(
    kept: str, fake_synthesizer: FakeSynthesizer
) -> None:
    # GIVEN LONG_AUDIO=last (or first) and a 4 s segment, over MAX_AUDIO_DURATION_SECONDS=3
    app, _ = make_app(fake_synthesizer, {"LONG_AUDIO": kept})
    response = app.handle(load_event("invalid_too_long"), FakeContext())
    # THEN 3 s of it are analysed and the response says which, and how long the segment was
    assert response["statusCode"] == 200, response.get("error")
    audio = response["audio"]
    assert (audio["duration_s"], audio["trimmed_from_s"], audio["kept"]) == (3.0, 4.0, kept)
