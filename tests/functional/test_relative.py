"""The new event fields and the relative mode through the real App (in-memory synthesizer)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from emotion_dynamics.app import App
from emotion_dynamics.config import load_config
from emotion_dynamics.observability import Telemetry
from tests.support import FakeContext, FakeSynthesizer, load_event


def make_app(env: dict[str, str] | None = None) -> tuple[App, FakeSynthesizer]:
    synth = FakeSynthesizer()
    config = load_config({"ENABLE_METRICS": "false", **(env or {})})
    return App(config, synth, Telemetry(config, stream=io.StringIO())), synth


def event(**fields: Any) -> dict[str, Any]:
    return {**load_event("valid_flac_48k_transcript"), **fields}


def test_classes_is_the_default_and_reports_the_new_fields() -> None:
    app, _ = make_app()
    response = app.handle(event(), FakeContext())
    rate = response["rate"]
    assert response["prosody_mode"] == "classes"
    assert rate["applied"] == "x-fast" and rate["syllables_per_s"] > 0 and rate["relative"] > 0
    assert rate["language"] == {
        "code": "en", "given": False, "norm_syllables_per_s": 4.12, "norm_known": True,
    }  # fmt: skip
    assert response["duration"]["predicted_s"] > 0


def test_source_language_changes_the_norm_and_the_class() -> None:
    app, _ = make_app()
    english = app.handle(event(), FakeContext())["rate"]
    german = app.handle(event(source_language="de-DE"), FakeContext())["rate"]
    assert german["language"]["code"] == "de" and german["language"]["given"]
    assert german["relative"] == pytest.approx(
        english["relative"] * 4.12 / german["language"]["norm_syllables_per_s"], rel=0.01
    )
    assert german["class"] in ("medium", "fast", "x-fast", "slow", "x-slow")


@pytest.mark.parametrize("language", ["english", "e", "pt_BR", "", "de-"])
def test_bad_source_language_is_a_400(language: str) -> None:
    app, _ = make_app()
    response = app.handle(event(source_language=language), FakeContext())
    assert response["statusCode"] == 400
    assert response["error"]["field"] == "source_language"


def test_word_timings_through_the_handler() -> None:
    app, _ = make_app()
    words = [
        {"word": " Der", "start": 0.10, "end": 0.30},
        {"word": " Zug", "start": 0.35, "end": 0.70},
        {"word": " fährt", "start": 0.80, "end": 1.20},
    ]
    response = app.handle(event(source_words=words), FakeContext())
    assert response["statusCode"] == 200, response
    assert response["rate"]["method"] == "word_timings"
    assert response["rate"]["wpm"] == pytest.approx(3 / 1.1 * 60, abs=0.1)
    bad = app.handle(event(source_words=[{"word": "x", "start": 5.0, "end": 9.0}]), FakeContext())
    assert bad["statusCode"] == 400 and bad["error"]["field"] == "source_words"
    assert bad["error"]["code"] == "INVALID_EVENT"


def test_relative_mode_emits_a_percentage_and_an_offset() -> None:
    app, synth = make_app(
        {"PROSODY_MODE": "relative", "VOLUME_REFERENCE_DBFS": "-30", "RATE_DEAD_BAND_PERCENT": "0"}
    )
    response = app.handle(event(), FakeContext())
    prosody = ET.fromstring(response["ssml"]).find("prosody")
    assert prosody is not None
    assert prosody.get("rate", "").endswith("%") and prosody.get("volume", "").endswith("dB")
    assert response["rate"]["applied"] == prosody.get("rate")
    assert response["volume"]["applied"] == prosody.get("volume")
    level = response["volume"]["level_dbfs"]
    assert float(prosody.get("volume", "0dB")[:-2]) == pytest.approx(min(level + 30, 10.0), abs=0.1)
    percent = round(response["rate"]["relative"] * 100)
    assert prosody.get("rate") == f"{min(max(percent, 20), 200)}%"
    assert synth.requests[0].ssml == response["ssml"]


@pytest.mark.parametrize(
    ("options", "field"),
    [({"max_duration_s": "2"}, "options.max_duration_s"), ({"max_duration_s": 0}, "options.max_duration_s"),
     ({"fit_to_source": "yes"}, "options.fit_to_source")],
)  # fmt: skip
def test_bad_duration_options_are_a_400(options: dict[str, Any], field: str) -> None:
    app, _ = make_app()
    response = app.handle(event(options=options), FakeContext())
    assert response["statusCode"] == 400 and response["error"]["field"] == field


def test_max_duration_on_standard_uses_polly_max_duration() -> None:
    app, _ = make_app({"PROSODY_MODE": "relative"})
    response = app.handle(event(engine="standard", options={"max_duration_s": 0.5}), FakeContext())
    assert 'amazon:max-duration="500ms"' in response["ssml"]
    assert response["duration"]["limit_s"] == 0.5
    assert response["duration"]["predicted_s"] <= 0.5 or response["rate"]["applied"] == "200%"
    neural = app.handle(event(options={"max_duration_s": 0.5}), FakeContext())
    assert "max-duration" not in neural["ssml"]


def test_word_timings_are_checked_against_the_whole_segment_when_part_is_analysed() -> None:
    app, _ = make_app({"LONG_AUDIO": "last"})
    long_event = load_event("invalid_too_long")  # 4 s, over the 3 s limit: its last 3 s analysed
    # ten words over 0.2..3.9 s: the last ones lie past the 3 s the analysis keeps
    words = [
        {"word": f" word{i}", "start": 0.2 + 0.37 * i, "end": 0.5 + 0.37 * i} for i in range(10)
    ]
    response = app.handle({**long_event, "source_words": words}, FakeContext())
    assert response["statusCode"] == 200, response.get("error")
    assert response["rate"]["method"] == "word_timings"
    assert response["audio"]["trimmed_from_s"] == 4.0


def test_relative_mode_gates_the_acoustic_rate_on_its_relative_confidence() -> None:
    # Without a transcript the class probability is low (about 0.36-0.55: the classes are
    # narrow) but the relative rate is within 15 % of the speaker's about 90 % of the time.
    fields = {k: v for k, v in event().items() if k != "source_transcript"}
    for mode, passes in (("classes", False), ("relative", True)):
        app, _ = make_app({"PROSODY_MODE": mode, "RATE_DEAD_BAND_PERCENT": "0"})
        response = app.handle(fields, FakeContext())
        rate = response["rate"]
        assert rate["method"] == "acoustic"
        assert rate["confidence"] < 0.85 <= rate["relative_confidence"], rate
        reasons = " ".join(response["fallback"]["reasons"])
        assert ("rate:" not in reasons) is passes, reasons
        if mode == "classes":
            assert rate["applied"] is None and "rate: confidence" in reasons
        else:
            assert rate["applied"] is not None and rate["applied"].endswith("%")


def test_a_short_segment_fails_the_relative_gate_and_says_which_confidence() -> None:
    # 1.075 s of speech, under the 1.345 s the fit saw: the probability is scaled down.
    app, _ = make_app({"PROSODY_MODE": "relative", "RATE_DEAD_BAND_PERCENT": "0"})
    response = app.handle(load_event("valid_pcm16_stereo_22k"), FakeContext())
    rate = response["rate"]
    assert rate["relative_confidence"] == pytest.approx(0.9006 * rate["speech_s"] / 1.345, abs=0.01)
    assert (
        "rate: relative confidence 0.72 below MIN_STABILITY_THRESHOLD 0.85; neutral rate"
        in (response["fallback"]["reasons"])
    )
    assert rate["applied"] is None  # an unmeasured voice at the typical pace: its own default
