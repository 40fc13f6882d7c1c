"""Audio at the boundary: decode the event's audio into mono float samples, and resample.

Accepted forms (see the README's event contract):

* the bytes of a WAV (PCM 8-32 bit, float, mu-law, A-law; RIFF, RIFX, RF64), FLAC, Ogg
  Vorbis, Ogg Opus or MP3 file, recognised by their magic bytes (:mod:`.containers`), any
  channel count; WebM, MP4/M4A and AAC are recognised and refused;
* raw little-endian PCM16 (interleaved when ``channels`` > 1), which needs ``sample_rate``;
* a list of floats in [-1, 1] (or a list of per-frame channel lists) with ``sample_rate``.

Everything is validated here (sample rate 8..192 kHz, duration, finiteness, range,
truncation) so the detectors can trust their input. Decoded files are clipped to [-1, 1]
(lossy decoders overshoot full scale) and the count is reported; a longer segment is
refused or trimmed as :class:`DurationPolicy` says. Errors name the field and describe the
value's shape, never its content. Reasoning and figures: ``docs/design/audio-input.md``.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from emotion_dynamics.containers import (
    ACCEPTED_FORMATS,
    Container,
    mp3_declared_bytes,
    riff_data_chunk,
    sniff,
)
from emotion_dynamics.contract import (
    AUDIO_DURATION_TOLERANCE_S,
    LONG_AUDIO,
    LONG_AUDIO_MAX_SOURCE_S,
    MAX_AUDIO_DURATION_SECONDS,
)
from emotion_dynamics.errors import AudioDecodeError, AudioTooLongError, InvalidEventError

__all__ = [
    "MAX_DECODED_PEAK",
    "MAX_SAMPLE_RATE",
    "MIN_SAMPLE_RATE",
    "DecodedAudio",
    "DurationPolicy",
    "check_sample_rate",
    "decode_audio_bytes",
    "from_sample_list",
    "resample",
]

MIN_SAMPLE_RATE: Final = 8000
MAX_SAMPLE_RATE: Final = 192000
MAX_CHANNELS: Final = 8
#: Decoded samples beyond this (x full scale) are not codec overshoot (about 1.05 for MP3,
#: Vorbis, Opus at full scale) but samples on the wrong scale, e.g. PCM integers as floats.
MAX_DECODED_PEAK: Final = 2.0
#: Frames libsndfile is asked for at a time (mixed down to mono block by block; small
#: enough that a file cut short still shows how much of it decodes).
_BLOCK_FRAMES: Final = 8192
#: MPEG frames an MP3 decoder may legitimately drop at the end (encoder padding).
_MP3_SLACK_FRAMES: Final = 2 * 1152

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class DurationPolicy:
    """How long a segment may be, and what happens to a longer one (the long-audio setting)."""

    max_s: float
    long_audio: str = "reject"  # reject, last or first

    @property
    def whole_s(self) -> float:
        """Longest segment analysed whole (the maximum plus the tolerance)."""
        return self.max_s + AUDIO_DURATION_TOLERANCE_S

    @property
    def source_limit_s(self) -> float:
        """Longest segment accepted at all: the whole limit, or what last/first may trim."""
        if self.long_audio == "reject":
            return self.whole_s
        return max(LONG_AUDIO_MAX_SOURCE_S, self.whole_s)


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    """Mono samples in [-1, 1] at ``sample_rate`` Hz, with where they came from.

    ``source_format`` is WAV, FLAC, OGG, MP3, PCM16 or FLOAT_LIST; ``codec`` is
    libsndfile's subtype (PCM_16, ULAW, VORBIS, OPUS, MPEG_LAYER_III, ...).
    ``clipped_samples`` counts decoded sample values (all channels) clipped to [-1, 1];
    ``trimmed_from_s`` is the segment's full length when only its ``kept`` (first or last)
    maximum duration is analysed.
    """

    samples: Samples
    sample_rate: int
    source_format: str
    channels: int
    codec: str = ""
    clipped_samples: int = 0
    trimmed_from_s: float | None = None
    kept: str | None = None

    @property
    def duration_s(self) -> float:
        """Length of the analysed samples in seconds."""
        return len(self.samples) / self.sample_rate


def check_sample_rate(value: int, field: str = "sample_rate") -> int:
    """Reject sample rates outside 8..192 kHz."""
    if not MIN_SAMPLE_RATE <= value <= MAX_SAMPLE_RATE:
        raise InvalidEventError(
            field, f"must be between {MIN_SAMPLE_RATE} and {MAX_SAMPLE_RATE} Hz, given {value}"
        )
    return value


def _too_long(field: str, duration_s: float | None, policy: DurationPolicy) -> AudioTooLongError:
    length = (
        f"is longer than {policy.source_limit_s:g} s"
        if duration_s is None
        else f"is {duration_s:.3f} s long"
    )
    if policy.long_audio == "reject":
        return AudioTooLongError(
            field,
            f"{length}; {MAX_AUDIO_DURATION_SECONDS.env} allows {policy.max_s:g} s "
            f"(+{AUDIO_DURATION_TOLERANCE_S:g} s); {LONG_AUDIO.env}=last or first analyses "
            "part of a longer segment",
        )
    return AudioTooLongError(
        field,
        f"{length}; {LONG_AUDIO.env}={policy.long_audio} analyses the {policy.long_audio} "
        f"{policy.max_s:g} s of segments up to {policy.source_limit_s:g} s",
    )


def _window(
    frames: int, sample_rate: int, policy: DurationPolicy, field: str
) -> tuple[slice, float | None]:
    """The frames to analyse and, when trimmed, the segment's full length (s)."""
    if frames == 0:
        raise AudioDecodeError(field, "contains no samples")
    duration_s = frames / sample_rate
    if duration_s <= policy.whole_s + 1e-9:
        return slice(0, frames), None
    if duration_s > policy.source_limit_s + 1e-9:
        raise _too_long(field, duration_s, policy)
    keep = round(policy.max_s * sample_rate)
    if policy.long_audio == "last":
        return slice(frames - keep, frames), duration_s
    return slice(0, keep), duration_s


def _trimmed(audio: DecodedAudio, policy: DurationPolicy, field: str) -> DecodedAudio:
    window, full_s = _window(len(audio.samples), audio.sample_rate, policy, field)
    if full_s is None:
        return audio
    return replace(
        audio, samples=audio.samples[window], trimmed_from_s=full_s, kept=policy.long_audio
    )


def _check_finite(frames: npt.NDArray[np.floating], field: str) -> None:
    if not np.all(np.isfinite(frames)):
        raise AudioDecodeError(field, "contains NaN or infinite samples")


def _mono(frames: npt.NDArray[np.floating]) -> Samples:
    mono = frames.mean(axis=1) if frames.ndim == 2 else frames
    return mono.astype(np.float32, copy=False)


def decode_audio_bytes(
    data: bytes,
    *,
    sample_rate: int | None,
    channels: int,
    policy: DurationPolicy,
    field: str = "audio_base64",
) -> DecodedAudio:
    """Decode an audio file (see the module docstring), or raw PCM16 when ``sample_rate`` is given.

    Raises
    ------
    AudioDecodeError
        Empty, undecodable, truncated, refused or non-finite audio, or raw bytes without
        ``sample_rate``.
    AudioTooLongError
        Longer than ``policy`` accepts.

    """
    if not data:
        raise AudioDecodeError(field, "is empty")
    container = sniff(data)
    if container is None:
        if sample_rate is None:
            raise AudioDecodeError(
                field,
                f"is not a recognised audio file ({len(data)} bytes, header "
                f"{data[:4].hex(' ')}); accepted: {ACCEPTED_FORMATS}",
            )
        return _decode_pcm16(
            data, sample_rate=sample_rate, channels=channels, policy=policy, field=field
        )
    if not container.accepted:
        raise AudioDecodeError(
            field,
            f"is {container.label} audio, which is not accepted; accepted: {ACCEPTED_FORMATS}",
        )
    data = _checked_lengths(data, container, field)
    return _decode_container(
        data, container=container, declared_rate=sample_rate, policy=policy, field=field
    )


def _checked_lengths(data: bytes, container: Container, field: str) -> bytes:
    """Refuse a WAV or MP3 whose header declares more audio bytes than the file holds.

    A WAV data size of 0 left by a streaming writer is replaced (in a copy) by the bytes
    present, since libsndfile would otherwise read no samples; other placeholder sizes
    libsndfile already clamps to what is there.
    """
    if container.name == "WAV":
        chunk = riff_data_chunk(data)
        if chunk is None:
            return data
        if chunk.placeholder:
            if chunk.declared == 0 and chunk.present > 0:
                order = ">" if data[:4] == b"RIFX" else "<"
                size = struct.pack(f"{order}I", min(chunk.present, 0xFFFFFFFE))
                return data[: chunk.size_at] + size + data[chunk.size_at + 4 :]
            return data
        if chunk.declared > chunk.present:
            raise AudioDecodeError(
                field,
                f"is a truncated {container.label} file: its data chunk declares "
                f"{chunk.declared} bytes but only {chunk.present} are present",
            )
    elif container.name == "MP3":
        declared = mp3_declared_bytes(data, container.audio_offset)
        if declared is not None and declared > len(data):
            raise AudioDecodeError(
                field,
                f"is a truncated MP3 file: its Xing/VBRI header declares {declared} bytes of "
                f"MPEG audio but only {len(data) - container.audio_offset} are present",
            )
    return data


def _decode_pcm16(
    data: bytes, *, sample_rate: int, channels: int, policy: DurationPolicy, field: str
) -> DecodedAudio:
    frame_bytes = 2 * channels
    if len(data) % frame_bytes:
        raise AudioDecodeError(
            field,
            f"raw PCM16 with {channels} channel(s) needs a multiple of {frame_bytes} bytes, "
            f"given {len(data)} bytes",
        )
    frames = len(data) // frame_bytes
    window, full_s = _window(frames, sample_rate, policy, field)
    ints = np.frombuffer(data, dtype="<i2").reshape(frames, channels)[window]
    samples = _mono(ints.astype(np.float32) / 32768.0)
    kept = None if full_s is None else policy.long_audio
    return DecodedAudio(
        samples, sample_rate, "PCM16", channels, codec="PCM_16", trimmed_from_s=full_s, kept=kept
    )


@dataclass(slots=True)
class _Blocks:
    """Mono blocks decoded so far, with the clipping count and the peak seen."""

    parts: list[Samples]
    frames: int = 0
    clipped: int = 0

    def add(self, block: npt.NDArray[np.float32], field: str) -> None:
        _check_finite(block, field)
        peak = float(np.max(np.abs(block))) if block.size else 0.0
        if peak > MAX_DECODED_PEAK:
            raise AudioDecodeError(
                field,
                f"has samples up to {peak:.4g} x full scale: not codec overshoot but samples "
                f"on the wrong scale; samples must lie in [-1, 1] (decoded peaks up to "
                f"{MAX_DECODED_PEAK:g} are clipped)",
            )
        if peak > 1.0:
            self.clipped += int(np.count_nonzero(np.abs(block) > 1.0))
            block = np.clip(block, -1.0, 1.0)
        self.parts.append(_mono(block))
        self.frames += len(block)

    def samples(self) -> Samples:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, np.float32)


def _decode_container(
    data: bytes,
    *,
    container: Container,
    declared_rate: int | None,
    policy: DurationPolicy,
    field: str,
) -> DecodedAudio:
    import soundfile as sf  # deferred: only events with encoded audio need libsndfile

    blocks = _Blocks(parts=[])
    rate = declared = 0
    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            rate, chans, declared = int(f.samplerate), int(f.channels), max(0, int(f.frames))
            codec = str(f.subtype)
            _check_header(rate, chans, container, field)
            limit = math.floor(policy.source_limit_s * rate) + 1  # never decode more than this
            if declared >= limit:  # refused before decoding anything
                raise _too_long(field, declared / rate, policy)
            if container.name == "MP3":
                _read_at_once(f, limit, chans, blocks, field)
            else:
                _read_blocks(f, limit, blocks, field)
    except InvalidEventError:
        raise
    except Exception as exc:  # libsndfile reports corrupt input with several exception types
        if blocks.frames and declared > blocks.frames:
            raise _truncated(container, declared, blocks.frames, rate, field) from None
        raise AudioDecodeError(
            field, f"could not be decoded as {container.label} ({type(exc).__name__})"
        ) from None
    if declared_rate is not None and declared_rate != rate:
        raise InvalidEventError(
            "sample_rate", f"is {declared_rate} Hz but the {container.label} header says {rate} Hz"
        )
    if blocks.frames >= limit:  # the header declared less than there is
        raise _too_long(field, None, policy)
    if declared > blocks.frames + _length_slack(container, data):
        raise _truncated(container, declared, blocks.frames, rate, field)
    audio = DecodedAudio(
        blocks.samples(), rate, container.name, chans, codec=codec, clipped_samples=blocks.clipped
    )
    return _trimmed(audio, policy, field)


def _check_header(rate: int, channels: int, container: Container, field: str) -> None:
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise AudioDecodeError(
            field,
            f"has a sample rate of {rate} Hz in its {container.label} header; accepted: "
            f"{MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz",
        )
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioDecodeError(
            field, f"has {channels} channels; at most {MAX_CHANNELS} are accepted"
        )


def _read_blocks(f: Any, limit: int, blocks: _Blocks, field: str) -> None:
    """Decode up to ``limit`` frames, :data:`_BLOCK_FRAMES` at a time."""
    while blocks.frames < limit:
        block = f.read(
            frames=min(_BLOCK_FRAMES, limit - blocks.frames), dtype="float32", always_2d=True
        )
        if not len(block):
            return
        blocks.add(block, field)


def _read_at_once(f: Any, limit: int, channels: int, blocks: _Blocks, field: str) -> None:
    """Decode up to ``limit`` frames in one libsndfile call.

    soundfile seeks to the current position after every read; libsndfile 1.2.2's MP3 decoder
    loses its bit reservoir on that seek, so an MP3 read in several calls decodes wrongly
    (measured: errors up to 0.3 of full scale). MP3 holds at most 2 channels at 48 kHz, so
    one buffer of ``limit`` frames stays small.
    """
    buffer = np.empty((limit, channels), dtype=np.float32)
    frames = f.read(out=buffer)
    for start in range(0, len(frames), _BLOCK_FRAMES):
        blocks.add(frames[start : start + _BLOCK_FRAMES], field)


def _length_slack(container: Container, data: bytes) -> float:
    """Frames a file may decode short of its declared length; infinite where not exact.

    FLAC's STREAMINFO counts samples exactly; an MP3 length is exact only with a Xing/Info
    or VBRI header (otherwise libsndfile estimates it from the bit rate). WAV lengths are
    checked on the chunk list before decoding; Ogg's length is its last page's position.
    """
    if container.name == "FLAC":
        return 0
    if container.name == "MP3" and mp3_declared_bytes(data, container.audio_offset):
        return _MP3_SLACK_FRAMES
    return math.inf


def _truncated(
    container: Container, declared: int, decoded: int, rate: int, field: str
) -> AudioDecodeError:
    return AudioDecodeError(
        field,
        f"is a truncated {container.label} file: its header declares {declared} frames "
        f"({declared / rate:.3f} s) but only {decoded} decode ({decoded / rate:.3f} s)",
    )


def _is_number(value: object) -> bool:
    return type(value) in (int, float)


def from_sample_list(
    values: Sequence[object], *, sample_rate: int, policy: DurationPolicy, field: str = "audio_data"
) -> DecodedAudio:
    """Validate a JSON list of floats in [-1, 1] (or of per-frame channel lists).

    Unlike a decoded file, a value beyond [-1, 1] here is a caller's bug: a 400.
    """
    _window(len(values), sample_rate, policy, field)  # the length first: cheap
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
    _check_finite(array, field)
    peak = float(np.max(np.abs(array)))
    if peak > 1.0:
        raise AudioDecodeError(
            field, f"has samples beyond full scale (peak {peak:.4g}); samples must lie in [-1, 1]"
        )
    channels = array.shape[1] if array.ndim == 2 else 1
    audio = DecodedAudio(_mono(array), sample_rate, "FLOAT_LIST", channels, codec="FLOAT")
    return _trimmed(audio, policy, field)


def _is_smooth(n: int) -> bool:
    """Whether ``n`` has no prime factor above 7 (a fast FFT length for pocketfft)."""
    for p in (2, 3, 5, 7):
        while n % p == 0:
            n //= p
    return n == 1


def _next_smooth(n: int) -> int:
    while not _is_smooth(n):
        n += 1
    return n


def _padded_lengths(n_in: int, from_rate: int, to_rate: int) -> tuple[int, int]:
    """Input and output FFT lengths >= the signal's, in the exact rate ratio when possible.

    An FFT of a length with a large prime factor is about 10x slower (576,001 samples:
    170 ms instead of 17 ms), so the signal is zero-padded to a 7-smooth length first.
    """
    g = math.gcd(from_rate, to_rate)
    up, down = to_rate // g, from_rate // g
    if _is_smooth(up) and _is_smooth(down):
        k = _next_smooth(-(-n_in // down))
        return k * down, k * up
    n_pad = _next_smooth(n_in)
    return n_pad, max(1, round(n_pad * to_rate / from_rate))


def resample(samples: Samples, from_rate: int, to_rate: int) -> Samples:
    """Band-limited resampling by FFT over the zero-padded signal; output in [-1, 1]."""
    if from_rate == to_rate or len(samples) == 0:
        return samples
    n_in = len(samples)
    n_out = max(1, round(n_in * to_rate / from_rate))
    n_pad, n_pad_out = _padded_lengths(n_in, from_rate, to_rate)
    spectrum = np.fft.rfft(samples.astype(np.float64), n=n_pad)
    bins_out = n_pad_out // 2 + 1
    if bins_out <= len(spectrum):
        spectrum = spectrum[:bins_out]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins_out - len(spectrum), complex)])
    out = np.fft.irfft(spectrum, n=n_pad_out)[:n_out] * (n_pad_out / n_pad)
    return np.clip(out, -1.0, 1.0).astype(np.float32)
