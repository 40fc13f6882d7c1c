"""Audio at the boundary: decode the event's audio into mono float samples, and resample.

Accepted forms (see the README's event contract):

* the bytes of a WAV, FLAC or OGG file (recognised by their magic bytes), any channel count;
* raw little-endian PCM16 (interleaved when ``channels`` > 1), which needs ``sample_rate``;
* a list of floats in [-1, 1] (or a list of per-frame channel lists) with ``sample_rate``.

Everything is validated here (sample rate 8..48 kHz, duration, finiteness, range) so the
detectors can trust their input. Errors name the field and describe the value's shape,
never its content.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from emotion_dynamics.contract import MAX_AUDIO_DURATION_SECONDS
from emotion_dynamics.errors import AudioDecodeError, AudioTooLongError, InvalidEventError

__all__ = [
    "MAX_SAMPLE_RATE",
    "MIN_SAMPLE_RATE",
    "DecodedAudio",
    "decode_audio_bytes",
    "from_sample_list",
    "resample",
]

MIN_SAMPLE_RATE: Final = 8000
MAX_SAMPLE_RATE: Final = 48000
MAX_CHANNELS: Final = 8
_CONTAINER_MAGIC: Final = ((b"RIFF", "WAV"), (b"RIFX", "WAV"), (b"fLaC", "FLAC"), (b"OggS", "OGG"))

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    """Mono samples in [-1, 1] at ``sample_rate`` Hz, with where they came from."""

    samples: Samples
    sample_rate: int
    source_format: str  # WAV, FLAC, OGG, PCM16 or FLOAT_LIST
    channels: int

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate


def check_sample_rate(value: int, field: str = "sample_rate") -> int:
    """Reject sample rates outside 8..48 kHz."""
    if not MIN_SAMPLE_RATE <= value <= MAX_SAMPLE_RATE:
        raise InvalidEventError(
            field, f"must be between {MIN_SAMPLE_RATE} and {MAX_SAMPLE_RATE} Hz, given {value}"
        )
    return value


def _check_duration(frames: int, sample_rate: int, max_duration_s: float, field: str) -> None:
    if frames == 0:
        raise AudioDecodeError(field, "contains no samples")
    duration_s = frames / sample_rate
    if duration_s > max_duration_s + 1e-9:
        raise AudioTooLongError(
            field,
            f"is {duration_s:.3f} s long; {MAX_AUDIO_DURATION_SECONDS.env} allows {max_duration_s:g} s",
        )


def _mono(frames: npt.NDArray[np.floating], field: str) -> Samples:
    """Mix (frames, channels) down to mono float32; every sample finite and in [-1, 1]."""
    if not np.all(np.isfinite(frames)):
        raise AudioDecodeError(field, "contains NaN or infinite samples")
    peak = float(np.max(np.abs(frames)))
    if peak > 1.0:  # float WAV/OGG/FLAC and audio_data can carry samples beyond full scale
        raise AudioDecodeError(
            field, f"has samples beyond full scale (peak {peak:.4g}); samples must lie in [-1, 1]"
        )
    mono = frames.mean(axis=1) if frames.ndim == 2 else frames
    return mono.astype(np.float32, copy=False)


def _container_format(data: bytes) -> str | None:
    for magic, name in _CONTAINER_MAGIC:
        if data.startswith(magic):
            return name
    return None


def decode_audio_bytes(
    data: bytes,
    *,
    sample_rate: int | None,
    channels: int,
    max_duration_s: float,
    field: str = "audio_base64",
) -> DecodedAudio:
    """Decode a WAV/FLAC/OGG file, or raw PCM16 when ``sample_rate`` is given.

    Raises
    ------
    AudioDecodeError
        Empty, undecodable, non-finite audio, or raw bytes without ``sample_rate``.
    AudioTooLongError
        Longer than ``max_duration_s``.

    """
    if not data:
        raise AudioDecodeError(field, "is empty")
    container = _container_format(data)
    if container is None:
        if sample_rate is None:
            raise AudioDecodeError(
                field,
                f"is not a WAV, FLAC or OGG file ({len(data)} bytes, unknown header); "
                "for raw little-endian PCM16 also give sample_rate",
            )
        return _decode_pcm16(
            data,
            sample_rate=sample_rate,
            channels=channels,
            max_duration_s=max_duration_s,
            field=field,
        )
    return _decode_container(
        data,
        container=container,
        declared_rate=sample_rate,
        max_duration_s=max_duration_s,
        field=field,
    )


def _decode_pcm16(
    data: bytes, *, sample_rate: int, channels: int, max_duration_s: float, field: str
) -> DecodedAudio:
    frame_bytes = 2 * channels
    if len(data) % frame_bytes:
        raise AudioDecodeError(
            field,
            f"raw PCM16 with {channels} channel(s) needs a multiple of {frame_bytes} bytes, "
            f"given {len(data)} bytes",
        )
    frames = len(data) // frame_bytes
    _check_duration(frames, sample_rate, max_duration_s, field)
    ints = np.frombuffer(data, dtype="<i2").reshape(frames, channels)
    samples = _mono(ints.astype(np.float32) / 32768.0, field)
    return DecodedAudio(samples, sample_rate, "PCM16", channels)


def _decode_container(
    data: bytes, *, container: str, declared_rate: int | None, max_duration_s: float, field: str
) -> DecodedAudio:
    import soundfile as sf  # deferred: only events with encoded audio need libsndfile

    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            rate, chans, frames_declared = int(f.samplerate), int(f.channels), int(f.frames)
            check_sample_rate(rate, field=f"{field} (sample rate in the {container} header)")
            if not 1 <= chans <= MAX_CHANNELS:
                raise AudioDecodeError(
                    field, f"has {chans} channels; at most {MAX_CHANNELS} are accepted"
                )
            if frames_declared > 0:
                _check_duration(frames_declared, rate, max_duration_s, field)
            limit = math.floor(max_duration_s * rate) + 1  # read no more than the limit allows
            frames = f.read(frames=limit, dtype="float32", always_2d=True)
    except InvalidEventError:
        raise
    except Exception as exc:  # libsndfile reports corrupt input with several exception types
        raise AudioDecodeError(
            field, f"could not be decoded as {container} ({type(exc).__name__})"
        ) from None
    if declared_rate is not None and declared_rate != rate:
        raise InvalidEventError(
            "sample_rate", f"is {declared_rate} Hz but the {container} header says {rate} Hz"
        )
    _check_duration(len(frames), rate, max_duration_s, field)
    return DecodedAudio(_mono(frames, field), rate, container, chans)


def _is_number(value: object) -> bool:
    return type(value) in (int, float)


def from_sample_list(
    values: Sequence[object], *, sample_rate: int, max_duration_s: float, field: str = "audio_data"
) -> DecodedAudio:
    """Validate a JSON list of floats in [-1, 1] (or of per-frame channel lists)."""
    _check_duration(len(values), sample_rate, max_duration_s, field)
    first = values[0]
    if isinstance(first, list):
        width = len(first)
        if not 1 <= width <= MAX_CHANNELS or not all(
            isinstance(row, list) and len(row) == width and all(map(_is_number, row))
            for row in values
        ):
            raise InvalidEventError(
                field,
                f"as a list of frames, every frame must be a list of 1..{MAX_CHANNELS} numbers "
                "of the same length",
            )
    elif not all(map(_is_number, values)):
        raise InvalidEventError(field, "must be a list of numbers (or of per-frame number lists)")
    try:
        array = np.asarray(values, dtype=np.float64)
    except OverflowError:
        raise InvalidEventError(field, "contains a number too large for a float") from None
    channels = array.shape[1] if array.ndim == 2 else 1
    return DecodedAudio(_mono(array, field), sample_rate, "FLOAT_LIST", channels)


def resample(samples: Samples, from_rate: int, to_rate: int) -> Samples:
    """Band-limited resampling by FFT (exact for periodic signals; fine for short segments)."""
    if from_rate == to_rate or len(samples) == 0:
        return samples
    n_in = len(samples)
    n_out = max(1, round(n_in * to_rate / from_rate))
    spectrum = np.fft.rfft(samples.astype(np.float64))
    bins_out = n_out // 2 + 1
    if bins_out <= len(spectrum):
        spectrum = spectrum[:bins_out]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins_out - len(spectrum), complex)])
    out = np.fft.irfft(spectrum, n=n_out) * (n_out / n_in)
    return np.clip(out, -1.0, 1.0).astype(np.float32)
