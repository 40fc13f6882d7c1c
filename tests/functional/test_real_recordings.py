"""Real recordings in every accepted form get the same answer as the clean WAV.

GIVEN 20 real speech clips (speech-dev, 3 s each, peak-normalised to full scale) and each
re-encoded by ffmpeg and sox as MP3 and Ogg Vorbis at full scale, Ogg Opus at 24 kbit/s,
44.1 kHz stereo, 96 kHz, 24-bit FLAC, 8 kHz mu-law WAV (telephone) and the clean WAV as
base64 with line breaks, WHEN the real handler analyses each (``synthesize: false``), THEN
every answer is a 200 whose level is within 1.5 dB (telephone 2.5 dB) and whose acoustic
rate is within 15 % (lossy codecs and telephone 30 %) of the clean WAV's. The largest
deviations per variant are printed (``-s``) and recorded in the hardening figures.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from emotion_dynamics.app import App, build_polly_app
from tests import speech_dev
from tests.hardening.figures import record
from tests.media import ffmpeg_many, sox, tool

CLIPS = 20
SEGMENT_S = 3.0


@dataclass(frozen=True, slots=True)
class Variant:
    """One re-encoding: the tool, its output options and how far the answer may move."""

    name: str
    tool: str  # ffmpeg or sox
    suffix: str
    args: tuple[str, ...]
    level_db: float = 1.5
    rate_rel: float = 0.15


VARIANTS = (
    Variant("mp3", "ffmpeg", ".mp3", ("-c:a", "libmp3lame", "-b:a", "64k"), rate_rel=0.30),
    Variant("ogg_vorbis", "ffmpeg", ".ogg", ("-c:a", "libvorbis", "-q:a", "3"), rate_rel=0.30),
    Variant("opus_24k", "ffmpeg", ".opus", ("-c:a", "libopus", "-b:a", "24k"), rate_rel=0.30),
    # the speech in both channels (ffmpeg's plain -ac 2 would mix it in 3 dB lower, as a centre)
    Variant(
        "wav_44k_stereo", "ffmpeg", "_44k.wav", ("-ar", "44100", "-af", "pan=stereo|c0=c0|c1=c0")
    ),
    Variant("wav_96k", "ffmpeg", "_96k.wav", ("-ar", "96000")),
    Variant("flac_24bit", "sox", ".flac", ("-b", "24")),
    Variant(
        "telephone_8k_mulaw",
        "sox",
        "_mulaw.wav",
        ("-r", "8000", "-e", "u-law", "-b", "8"),
        level_db=2.5,
        rate_rel=0.30,
    ),
)
BASE64_LINES = "base64_line_breaks"


@dataclass(frozen=True, slots=True)
class Encoded:
    """One clip: its transcript, the clean WAV's bytes and every variant's bytes."""

    name: str
    transcript: str
    clean: bytes
    variants: dict[str, bytes]


def _clean_segment(clip: speech_dev.Clip, folder: Path) -> Path:
    segment = clip.samples[: int(SEGMENT_S * clip.sample_rate)]
    segment = segment / np.max(np.abs(segment)) * (32767 / 32768)  # peak at full scale
    path = folder / f"{clip.name}.wav"
    sf.write(path, segment, clip.sample_rate, subtype="PCM_16")
    return path


def _encode(clip: speech_dev.Clip, folder: Path) -> Encoded:
    wav = _clean_segment(clip, folder)
    paths = {v.name: folder / f"{wav.stem}{v.suffix}" for v in VARIANTS}
    ffmpeg_many(wav, [(paths[v.name], v.args) for v in VARIANTS if v.tool == "ffmpeg"])
    for v in VARIANTS:
        if v.tool == "sox":
            sox(wav, paths[v.name], *v.args)
    variants = {name: path.read_bytes() for name, path in paths.items()}
    return Encoded(clip.name, clip.transcript, wav.read_bytes(), variants)


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> list[Encoded]:
    """Every clip in every variant, encoded once, two encoders at a time."""
    speech_dev.skip_unless_available()
    tool("ffmpeg")
    tool("sox")
    clips = speech_dev.load_clips()[:CLIPS]
    assert len(clips) == CLIPS
    folder = tmp_path_factory.mktemp("variants")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda c: _encode(c, folder), clips))


@pytest.fixture(scope="module")
def app() -> Iterator[App]:
    """The Lambda's own app (Polly backend, never called here: synthesize is false)."""
    yield build_polly_app({"ENABLE_METRICS": "false", "LOG_LEVEL": "ERROR"})


def _answer(app: App, audio_base64: str, text: str) -> dict[str, Any]:
    response = app.handle(
        {"audio_base64": audio_base64, "text": text, "options": {"synthesize": False}}
    )
    assert response["statusCode"] == 200, response.get("error")
    return response


def test_every_variant_of_20_real_clips_answers_like_the_clean_wav(
    encoded: list[Encoded], app: App
) -> None:
    deviations: dict[str, list[tuple[float, float]]] = {v.name: [] for v in VARIANTS}
    deviations[BASE64_LINES] = []
    limits = {v.name: (v.level_db, v.rate_rel) for v in VARIANTS} | {BASE64_LINES: (1.5, 0.15)}
    failures = []
    for clip in encoded:
        clean = _answer(app, base64.b64encode(clip.clean).decode("ascii"), clip.transcript)
        level, wpm = clean["volume"]["level_dbfs"], clean["rate"]["wpm"]
        assert level is not None and wpm is not None, clip.name
        forms = {n: base64.b64encode(d).decode("ascii") for n, d in clip.variants.items()}
        forms[BASE64_LINES] = base64.encodebytes(clip.clean).decode("ascii")
        for name, audio_base64 in forms.items():
            response = _answer(app, audio_base64, clip.transcript)
            d_level = abs(response["volume"]["level_dbfs"] - level)
            d_rate = abs(response["rate"]["wpm"] - wpm) / wpm
            deviations[name].append((d_level, d_rate))
            max_db, max_rel = limits[name]
            if d_level > max_db or d_rate > max_rel:
                failures.append(f"{clip.name} {name}: {d_level:.2f} dB, {d_rate:.1%}")
    figures = {
        name: {
            "max_level_db": round(max(d for d, _ in values), 2),
            "max_rate_pct": round(100 * max(r for _, r in values), 1),
        }
        for name, values in deviations.items()
    }
    record("real_recordings", clips=len(encoded), **figures)
    print("\nvariant                max level dB  max rate %")
    for name, f in figures.items():
        print(f"{name:<22} {f['max_level_db']:>12}  {f['max_rate_pct']:>10}")
    assert not failures, failures


def test_lossy_files_at_full_scale_are_clipped_not_refused(
    encoded: list[Encoded], app: App
) -> None:
    clipped = {"mp3": 0, "ogg_vorbis": 0, "opus_24k": 0}
    for clip in encoded:
        for name in clipped:
            data = base64.b64encode(clip.variants[name]).decode("ascii")
            clipped[name] += _answer(app, data, clip.transcript)["audio"]["clipped_samples"] > 0
    record("real_recordings", clipped_files=clipped)
    print(f"\nfiles with clipped samples, of {len(encoded)}: {clipped}")
    # the issue: 14 of 19 such Vorbis files were refused; they now decode, clipped and counted
    # (measured: 14 of 20 Vorbis, no MP3 at 64 kbit/s and no Opus at 24 kbit/s)
    assert clipped["ogg_vorbis"] > 0


def test_the_clean_segments_are_what_the_variants_start_from(encoded: list[Encoded]) -> None:
    for clip in encoded[:3]:
        samples, rate = sf.read(io.BytesIO(clip.clean))
        assert rate == 16000 and len(samples) == int(SEGMENT_S * rate)
        assert float(np.max(np.abs(samples))) > 0.99
