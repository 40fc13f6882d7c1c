"""Building blocks for hostile events: real audio files (then broken), texts, JSON junk.

Audio is generated with soundfile into memory (WAV, FLAC, OGG) or as hand-written WAV
headers (for rates and lengths libsndfile would not write), then truncated or corrupted.
Texts mix XML metacharacters, SSML injection attempts, control characters, lone
surrogates, emoji and sizes around Polly's limits.
"""

from __future__ import annotations

import base64
import functools
import io
import struct
from typing import Any

import numpy as np
import soundfile as sf
from hypothesis import strategies as st

FIELDS = (
    "audio_base64", "audio_data", "sample_rate", "channels", "text", "voice_id", "engine",
    "source_transcript", "options", "request_id",
)  # fmt: skip
OPTIONS = ("enable_ssml", "enable_volume_detection", "enable_rate_detection", "synthesize")

INJECTIONS = (
    '</prosody><audio src="https://evil.example/a.mp3"/>',
    "<speak>nested</speak>",
    "</speak><speak>",
    '<prosody volume="x-loud" rate="x-fast">',
    '<break time="10s"/>',
    '<mark name="m"/>',
    '<amazon:effect name="whispered">',
    "<?xml version='1.0'?>",
    '<!DOCTYPE speak [<!ENTITY x "y">]>&x;',
    "<![CDATA[ raw ]]>",
    "]]>",
    "&amp;",
    "&lt;",
    "&#60;",
    "&#x3C;speak&#x3E;",
    "&nbsp;",
    "&unknown;",
    '"',
    "'",
    "<",
    ">",
    "&",
    "<!-- comment -->",
    "\r\n",
    "\r",
    "\t",
    "\x00",
    "\x0b\x0c",
    "\x1f",
    "\x7f",
    "\u2028\u2029",
    "\ufeff",
    "\ufffe\uffff",
    "\ud800",
    "\udfff",
    "😀",
    "👩\u200d👩\u200d👧",
    "\U0010ffff",
    "اَلْعَرَبِيَّة",
    "日本語",
    "${jndi:ldap://x}",
    "%s%n",
    "\\u003cspeak\\u003e",
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def buzz(
    seconds: float, sample_rate: int, *, level: float = 0.3, syllables_per_s: float = 4.0
) -> np.ndarray:
    """Speech-like test signal: a 120 Hz harmonic buzz, amplitude-modulated at a syllable rate."""
    n = max(1, int(seconds * sample_rate))
    t = np.arange(n) / sample_rate
    voice = sum(np.sin(2 * np.pi * 120 * k * t) / k for k in range(1, 12))
    envelope = np.clip(np.sin(np.pi * syllables_per_s * t), 0, None) ** 2
    peak = float(np.max(np.abs(voice))) or 1.0
    return (level * voice / peak * envelope).astype(np.float32)


def encode(samples: np.ndarray, sample_rate: int, fmt: str, subtype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, sample_rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def wav_header(
    *, rate: int, channels: int, bits: int = 16, data_bytes: int, fmt_tag: int = 1
) -> bytes:
    """A canonical 44-byte RIFF/WAVE header; ``data_bytes`` may lie about what follows."""
    block = channels * bits // 8
    riff_size = min(0xFFFFFFFF, 36 + data_bytes)
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack(
            "<IHHIIHH",
            16,
            fmt_tag,
            channels,
            rate,
            (rate * block) & 0xFFFFFFFF,
            block & 0xFFFF,
            bits,
        )
        + b"data"
        + struct.pack("<I", min(0xFFFFFFFF, data_bytes))
    )


@functools.cache
def ten_minute_silence(fmt: str) -> bytes:
    """Ten minutes of silence at 8 kHz: FLAC about 14 KB, OGG about 42 KB, WAV 9.6 MB.

    Written one second at a time: a single 4.8-million-frame write crashes libsndfile's
    Vorbis encoder (segmentation fault in ``sf.write``, libsndfile 1.2.2).
    """
    buffer = io.BytesIO()
    subtype = "PCM_16" if fmt == "WAV" else None
    with sf.SoundFile(buffer, "w", samplerate=8000, channels=1, format=fmt, subtype=subtype) as f:
        second = np.zeros(8000, dtype=np.float32)
        for _ in range(600):
            f.write(second)
    return buffer.getvalue()


def flac_without_length(data: bytes) -> bytes:
    """Zero STREAMINFO's total-samples field (36 bits): "length unknown", as a stream writes."""
    assert data[:4] == b"fLaC"
    start = 8 + 10  # "fLaC", block header, then min/max block and frame sizes
    (packed,) = struct.unpack(">Q", data[start : start + 8])
    packed &= ~((1 << 36) - 1)
    return data[:start] + struct.pack(">Q", packed) + data[start + 8 :]


# --- strategies ---------------------------------------------------------------------------------

VALID_RATES = (8000, 11025, 16000, 22050, 44100, 48000)
BAD_RATES = (1, 100, 4000, 7999, 192001, 384000)


@st.composite
def valid_audio(draw: st.DrawFn) -> tuple[bytes, str]:
    """A decodable file within the limits: (bytes, description)."""
    rate = draw(st.sampled_from(VALID_RATES))
    channels = draw(st.sampled_from((1, 2, 6)))
    seconds = draw(st.sampled_from((0.01, 0.1, 0.5, 1.0, 2.0, 2.9)))
    fmt, subtype = draw(
        st.sampled_from((("WAV", "PCM_16"), ("WAV", "FLOAT"), ("FLAC", None), ("OGG", None)))
    )
    level = draw(st.sampled_from((0.0, 1e-4, 0.05, 0.3, 1.0)))
    mono = buzz(seconds, rate, level=level)
    frames = np.stack([mono * (0.5 + 0.5 * c / channels) for c in range(channels)], axis=1)
    return encode(
        frames, rate, fmt, subtype
    ), f"{fmt}/{subtype} {rate} Hz {channels} ch {seconds} s"


@st.composite
def broken_audio(draw: st.DrawFn) -> tuple[bytes, str]:  # noqa: PLR0911, PLR0912
    """Truncated, corrupted, mislabelled or out-of-range audio bytes."""
    kind = draw(
        st.sampled_from(
            (
                "truncate", "corrupt", "bad_rate_header", "one_sample", "zero_samples",
                "claims_10_min", "many_channels", "nan_float", "huge_float", "random_bytes",
                "magic_then_junk", "flac_10_min", "ogg_10_min", "flac_no_length_10_min",
                "header_only", "bad_format_tag", "zero_channels", "bits_0",
            )
        )
    )  # fmt: skip
    if kind in ("truncate", "corrupt"):
        data, desc = draw(valid_audio())
        if kind == "truncate":
            cut = draw(st.integers(0, len(data) - 1))
            return data[:cut], f"truncated at {cut}/{len(data)} {desc}"
        raw = bytearray(data)
        for _ in range(draw(st.integers(1, 16))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        return bytes(raw), f"corrupted {desc}"
    if kind == "bad_rate_header":
        rate = draw(st.sampled_from(BAD_RATES))
        fmt = draw(st.sampled_from(("WAV", "FLAC", "hand-WAV")))
        if fmt == "FLAC" and rate > 65535 and rate % 10:
            rate = 192010  # FLAC frame headers code rates above 65,535 Hz in steps of 10 Hz
        if fmt == "hand-WAV":
            pcm = (buzz(0.2, 8000) * 32767).astype("<i2").tobytes()
            return wav_header(rate=rate, channels=1, data_bytes=len(pcm)) + pcm, f"WAV at {rate} Hz"
        return encode(buzz(0.05, 8000), rate, fmt), f"{fmt} at {rate} Hz"
    if kind == "one_sample":
        rate = draw(st.sampled_from(VALID_RATES))
        return encode(
            np.array([draw(st.sampled_from((0.0, 0.5, -1.0)))], np.float32), rate, "WAV"
        ), "one sample"
    if kind == "zero_samples":
        return encode(
            np.zeros(0, np.float32), 16000, draw(st.sampled_from(("WAV", "FLAC")))
        ), "zero samples"
    if kind == "claims_10_min":
        rate = draw(st.sampled_from(VALID_RATES))
        pcm = (buzz(draw(st.sampled_from((0.1, 2.0, 4.0))), rate) * 32767).astype("<i2").tobytes()
        return wav_header(
            rate=rate, channels=1, data_bytes=10 * 60 * rate * 2
        ) + pcm, "header claims 10 min"
    if kind == "many_channels":
        channels = draw(st.sampled_from((9, 16, 64, 255, 65535)))
        pcm = bytes(2 * channels * 10)
        return wav_header(
            rate=16000, channels=channels, data_bytes=len(pcm)
        ) + pcm, f"{channels} channels"
    if kind in ("nan_float", "huge_float"):
        samples = buzz(0.5, 16000)
        if kind == "nan_float":
            samples[draw(st.integers(0, len(samples) - 1))] = draw(
                st.sampled_from((np.nan, np.inf, -np.inf))
            )
        else:
            samples = samples * np.float32(draw(st.sampled_from((2.0, 1e6, 3e38))))
        return encode(samples, 16000, "WAV", "FLOAT"), kind
    if kind == "random_bytes":
        return draw(st.binary(min_size=1, max_size=4096)), "random bytes"
    if kind == "magic_then_junk":
        magic = draw(
            st.sampled_from((b"RIFF", b"RIFX", b"fLaC", b"OggS", b"RIFF\xff\xff\xff\xffWAVE"))
        )
        return magic + draw(st.binary(max_size=512)), f"{magic[:4]!r} then junk"
    if kind == "flac_10_min":
        return ten_minute_silence("FLAC"), "10 min FLAC silence"
    if kind == "ogg_10_min":
        return ten_minute_silence("OGG"), "10 min OGG silence"
    if kind == "flac_no_length_10_min":
        return flac_without_length(
            ten_minute_silence("FLAC")
        ), "10 min FLAC, no length in STREAMINFO"
    if kind == "header_only":
        return wav_header(rate=16000, channels=1, data_bytes=32000), "header only"
    if kind == "bad_format_tag":
        pcm = bytes(3200)
        tag = draw(st.sampled_from((0, 2, 7, 0x55, 0xFFFE, 0xFFFF)))
        return wav_header(
            rate=16000, channels=1, data_bytes=len(pcm), fmt_tag=tag
        ) + pcm, f"format tag {tag}"
    if kind == "zero_channels":
        return wav_header(rate=16000, channels=0, data_bytes=100) + bytes(100), "zero channels"
    return wav_header(rate=16000, channels=1, bits=0, data_bytes=100) + bytes(
        100
    ), "0 bits per sample"


def malformed_base64() -> st.SearchStrategy[str]:
    good = b64(encode(buzz(0.2, 8000), 8000, "WAV"))
    return st.one_of(
        st.sampled_from(
            ("", "=", "==", "A", "AB", "ABC", "A===", "@@@@", "data:audio/wav;base64," + good[:40])
        ),
        st.just(good[:-1]),
        st.just(good + "!"),
        st.just(good[:100] + " " + good[100:]),
        st.just(good[:100] + "\n" + good[100:]),
        st.just(good.replace("+", "-").replace("/", "_") + "-_"),
        st.text(max_size=200),
        st.binary(max_size=200).map(lambda b: b64(b)[:-2] if len(b) > 2 else "Z"),
    )


def json_values(max_leaves: int = 10) -> st.SearchStrategy[Any]:
    """Any JSON-like value (with NaN and infinities, which Python's json also produces)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)
        ),
        max_leaves=max_leaves,
    )


def hostile_texts() -> st.SearchStrategy[str]:
    fragment = st.one_of(st.sampled_from(INJECTIONS), st.text(max_size=20))
    return st.one_of(
        st.lists(fragment, min_size=1, max_size=12).map("".join),
        st.text(alphabet=st.characters(codec=None), max_size=60),
        st.text(
            alphabet=st.characters(categories=["Cc", "Cs", "Co", "Cn", "Zl", "Zp", "So"]),
            min_size=1,
            max_size=40,
        ),
        st.builds(
            lambda n, c: c * n,
            st.sampled_from((2999, 3000, 3001, 6000, 20000)),
            st.sampled_from(("a", "&", "<", "😀", "\x00", " ")),
        ),
        st.builds(lambda a, b: a + "x" * b, st.sampled_from(INJECTIONS), st.integers(0, 3100)),
        st.sampled_from(("", " ", "\n\t", "\u3000", "\u200b", "\x00", "\x1c\x1d", "a")),
    )
