"""Regenerate the sample events in this folder (deterministic; run from the repo root).

    .venv/bin/python -m tests.events.make_events

``make events`` runs the handler on them with espeak-ng and compares with ``expected.json``.

Valid events carry synthetic, speech-like audio (a harmonic buzz whose amplitude is
modulated at a syllable rate) so the files stay small and licence-free. ``expected.json``
says what the handler must answer for each file.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

HERE = Path(__file__).parent
TEXT = "The train leaves at eight o'clock."


def buzz(
    seconds: float, sample_rate: int, *, syllables_per_s: float = 4.0, level: float = 0.3
) -> np.ndarray:
    """A 120 Hz harmonic buzz, amplitude-modulated like syllables, with 0.2 s pauses at the ends."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    voice = np.sum([np.sin(2 * np.pi * 120 * k * t) / k for k in range(1, 20)], axis=0)
    envelope = np.clip(np.sin(np.pi * syllables_per_s * t), 0, None) ** 2
    signal = level * voice / np.max(np.abs(voice)) * envelope
    pad = int(0.2 * sample_rate)
    signal[:pad] = 0
    signal[-pad:] = 0
    out: np.ndarray = signal.astype(np.float32)
    return out


def encoded(samples: np.ndarray, sample_rate: int, fmt: str, subtype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, sample_rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def webm_header() -> bytes:
    """The first bytes of a WebM file: an EBML header (DocType webm) and a Segment."""
    doctype = b"\x42\x82\x84webm"
    header = b"\x42\x86\x81\x01" + b"\x42\xf7\x81\x01" + doctype  # EBMLVersion, ReadVersion
    return (
        b"\x1a\x45\xdf\xa3"
        + bytes([0x80 | len(header)])
        + header
        + b"\x18\x53\x80\x67\x01"
        + bytes(64)
    )


def m4a_header() -> bytes:
    """The first bytes of an M4A file: an ``ftyp`` box (brand M4A) and an empty ``mdat``."""
    return b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00M4A isom" + b"\x00\x00\x00\x08mdat"


def main() -> None:
    rng = np.random.default_rng(0)
    wav16 = encoded(buzz(2.0, 16000), 16000, "WAV", "PCM_16")
    small = encoded(
        buzz(0.6, 8000), 8000, "WAV", "PCM_16"
    )  # for events whose audio is not the point
    stereo = np.stack([buzz(1.5, 22050), buzz(1.5, 22050, level=0.1)], axis=1)
    pcm_stereo = (stereo * 32767).astype("<i2").tobytes()
    nan_audio = buzz(1.0, 16000)
    nan_audio[100] = np.nan
    wav_cut = encoded(buzz(2.0, 8000), 8000, "WAV", "PCM_16")[:9644]  # 0.6 s of 2 s
    transcript_500_words = " ".join(["word"] * 500)  # 500 words in 1.6 s of speech: 19,000 WPM
    events: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        "valid_wav_base64": (
            {"audio_base64": b64(wav16), "text": TEXT},
            {"status": 200, "fallback": True, "applied": {"volume": "soft", "rate": None}},
        ),
        "valid_audio_data_8k": (
            {
                "audio_data": [round(float(x), 4) for x in buzz(1.0, 8000)],
                "sample_rate": 8000,
                "text": TEXT,
            },
            {"status": 200, "fallback": True, "applied": {"volume": None, "rate": None}},
        ),
        "valid_pcm16_stereo_22k": (
            {"audio_base64": b64(pcm_stereo), "sample_rate": 22050, "channels": 2, "text": TEXT},
            {"status": 200, "fallback": True, "applied": {"volume": "soft", "rate": None}},
        ),
        "valid_flac_48k_transcript": (
            {
                "audio_base64": b64(encoded(buzz(2.5, 48000), 48000, "FLAC")),
                "text": TEXT,
                "source_transcript": "Der Zug fährt um acht Uhr ab.",
                "voice_id": "Matthew",
                "engine": "neural",
                "request_id": "sample-0001",
            },
            {
                "status": 200,
                "rate_method": "transcript",
                "fallback": False,
                "applied": {"volume": "soft", "rate": "x-fast"},
            },
        ),
        "valid_ogg_no_synthesis": (
            {
                "audio_base64": b64(encoded(buzz(2.0, 16000), 16000, "OGG", "VORBIS")),
                "text": TEXT,
                "options": {"synthesize": False},
            },
            {
                "status": 200,
                "audio": False,
                "fallback": True,
                "applied": {"volume": "soft", "rate": None},
            },
        ),
        "valid_silence": (
            {
                "audio_base64": b64(encoded(np.zeros(16000, np.float32), 16000, "WAV", "PCM_16")),
                "text": TEXT,
            },
            {"status": 200, "fallback": True, "applied": {"volume": None, "rate": None}},
        ),
        "valid_markup_in_text": (
            {
                "audio_base64": b64(wav16),
                "text": 'Fish & chips </prosody><audio src="http://x/a.mp3"/> <speak>"5 > 3"</speak>',
            },
            {"status": 200, "fallback": True, "applied": {"volume": "soft", "rate": None}},
        ),
        "valid_plain_text_option": (
            {"audio_base64": b64(wav16), "text": TEXT, "options": {"enable_ssml": False}},
            {
                "status": 200,
                "text_type": "text",
                "fallback": True,
                "applied": {"volume": None, "rate": None},
            },
        ),
        "valid_mp3_full_scale": (
            {
                "audio_base64": b64(
                    encoded(buzz(2.0, 22050, level=1.0), 22050, "MP3", "MPEG_LAYER_III")
                ),
                "text": TEXT,
            },
            {"status": 200, "fallback": True, "applied": {"volume": "medium", "rate": None}},
        ),
        "valid_opus_48k": (
            {"audio_base64": b64(encoded(buzz(2.0, 48000), 48000, "OGG", "OPUS")), "text": TEXT},
            {"status": 200, "fallback": True, "applied": {"volume": "soft", "rate": None}},
        ),
        "valid_wav_96k": (  # 0.4 s of sound (kept small): too little for a confident level
            {"audio_base64": b64(encoded(buzz(0.8, 96000), 96000, "WAV", "PCM_16")), "text": TEXT},
            {"status": 200, "fallback": True, "applied": {"volume": None, "rate": None}},
        ),
        "valid_base64_line_breaks": (
            {"audio_base64": base64.encodebytes(wav16).decode("ascii"), "text": TEXT},
            {"status": 200, "fallback": True, "applied": {"volume": "soft", "rate": None}},
        ),
        "valid_segment_over_the_limit_by_rounding": (
            {"audio_base64": b64(encoded(buzz(3.2, 8000), 8000, "WAV", "PCM_16")), "text": TEXT},
            {"status": 200, "fallback": False, "applied": {"volume": "soft", "rate": "slow"}},
        ),
        "valid_implausible_transcript": (
            {"audio_base64": b64(wav16), "text": TEXT, "source_transcript": transcript_500_words},
            {"status": 200, "fallback": True, "applied": {"volume": "soft", "rate": None}},
        ),
        "invalid_missing_text": (
            {"audio_base64": b64(small)},
            {"status": 400, "code": "INVALID_EVENT", "field": "text"},
        ),
        "invalid_blank_text": (
            {"audio_base64": b64(small), "text": "   "},
            {"status": 400, "code": "INVALID_EVENT", "field": "text"},
        ),
        "invalid_text_too_long": (
            {"audio_base64": b64(small), "text": "word " * 700},
            {"status": 400, "code": "TEXT_TOO_LONG", "field": "text"},
        ),
        "invalid_no_audio": (
            {"text": TEXT},
            {"status": 400, "code": "INVALID_EVENT", "field": "audio_base64"},
        ),
        "invalid_both_audio_forms": (
            {"audio_base64": b64(small), "audio_data": [0.0], "sample_rate": 8000, "text": TEXT},
            {"status": 400, "code": "INVALID_EVENT", "field": "audio_base64"},
        ),
        "invalid_base64": (
            {"audio_base64": "not base64 at all!", "text": TEXT},
            {"status": 400, "code": "INVALID_EVENT", "field": "audio_base64"},
        ),
        "invalid_not_audio_bytes": (
            {
                "audio_base64": b64(rng.integers(0, 256, 3000, dtype=np.uint8).tobytes()),
                "text": TEXT,
            },
            {"status": 400, "code": "INVALID_AUDIO", "field": "audio_base64"},
        ),
        "invalid_truncated_wav": (
            {"audio_base64": b64(small[:30]), "text": TEXT},
            {"status": 400, "code": "INVALID_AUDIO", "field": "audio_base64"},
        ),
        "invalid_wav_cut_inside_data": (
            {"audio_base64": b64(wav_cut), "text": TEXT},
            {"status": 400, "code": "INVALID_AUDIO", "field": "audio_base64"},
        ),
        "invalid_webm": (
            {"audio_base64": b64(webm_header()), "text": TEXT},
            {"status": 400, "code": "INVALID_AUDIO", "field": "audio_base64"},
        ),
        "invalid_m4a": (
            {"audio_base64": b64(m4a_header()), "text": TEXT},
            {"status": 400, "code": "INVALID_AUDIO", "field": "audio_base64"},
        ),
        "invalid_nan_samples": (
            {"audio_base64": b64(encoded(nan_audio, 16000, "WAV", "FLOAT")), "text": TEXT},
            {"status": 400, "code": "INVALID_AUDIO", "field": "audio_base64"},
        ),
        "invalid_too_long": (
            {"audio_base64": b64(encoded(buzz(4.0, 8000), 8000, "WAV", "PCM_16")), "text": TEXT},
            {"status": 400, "code": "AUDIO_TOO_LONG", "field": "audio_base64"},
        ),
        "invalid_sample_rate": (
            {"audio_data": [0.0, 0.1, -0.1], "sample_rate": 1, "text": TEXT},
            {"status": 400, "code": "INVALID_EVENT", "field": "sample_rate"},
        ),
        "invalid_audio_data_range": (
            {"audio_data": [0.0, 1.5, -0.1], "sample_rate": 8000, "text": TEXT},
            {"status": 400, "code": "INVALID_AUDIO", "field": "audio_data"},
        ),
        "invalid_audio_data_types": (
            {"audio_data": [0.0, "0.5", None], "sample_rate": 8000, "text": TEXT},
            {"status": 400, "code": "INVALID_EVENT", "field": "audio_data"},
        ),
        "invalid_raw_pcm_odd_bytes": (
            {"audio_base64": b64(b"\x01\x02\x03"), "sample_rate": 16000, "text": TEXT},
            {"status": 400, "code": "INVALID_AUDIO", "field": "audio_base64"},
        ),
        "invalid_engine": (
            {"audio_base64": b64(small), "text": TEXT, "engine": "turbo"},
            {"status": 400, "code": "INVALID_EVENT", "field": "engine"},
        ),
        "invalid_voice": (
            {"audio_base64": b64(small), "text": TEXT, "voice_id": "<Joanna>"},
            {"status": 400, "code": "INVALID_EVENT", "field": "voice_id"},
        ),
        "invalid_unknown_field": (
            {"audio_base64": b64(small), "text": TEXT, "speed": 2},
            {"status": 400, "code": "INVALID_EVENT", "field": "event"},
        ),
        "invalid_option_type": (
            {"audio_base64": b64(small), "text": TEXT, "options": {"synthesize": "no"}},
            {"status": 400, "code": "INVALID_EVENT", "field": "options.synthesize"},
        ),
        "invalid_not_an_object": (
            [1, 2, 3],
            {"status": 400, "code": "INVALID_EVENT", "field": "event"},
        ),  # type: ignore[dict-item]
    }
    expected = {}
    for name, (event, expectation) in events.items():
        (HERE / f"{name}.json").write_text(
            json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        expected[name] = expectation
    (HERE / "expected.json").write_text(
        json.dumps(expected, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
