"""Audio decoding and validation at the boundary."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from emotion_dynamics.audio import decode_audio_bytes, from_sample_list, resample
from emotion_dynamics.errors import AudioDecodeError, AudioTooLongError, InvalidEventError


def tone(seconds: float, rate: int, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def file_bytes(samples: np.ndarray, rate: int, fmt: str, subtype: str | None = None) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("fmt", "subtype"), [("WAV", "PCM_16"), ("WAV", "FLOAT"), ("FLAC", None), ("OGG", "VORBIS")]
)
def test_containers_decode_to_mono_at_their_rate(fmt: str, subtype: str | None) -> None:
    data = file_bytes(tone(1.0, 22050), 22050, fmt, subtype)
    audio = decode_audio_bytes(data, sample_rate=None, channels=1, max_duration_s=3)
    assert audio.sample_rate == 22050 and audio.source_format == fmt
    assert abs(audio.duration_s - 1.0) < 0.01
    rms = float(np.sqrt(np.mean(audio.samples**2)))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.05)


def test_multichannel_is_mixed_down() -> None:
    left, right = tone(0.5, 16000, amp=0.4), np.zeros(8000, np.float32)
    data = file_bytes(
        np.stack([left, right, right, right, left, right], axis=1), 16000, "WAV", "FLOAT"
    )
    audio = decode_audio_bytes(data, sample_rate=None, channels=1, max_duration_s=3)
    assert audio.channels == 6
    np.testing.assert_allclose(audio.samples, left * 2 / 6, atol=1e-6)


def test_raw_pcm16_needs_sample_rate_and_is_scaled() -> None:
    ints = np.array([0, 16384, -32768, 32767] * 100, dtype="<i2")
    audio = decode_audio_bytes(ints.tobytes(), sample_rate=8000, channels=1, max_duration_s=3)
    np.testing.assert_allclose(audio.samples[:4], [0.0, 0.5, -1.0, 32767 / 32768])
    with pytest.raises(AudioDecodeError, match="for raw little-endian PCM16 also give sample_rate"):
        decode_audio_bytes(ints.tobytes(), sample_rate=None, channels=1, max_duration_s=3)


def test_declared_rate_must_match_the_header() -> None:
    data = file_bytes(tone(0.5, 16000), 16000, "WAV", "PCM_16")
    with pytest.raises(InvalidEventError, match="header says 16000 Hz") as info:
        decode_audio_bytes(data, sample_rate=8000, channels=1, max_duration_s=3)
    assert info.value.field == "sample_rate"


@pytest.mark.parametrize("rate", [4000, 96000, 192000])
def test_header_rate_outside_range_is_rejected(rate: int) -> None:
    data = file_bytes(tone(0.2, rate, freq=100), rate, "WAV", "PCM_16")
    with pytest.raises(InvalidEventError, match="between 8000 and 48000"):
        decode_audio_bytes(data, sample_rate=None, channels=1, max_duration_s=3)


def test_too_long_is_rejected_before_reading_everything() -> None:
    data = file_bytes(tone(3.5, 8000), 8000, "WAV", "PCM_16")
    with pytest.raises(
        AudioTooLongError, match=r"3\.500 s long; MAX_AUDIO_DURATION_SECONDS allows 3 s"
    ):
        decode_audio_bytes(data, sample_rate=None, channels=1, max_duration_s=3)


@pytest.mark.parametrize(
    "data", [b"RIFF" + b"\x00" * 40, b"fLaC\x00\x00", b"OggS" + bytes(range(200))]
)
def test_corrupt_containers_are_decode_errors(data: bytes) -> None:
    with pytest.raises(AudioDecodeError, match=r"could not be decoded|no samples"):
        decode_audio_bytes(data, sample_rate=None, channels=1, max_duration_s=3)


def test_non_finite_samples_are_rejected() -> None:
    samples = tone(0.5, 16000)
    samples[10] = np.inf
    with pytest.raises(AudioDecodeError, match="NaN or infinite"):
        decode_audio_bytes(
            file_bytes(samples, 16000, "WAV", "FLOAT"),
            sample_rate=None,
            channels=1,
            max_duration_s=3,
        )


def test_sample_list_forms() -> None:
    mono = from_sample_list([0.0, 0.5, -0.5], sample_rate=8000, max_duration_s=3)
    np.testing.assert_allclose(mono.samples, [0.0, 0.5, -0.5])
    frames = from_sample_list([[0.5, -0.5], [1.0, 0.0]], sample_rate=8000, max_duration_s=3)
    np.testing.assert_allclose(frames.samples, [0.0, 0.5])
    assert frames.channels == 2
    with pytest.raises(InvalidEventError, match="same length"):
        from_sample_list([[0.5, -0.5], [1.0]], sample_rate=8000, max_duration_s=3)
    with pytest.raises(InvalidEventError, match="list of numbers"):
        from_sample_list([0.1, True], sample_rate=8000, max_duration_s=3)
    with pytest.raises(InvalidEventError, match="too large"):
        from_sample_list([0.1, 10**400], sample_rate=8000, max_duration_s=3)


@pytest.mark.parametrize(
    ("src", "dst"), [(8000, 16000), (48000, 16000), (22050, 16000), (16000, 16000)]
)
def test_resample_keeps_level_and_length(src: int, dst: int) -> None:
    x = tone(1.0, src, freq=300.0)
    y = resample(x, src, dst)
    assert len(y) == dst
    assert float(np.sqrt(np.mean(y**2))) == pytest.approx(float(np.sqrt(np.mean(x**2))), rel=0.01)
