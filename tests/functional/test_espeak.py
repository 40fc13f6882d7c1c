"""Functional tests of the espeak-ng backend: real renders, measured rate and level."""

from __future__ import annotations

import io
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import soundfile as sf

from emotion_dynamics.errors import SynthesisError, SynthesisUnavailableError
from emotion_dynamics.ssml import build_ssml
from emotion_dynamics.synthesis import SynthesisRequest, Synthesizer
from emotion_dynamics_dev.espeak import (
    ESPEAK_PROFILES,
    EspeakNotInstalledError,
    EspeakSynthesizer,
    adapt_ssml_for_espeak,
)

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng not installed (apt-get install espeak-ng)"
)

TEXT = "The quick brown fox jumps over the lazy dog. It was a bright and sunny morning."


def request(
    text: str = TEXT, *, volume: str | None = None, rate: str | None = None
) -> SynthesisRequest:
    ssml = None if volume is None and rate is None else build_ssml(text, volume=volume, rate=rate)
    return SynthesisRequest(
        text=text,
        ssml=ssml,
        voice_id="Joanna",
        engine="neural",
        output_format="mp3",
        sample_rate=24000,
    )


def decode(wav: bytes) -> tuple[np.ndarray, int]:
    samples, sample_rate = sf.read(io.BytesIO(wav), dtype="float64")
    assert samples.ndim == 1
    return samples, sample_rate


def active_level_dbfs(samples: np.ndarray, sample_rate: int) -> float:
    """RMS over 20 ms frames within 40 dB of the loudest frame (a simple speech gate)."""
    frame = int(0.02 * sample_rate)
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    power = np.mean(frames**2, axis=1)
    active = power[power >= power.max() * 1e-4]
    return float(10 * np.log10(np.mean(active)))


# --- SSML adaptation (no espeak needed) -------------------------------------------------


def test_prosody_content_is_wrapped_in_a_sentence() -> None:
    ssml = build_ssml("Hello & bye.", volume="loud", rate="x-fast")
    adapted, gain_db = adapt_ssml_for_espeak(ssml)
    assert (
        adapted
        == '<speak><prosody volume="loud" rate="x-fast"><s>Hello &amp; bye.</s></prosody></speak>'
    )
    assert gain_db == 0.0


def test_existing_sentence_is_left_alone() -> None:
    ssml = "<speak><prosody rate='slow'><s>One.</s></prosody></speak>"
    assert adapt_ssml_for_espeak(ssml) == (
        '<speak><prosody rate="slow"><s>One.</s></prosody></speak>',
        0.0,
    )


@pytest.mark.parametrize("offset", [6.0, 3.5, -5.0, -12.5])
def test_db_offsets_become_a_gain(offset: float) -> None:
    adapted, gain_db = adapt_ssml_for_espeak(
        build_ssml("Hi.", volume=f"{offset:+.1f}dB", rate="70%")
    )
    prosody = ET.fromstring(adapted).find("prosody")
    assert prosody is not None
    assert "volume" not in prosody.attrib and prosody.get("rate") == "70%"
    assert gain_db == offset


def test_max_duration_is_dropped_for_espeak() -> None:
    ssml = build_ssml("Hi.", volume=None, rate="120%", max_duration_ms=1500)
    assert 'amazon:max-duration="1500ms"' in ssml
    adapted, _ = adapt_ssml_for_espeak(ssml)
    assert "max-duration" not in adapted


def test_malformed_ssml_is_a_synthesis_error() -> None:
    with pytest.raises(SynthesisError, match="not well-formed"):
        adapt_ssml_for_espeak("<speak><prosody>oops</speak>")


def test_espeak_synthesizer_is_a_synthesizer() -> None:
    assert isinstance(EspeakSynthesizer(), Synthesizer)


def test_voice_map() -> None:
    espeak = EspeakSynthesizer(voice_map={"Hans": "de"})
    assert espeak.espeak_voice("Hans") == "de"
    assert espeak.espeak_voice("Joanna") == "en-us"


# --- missing binary -------------------------------------------------------------------


@pytest.mark.parametrize("executable", ["/nonexistent/espeak-ng", "no-such-espeak-binary"])
def test_missing_binary_gives_a_clear_error(executable: str) -> None:
    with pytest.raises(EspeakNotInstalledError, match="apt-get install espeak-ng") as caught:
        EspeakSynthesizer(executable=executable).synthesize(request(volume="loud"))
    assert isinstance(caught.value, SynthesisError)
    assert executable in caught.value.message


# --- real renders ---------------------------------------------------------------------


@needs_espeak
def test_plain_text_renders_a_wav() -> None:
    result = EspeakSynthesizer().synthesize(request())
    samples, sample_rate = decode(result.audio)
    assert result.content_type == "audio/wav"
    assert result.audio[:4] == b"RIFF"
    assert sample_rate == 22050
    assert 2.0 < len(samples) / sample_rate < 10.0


@needs_espeak
def test_rate_x_fast_is_shorter_than_x_slow() -> None:
    espeak = EspeakSynthesizer()
    durations = {}
    for rate in ("x-slow", "medium", "x-fast"):
        samples, sample_rate = decode(espeak.synthesize(request(rate=rate)).audio)
        durations[rate] = len(samples) / sample_rate
    factor = durations["x-slow"] / durations["x-fast"]
    print(
        f"espeak-ng durations: x-slow {durations['x-slow']:.2f} s, medium "
        f"{durations['medium']:.2f} s, x-fast {durations['x-fast']:.2f} s; "
        f"x-slow/x-fast = {factor:.2f}"
    )
    assert durations["x-fast"] < durations["medium"] < durations["x-slow"]
    assert factor > 2.0  # measured about 2.9 (FACTS: 1.62 / 0.59 = 2.7 for speech alone)


@needs_espeak
def test_volume_loud_is_louder_than_x_soft() -> None:
    espeak = EspeakSynthesizer()
    levels = {}
    for volume in ("x-soft", "medium", "loud"):
        samples, sample_rate = decode(espeak.synthesize(request(volume=volume)).audio)
        levels[volume] = active_level_dbfs(samples, sample_rate)
    difference = levels["loud"] - levels["x-soft"]
    print(
        "espeak-ng active levels: "
        + ", ".join(f"{name} {level:.1f} dBFS" for name, level in levels.items())
        + f"; loud - x-soft = {difference:.1f} dB"
    )
    assert levels["x-soft"] < levels["medium"] < levels["loud"]
    assert difference > 10.0  # measured about 14 dB (FACTS: +3.5 - -10.8 = 14.3 dB)


@needs_espeak
def test_db_offset_volume_is_rendered_exactly() -> None:
    espeak = EspeakSynthesizer()
    plain = active_level_dbfs(*decode(espeak.synthesize(request(volume=None)).audio))
    quiet = active_level_dbfs(*decode(espeak.synthesize(request(volume="-12.0dB")).audio))
    loud = espeak.synthesize(request(volume="+6.0dB"))
    samples, _ = sf.read(io.BytesIO(loud.audio), dtype="float32")
    print(
        f"espeak-ng {plain:.2f} dBFS, -12dB -> {quiet:.2f}, +6dB -> {active_level_dbfs(*decode(loud.audio)):.2f}"
    )
    assert quiet - plain == pytest.approx(-12.0, abs=0.05)
    assert active_level_dbfs(*decode(loud.audio)) - plain == pytest.approx(6.0, abs=0.05)
    assert float(np.max(np.abs(samples))) > 1.0  # float WAV: a positive gain is not clipped
    assert loud.speech_s is not None and loud.speech_s > 0.3


@needs_espeak
def test_the_profile_of_the_voice_that_speaks() -> None:
    espeak = EspeakSynthesizer(voice_map={"Hans": "de"})
    assert espeak.voice_profile("Joanna", "neural") == ESPEAK_PROFILES["en-us"]
    assert espeak.voice_profile("Hans", "neural") is None  # not measured


@needs_espeak
@pytest.mark.parametrize(
    "text",
    [
        '</prosody><audio src="x"/> still speaking.',
        "<speak>nested</speak> ]]> & done",
        "control\x00chars\x1f and \ud800 surrogate",
    ],
)
def test_injection_and_odd_text_do_not_break_it(text: str) -> None:
    espeak = EspeakSynthesizer()
    for req in (request(text, volume="loud", rate="fast"), request(text)):
        samples, sample_rate = decode(espeak.synthesize(req).audio)
        assert len(samples) / sample_rate > 0.3


@needs_espeak
def test_text_is_not_on_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    real_run = subprocess.run

    def spy(command: list[str], **kwargs: object) -> object:
        seen.append(list(command))
        return real_run(command, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", spy)
    EspeakSynthesizer().synthesize(request("Confidential words.", rate="fast"))
    assert seen
    assert not any("Confidential" in part for part in seen[0])
    assert "--stdin" in seen[0]


@needs_espeak
def test_no_time_left_is_unavailable() -> None:
    with pytest.raises(SynthesisUnavailableError, match="no time left"):
        EspeakSynthesizer().synthesize(request(), remaining_ms=lambda: 50)


@needs_espeak
def test_timeout_is_unavailable() -> None:
    with pytest.raises(SynthesisUnavailableError, match="did not finish"):
        EspeakSynthesizer(timeout_s=0.001).synthesize(request(TEXT * 20))
