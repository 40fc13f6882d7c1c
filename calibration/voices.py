"""Measure a synthesis voice: its syllable rate and level at 100 %, and how it follows rates.

A fixed set of sentences whose syllables are known (Harvard sentences, dictionary counts) is
synthesized at 100 %, at each Polly rate keyword and at a few percentages; the syllable rate
is the sentence's syllables over the rendering's speech span (this project's definition), the
level the production volume detector's; the rate is pooled (all syllables over all speech
spans), so a long sentence counts for more than a short one, as it does in speech. The profile (rate and level at 100 %) is what the
relative prosody mode needs, with the voice's duration model (seconds per letter and per pause
mark, least squares over the sentences); the other rows show how linearly it follows a rate.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import soundfile as sf

from emotion_dynamics.config import default_config
from emotion_dynamics.detectors.framing import speech_span_s
from emotion_dynamics.detectors.volume import detect_volume
from emotion_dynamics.ssml import build_ssml
from emotion_dynamics.voices import VoiceProfile, text_features

__all__ = [
    "RATES",
    "SENTENCES",
    "RateRow",
    "VoiceMeasurement",
    "espeak_renderer",
    "fit_duration_model",
    "format_measurement",
    "measure_voice",
    "merge_profile",
    "polly_language",
    "polly_renderer",
    "profile_key",
]

#: (sentence, syllables): Harvard sentences (IEEE 1969) and "The North Wind and the Sun" (the
#: IPA's passage), both public domain, short and long; CMU dictionary syllable counts.
SENTENCES: Final = (
    ("The birch canoe slid on the smooth planks.", 9),
    ("Glue the sheet to the dark blue background.", 9),
    ("It's easy to tell the depth of a well.", 10),
    ("These days a chicken leg is a rare dish.", 10),
    ("Rice is often served in round bowls.", 8),
    ("The juice of lemons makes fine punch.", 8),
    ("The box was thrown beside the parked truck.", 9),
    ("The hogs were fed chopped corn and garbage.", 9),
    ("A large size in stockings is hard to sell.", 10),
    (
        "The North Wind and the Sun were disputing which was the stronger, when a traveler "
        "came along wrapped in a warm cloak.",
        29,
    ),
    (
        "They agreed that the one who first succeeded in making the traveler take his cloak "
        "off should be considered stronger than the other.",
        33,
    ),
    (
        "Then the North Wind blew as hard as he could, but the more he blew the more closely "
        "did the traveler fold his cloak around him.",
        30,
    ),
    ("And at last the North Wind gave up the attempt.", 11),
    ("Then the Sun shined out warmly, and immediately the traveler took off his cloak.", 20),
    ("And so the North Wind was obliged to confess that the Sun was the stronger of the two.", 21),
)
#: Rates rendered besides 100 %: Polly's keywords and percentages across its range.
RATES: Final = ("x-slow", "slow", "medium", "fast", "x-fast", "50%", "70%", "130%", "160%", "200%")

#: Sample rate of the PCM the measurement asks for (Polly's pcm allows 8000 and 16000 Hz).
PCM_RATE: Final = 16000

#: Renders one SSML document and returns the audio file's bytes (WAV, or anything soundfile reads).
Render = Callable[[str], bytes]


@dataclass(frozen=True, slots=True)
class RateRow:
    """The voice at one rate: syllables per speech-second and its ratio to 100 %."""

    rate: str
    syllables_per_s: float
    factor: float


@dataclass(frozen=True, slots=True)
class VoiceMeasurement:
    """A voice's profile at 100 % and how it follows the rates of :data:`RATES`."""

    voice_id: str
    profile: VoiceProfile
    rows: tuple[RateRow, ...]


def _measure(audio: bytes) -> tuple[float, float | None]:
    samples, rate = sf.read(io.BytesIO(audio), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    level = detect_volume(mono, int(rate), thresholds=default_config().volume).level_dbfs
    return speech_span_s(mono, int(rate)), level


def _rate_at(
    render: Render, rate: str | None, sentences: Sequence[tuple[str, int]]
) -> tuple[float, float, list[float]]:
    """The pooled rate, the median level and each sentence's speech span, at ``rate``.

    Pooled: all syllables over all speech spans, so long sentences weigh more.
    """
    spans, levels = [], []
    for text, _ in sentences:
        span_s, level = _measure(render(build_ssml(text, volume=None, rate=rate)))
        spans.append(span_s)
        if level is not None:
            levels.append(level)
    if sum(spans) <= 0:
        raise ValueError("the voice rendered no speech")
    pooled = sum(n for _, n in sentences) / sum(spans)
    return pooled, statistics.median(levels) if levels else float("nan"), spans


def fit_duration_model(
    sentences: Sequence[tuple[str, int]], spans_s: Sequence[float]
) -> tuple[float, float]:
    """Seconds per letter and per pause mark (least squares, both non-negative)."""
    features = np.array([text_features(text) for text, _ in sentences], dtype=np.float64)
    target = np.asarray(spans_s, dtype=np.float64)
    coef, *_ = np.linalg.lstsq(features, target, rcond=None)
    if coef[1] < 0:  # no pause term: letters alone
        coef = np.array([float(features[:, 0] @ target / (features[:, 0] @ features[:, 0])), 0.0])
    return float(coef[0]), float(coef[1])


def measure_voice(
    render: Render,
    *,
    voice_id: str,
    language: str = "en",
    sentences: Sequence[tuple[str, int]] = SENTENCES,
    rates: Sequence[str] = RATES,
) -> VoiceMeasurement:
    """Measure ``render``'s voice (pooled over ``sentences``) at 100 % and at ``rates``."""
    base_rate, base_level, spans = _rate_at(render, None, sentences)
    rows = [RateRow("100%", base_rate, 1.0)]
    for rate in rates:
        value, _, _ = _rate_at(render, rate, sentences)
        rows.append(RateRow(rate, value, value / base_rate))
    letter_s, pause_s = fit_duration_model(sentences, spans)
    profile = VoiceProfile(
        language,
        round(base_rate, 2),
        round(base_level, 1),
        round(letter_s, 5),
        round(pause_s, 4),
    )
    return VoiceMeasurement(voice_id, profile, tuple(rows))


def format_measurement(measurement: VoiceMeasurement) -> str:
    """The profile line for a stack's voiceProfiles and the rate table, as text."""
    lines = [
        f"profile: {measurement.profile.render(measurement.voice_id)}",
        "",
        "| rate | syllables/s | x 100 % | nominal |",
        "|---|---:|---:|---:|",
    ]
    for row in measurement.rows:
        nominal = f"{int(row.rate[:-1]) / 100:.2f}" if row.rate.endswith("%") else "-"
        lines.append(f"| {row.rate} | {row.syllables_per_s:.2f} | {row.factor:.2f} | {nominal} |")
    return "\n".join(lines)


# --- backends and the stack file ----------------------------------------------------------


def espeak_renderer(voice: str) -> Render:
    """Render SSML with the local espeak-ng voice ``voice`` (returns WAV bytes)."""
    from emotion_dynamics.synthesis import SynthesisRequest
    from emotion_dynamics_dev.espeak import EspeakSynthesizer

    espeak = EspeakSynthesizer(voice=voice)

    def render(ssml: str) -> bytes:
        request = SynthesisRequest("", ssml, "espeak", "standard", "pcm", PCM_RATE)
        return espeak.synthesize(request).audio

    return render


def polly_renderer(client: Any, *, voice_id: str, engine: str) -> Render:
    """Render SSML with Amazon Polly (PCM, so durations are exact); returns WAV bytes."""

    def render(ssml: str) -> bytes:
        response = client.synthesize_speech(
            Text=ssml, TextType="ssml", VoiceId=voice_id, Engine=engine,
            OutputFormat="pcm", SampleRate=str(PCM_RATE),
        )  # fmt: skip
        stream = response["AudioStream"]
        try:
            pcm = stream.read()
        finally:
            stream.close()
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32) / 32768
        out = io.BytesIO()
        sf.write(out, samples, PCM_RATE, format="WAV", subtype="PCM_16")
        return out.getvalue()

    return render


def polly_language(client: Any, *, voice_id: str, engine: str) -> str:
    """The language of a Polly voice (``DescribeVoices``), e.g. ``en-US``."""
    voices = client.describe_voices(Engine=engine).get("Voices", [])
    for voice in voices:
        if voice.get("Id") == voice_id:
            return str(voice["LanguageCode"])
    raise ValueError(f"Polly has no voice {voice_id} for the {engine} engine")


def profile_key(voice: str, engine: str | None) -> str:
    """The key of a profile in ``voiceProfiles``: the voice, or ``voice@engine``."""
    return voice if engine is None else f"{voice}@{engine}"


def merge_profile(existing: Sequence[str], key: str, profile: VoiceProfile) -> list[str]:
    """``existing`` profile entries with ``key``'s replaced (or appended), order kept."""
    line = profile.render(key)
    out = [line if item.partition("=")[0] == key else item for item in existing]
    return out if line in out else [*out, line]
