"""Containers by their magic bytes, and the lengths their headers declare (pure byte parsing)."""

from __future__ import annotations

import struct

import pytest

from emotion_dynamics.containers import mp3_declared_bytes, riff_data_chunk, sniff
from tests.hardening.hostile import wav_header

#: MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding, joint stereo: 417-byte frames.
MP3_FRAME = b"\xff\xfb\x90\x44" + bytes(413)
#: AAC ADTS, 44.1 kHz, stereo, a 200-byte frame (sync FFF, layer bits 00).
ADTS_FRAME = bytes([0xFF, 0xF1, 0x50, 0x80, (200 >> 3) & 0xFF, ((200 & 7) << 5) | 0x1F, 0xFC])
ADTS_FRAME += bytes(200 - len(ADTS_FRAME))


@pytest.mark.parametrize(
    ("data", "name", "accepted"),
    [
        (b"RIFF\x00\x00\x00\x00WAVE", "WAV", True),
        (b"RIFX\x00\x00\x00\x00WAVE", "WAV", True),
        (b"RF64\xff\xff\xff\xffWAVE", "WAV", True),
        (b"fLaC\x00\x00\x00\x22", "FLAC", True),
        (b"OggS\x00\x02", "OGG", True),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + MP3_FRAME, "MP3", True),
        (MP3_FRAME * 3, "MP3", True),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "WEBM", False),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "MP4", False),
        (ADTS_FRAME * 3, "AAC", False),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + ADTS_FRAME * 2, "AAC", False),
        (b"ADIF\x00\x00", "AAC", False),
    ],
)
def test_magic_bytes_name_the_container(data: bytes, name: str, accepted: bool) -> None:
    container = sniff(data)
    assert container is not None and (container.name, container.accepted) == (name, accepted)


@pytest.mark.parametrize(
    "data",
    [
        MP3_FRAME[:4] + bytes(2000),  # one MPEG header, then no second one where it should be
        ADTS_FRAME[:7] + bytes(500),
        bytes([0xFF, 0xFF, 0x00, 0x00] * 500),  # PCM16 samples -1, 0: bit-rate index 0
        bytes([0xFF, 0xFF, 0xFF, 0xFF] * 500),  # PCM16 -1, -1: bit-rate index 15
        b"\x1f\x8b\x08\x00" + bytes(100),  # gzip
        b"",
    ],
)
def test_a_lone_sync_word_is_not_a_container(data: bytes) -> None:
    assert sniff(data) is None


def test_the_mp3_and_adts_sync_words_differ_in_their_layer_bits() -> None:
    assert (MP3_FRAME[1] >> 1) & 3 != 0 and (ADTS_FRAME[1] >> 1) & 3 == 0
    assert sniff(MP3_FRAME * 2).name == "MP3"  # type: ignore[union-attr]
    assert sniff(ADTS_FRAME * 2).name == "AAC"  # type: ignore[union-attr]


def test_riff_data_chunk_after_other_chunks() -> None:
    header = wav_header(rate=16000, channels=1, data_bytes=1000)
    data = header[:36] + b"LIST" + struct.pack("<I", 5) + b"abcde\x00" + header[36:] + bytes(600)
    chunk = riff_data_chunk(data)
    assert chunk is not None and (chunk.declared, chunk.present, chunk.placeholder) == (
        1000,
        600,
        False,
    )


@pytest.mark.parametrize("size", [0, 0x7FFFF000, 0x7FFFFFFF, 0xFFFFFFFF])
def test_streaming_sizes_are_placeholders(size: int) -> None:
    data = wav_header(rate=16000, channels=1, data_bytes=0)[:40] + struct.pack("<I", size)
    chunk = riff_data_chunk(data + bytes(100))
    assert chunk is not None and chunk.placeholder and chunk.present == 100


def test_rf64_takes_its_size_from_ds64() -> None:
    ds64 = b"ds64" + struct.pack("<I", 28) + struct.pack("<QQQ", 0, 5000, 2500) + bytes(4)
    fmt = wav_header(rate=16000, channels=1, data_bytes=0)[12:36]
    data = b"RF64\xff\xff\xff\xffWAVE" + ds64 + fmt + b"data\xff\xff\xff\xff" + bytes(800)
    chunk = riff_data_chunk(data)
    assert chunk is not None and (chunk.declared, chunk.present, chunk.placeholder) == (
        5000,
        800,
        False,
    )


def test_xing_header_byte_count() -> None:
    frame = bytearray(MP3_FRAME)
    xing = 4 + 32  # MPEG-1 stereo: 32 bytes of side information
    frame[xing : xing + 16] = b"Info" + struct.pack(">III", 3, 100, 41_700)
    assert mp3_declared_bytes(bytes(frame) * 2, 0) == 41_700
    assert mp3_declared_bytes(MP3_FRAME * 2, 0) is None  # no Xing header: no declared length
