"""Audio containers by their first bytes, and the lengths their headers declare.

Pure byte parsing (no decoding): :func:`sniff` names the container of a file from its magic
bytes (WAV, RF64, FLAC, Ogg, MP3 accepted; WebM/Matroska, MP4/M4A and raw AAC recognised
and refused), :func:`riff_data_chunk` and :func:`mp3_declared_bytes` read the lengths a
WAV or MP3 header declares, so that :mod:`emotion_dynamics.audio` can tell a truncated file
from a short one. Reasoning and measurements: ``docs/design/audio-input.md``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "ACCEPTED_FORMATS",
    "Container",
    "RiffDataChunk",
    "mp3_declared_bytes",
    "riff_data_chunk",
    "sniff",
]

#: What ``audio_base64`` may hold, as error messages list it.
ACCEPTED_FORMATS: Final = (
    "WAV (PCM 8-32 bit, float, mu-law, A-law; RIFF, RIFX or RF64), FLAC, Ogg Vorbis, "
    "Ogg Opus, MP3, or raw little-endian PCM16 with sample_rate"
)
#: Data-chunk sizes that writers leave when they stream and cannot seek back to the header:
#: 0 (several), 0x7FFFF000 (sox), 0x7FFFFFFF (arecord), 0xFFFFFFFF (ffmpeg, RF64).
_STREAMING_SIZES: Final = frozenset({0, 0x7FFFF000, 0x7FFFFFFF, 0xFFFFFFFF})

# MPEG audio frame headers (ISO 11172-3 / 13818-3): bit rates in kbit/s by version and layer.
_MPEG1: Final = 3
_MPEG_RESERVED: Final = 1
_BITRATES: Final = {
    (True, 3): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 3): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 1): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES: Final = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True, slots=True)
class Container:
    """A container recognised by its magic bytes.

    ``name`` is the short name used in responses (``WAV``, ``FLAC``, ``OGG``, ``MP3``);
    ``accepted`` is false for a container libsndfile cannot decode (WebM, MP4, AAC);
    ``audio_offset`` is where the audio frames start (after an ID3v2 tag, for MP3).
    """

    name: str
    label: str
    accepted: bool
    audio_offset: int = 0


def _id3v2_size(data: bytes) -> int:
    """Length of a leading ID3v2 tag (header, body and footer), 0 without one."""
    if len(data) < 10 or data[:3] != b"ID3" or any(b & 0x80 for b in data[6:10]):
        return 0
    body = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    footer = 10 if data[5] & 0x10 else 0
    return 10 + body + footer


def _mpeg_frame_length(data: bytes, at: int) -> int | None:
    """Length of the MPEG audio frame whose header starts at ``at``, or ``None`` if none does."""
    if at + 4 > len(data) or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[at + 1] >> 3) & 3, (data[at + 1] >> 1) & 3
    bitrate_index, rate_index = data[at + 2] >> 4, (data[at + 2] >> 2) & 3
    if version == _MPEG_RESERVED or layer == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None  # free-format bit rate (0) cannot be measured; treat it as no frame
    bitrate = _BITRATES[(version == _MPEG1, layer)][bitrate_index] * 1000
    rate = _SAMPLE_RATES[version][rate_index]
    padding = (data[at + 2] >> 1) & 1
    if layer == 3:  # Layer I: 4-byte slots
        return (12 * bitrate // rate + padding) * 4
    per_frame = 72 if layer == 1 and version != _MPEG1 else 144  # Layer III of MPEG-2/2.5
    return per_frame * bitrate // rate + padding


def _adts_frame_length(data: bytes, at: int) -> int | None:
    """Length of the AAC ADTS frame starting at ``at`` (sync 0xFFF, layer bits 00)."""
    if at + 7 > len(data) or data[at] != 0xFF or data[at + 1] & 0xF6 != 0xF0:
        return None
    length = ((data[at + 3] & 0x03) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
    return length if length >= 7 else None


def _two_frames(data: bytes, at: int, measure: Callable[[bytes, int], int | None]) -> bool:
    """A frame at ``at`` followed by another frame of the same kind (or the end of data).

    A 12-bit sync word alone also matches raw PCM (a sample of -1 is ``FF FF``); a second
    header exactly one frame later does not happen by chance.
    """
    first = measure(data, at)
    if first is None:
        return False
    following = at + first
    return following == len(data) or measure(data, following) is not None


#: Containers with a fixed magic: (offset, bytes, container).
_MAGIC: Final = (
    (0, b"RIFF", Container("WAV", "WAV", accepted=True)),
    (0, b"RIFX", Container("WAV", "WAV", accepted=True)),
    (0, b"RF64", Container("WAV", "RF64 WAV", accepted=True)),
    (0, b"fLaC", Container("FLAC", "FLAC", accepted=True)),
    (0, b"OggS", Container("OGG", "Ogg", accepted=True)),
    (0, b"\x1a\x45\xdf\xa3", Container("WEBM", "WebM/Matroska", accepted=False)),
    (4, b"ftyp", Container("MP4", "MP4/M4A", accepted=False)),
    (0, b"ADIF", Container("AAC", "AAC (ADIF)", accepted=False)),
)


def sniff(data: bytes) -> Container | None:
    """The container of ``data`` by its magic bytes, or ``None`` for an unknown header."""
    for offset, magic, container in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return container
    offset = _id3v2_size(data)  # MPEG audio and ADTS streams: an optional tag, then frames
    if _two_frames(data, offset, _adts_frame_length):
        return Container("AAC", "AAC (ADTS)", accepted=False, audio_offset=offset)
    if offset or _two_frames(data, 0, _mpeg_frame_length):
        return Container("MP3", "MP3", accepted=True, audio_offset=offset)
    return None


@dataclass(frozen=True, slots=True)
class RiffDataChunk:
    """A WAV's data chunk: the size its header declares and the bytes present after it.

    ``placeholder`` marks a size a streaming writer leaves when it cannot seek back to fix
    the header (then ``declared`` means nothing); ``size_at`` is the size field's offset.
    """

    declared: int
    present: int
    size_at: int
    placeholder: bool


def riff_data_chunk(data: bytes) -> RiffDataChunk | None:
    """The data chunk of a WAV (RIFF, RIFX or RF64), or ``None`` if the chunk list is unreadable.

    RF64 gives the real size in its ``ds64`` chunk. ``None`` leaves the file to libsndfile.
    """
    if len(data) < 12 or data[8:12] != b"WAVE":
        return None
    order = ">" if data[:4] == b"RIFX" else "<"
    rf64_size: int | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack(f"{order}I", data[pos + 4 : pos + 8])
        body = pos + 8
        if chunk_id == b"ds64" and size >= 16 and body + 16 <= len(data):
            (rf64_size,) = struct.unpack("<Q", data[body + 8 : body + 16])
        if chunk_id == b"data":
            if data[:4] == b"RF64" and size == 0xFFFFFFFF and rf64_size:
                return RiffDataChunk(rf64_size, len(data) - body, pos + 4, placeholder=False)
            placeholder = size in _STREAMING_SIZES
            return RiffDataChunk(size, len(data) - body, pos + 4, placeholder=placeholder)
        pos = body + size + (size & 1)
    return None


def mp3_declared_bytes(data: bytes, offset: int) -> int | None:
    """Stream length in bytes from the Xing/Info or VBRI header of the frame at ``offset``."""
    if _mpeg_frame_length(data, offset) is None:
        return None
    version = (data[offset + 1] >> 3) & 3
    mono = (data[offset + 3] >> 6) == 3
    side_info = (17 if mono else 32) if version == _MPEG1 else (9 if mono else 17)
    xing = offset + 4 + side_info
    if data[xing : xing + 4] in (b"Xing", b"Info") and xing + 8 <= len(data):
        (flags,) = struct.unpack(">I", data[xing + 4 : xing + 8])
        field = xing + 8 + (4 if flags & 1 else 0)
        if flags & 2 and field + 4 <= len(data):
            return int(struct.unpack(">I", data[field : field + 4])[0]) or None
        return None
    vbri = offset + 4 + 32
    if data[vbri : vbri + 4] == b"VBRI" and vbri + 14 <= len(data):
        return int(struct.unpack(">I", data[vbri + 10 : vbri + 14])[0]) or None
    return None
