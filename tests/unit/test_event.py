"""The event boundary: the text limits Polly sets are checked here, once, and name the field."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from emotion_dynamics.errors import InvalidEventError, TextTooLongError
from emotion_dynamics.event import parse_event
from emotion_dynamics.ssml import MAX_BILLED_CHARS, build_ssml
from tests.support import make_config

CONFIG = make_config()


def _wav() -> str:
    buffer = io.BytesIO()
    t = np.arange(8000) / 16000
    sf.write(buffer, 0.3 * np.sin(2 * np.pi * 220 * t), 16000, format="WAV", subtype="PCM_16")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


WAV = _wav()


def event(**fields: Any) -> dict[str, Any]:
    return {"audio_base64": WAV, "text": "Hello.", **fields}


def test_text_at_the_billed_limit_is_accepted() -> None:
    request = parse_event(event(text="a" * MAX_BILLED_CHARS), CONFIG)
    assert len(build_ssml(request.text, volume="loud", rate="fast")) <= 6000


def test_text_over_the_billed_limit_is_rejected_without_quoting_it() -> None:
    with pytest.raises(TextTooLongError) as caught:
        parse_event(event(text="secret " * 500), CONFIG)
    assert caught.value.field == "text"
    assert "3500 characters" in caught.value.message
    assert "3000 billed characters" in caught.value.message
    assert "secret" not in str(caught.value)


def test_escaping_that_overflows_the_total_limit_is_rejected() -> None:
    # 1,500 "&" are 1,500 billed characters but 7,500 characters once escaped
    with pytest.raises(TextTooLongError, match="6000") as caught:
        parse_event(event(text="&" * 1500), CONFIG)
    assert caught.value.field == "text"
    assert "&" not in caught.value.message


def test_dropped_characters_do_not_count() -> None:
    text = "a" * MAX_BILLED_CHARS + "\x00" * 10
    assert parse_event(event(text=text), CONFIG).text == text


def test_transcript_has_the_billed_limit_but_is_never_escaped_into_ssml() -> None:
    assert parse_event(event(source_transcript="&" * 1500), CONFIG).source_transcript
    with pytest.raises(TextTooLongError) as caught:
        parse_event(event(source_transcript="a" * (MAX_BILLED_CHARS + 1)), CONFIG)
    assert caught.value.field == "source_transcript"


@pytest.mark.parametrize("voice", ["Jo anna", "Joanna1", "x" * 33, "Zoë"])
def test_voice_is_checked_against_the_contract_pattern(voice: str) -> None:
    with pytest.raises(InvalidEventError) as caught:
        parse_event(event(voice_id=voice), CONFIG)
    assert caught.value.field == "voice_id"


# --- audio_base64 as base64 writers produce it ------------------------------------------


def _raw_wav() -> bytes:
    return base64.b64decode(WAV)


@pytest.mark.parametrize(
    "encode",
    [
        lambda data: base64.encodebytes(data).decode("ascii"),  # 76 columns, "\n" (GNU base64)
        lambda data: base64.encodebytes(data).decode("ascii").replace("\n", "\r\n"),  # Windows
        lambda data: " ".join(base64.b64encode(data).decode("ascii")[i : i + 64]
                              for i in range(0, len(base64.b64encode(data)), 64)),
        lambda data: "\t" + base64.b64encode(data).decode("ascii") + "\n",
    ],
)  # fmt: skip
def test_base64_with_line_breaks_or_spaces_is_accepted(encode: Any) -> None:
    request = parse_event(event(audio_base64=encode(_raw_wav())), CONFIG)
    assert request.audio.source_format == "WAV" and request.audio.duration_s == 0.5


@pytest.mark.parametrize(
    "junk",
    [WAV + "!", WAV.replace("A", "-", 1), "data:audio/wav;base64," + WAV, WAV + "\u00a0", WAV[:-1]],
)
def test_base64_with_anything_but_whitespace_is_refused(junk: str) -> None:
    with pytest.raises(InvalidEventError, match="is not valid base64") as caught:
        parse_event(event(audio_base64=junk), CONFIG)
    assert caught.value.field == "audio_base64"


# --- LONG_AUDIO, from the config to the request -------------------------------------------


def _seconds_of_wav(seconds: float) -> str:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(int(seconds * 16000)), 16000, format="WAV", subtype="PCM_16")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@pytest.mark.parametrize("kept", ["last", "first"])
def test_long_audio_setting_trims_a_longer_segment(kept: str) -> None:
    config = make_config(long_audio=kept)
    audio = parse_event(event(audio_base64=_seconds_of_wav(5.0)), config).audio
    assert (audio.duration_s, audio.trimmed_from_s, audio.kept) == (3.0, 5.0, kept)


def test_long_audio_reject_is_the_default() -> None:
    with pytest.raises(InvalidEventError, match="LONG_AUDIO=last or first") as caught:
        parse_event(event(audio_base64=_seconds_of_wav(3.5)), CONFIG)
    assert caught.value.code == "AUDIO_TOO_LONG"
    assert parse_event(event(audio_base64=_seconds_of_wav(3.2)), CONFIG).audio.duration_s == 3.2
