"""Measurements to prosody values, and the duration fit of live pipelines.

Classes mode: Polly keywords by threshold. Relative mode: ``rate = relative x voice factor``
(the voice's language norm over the voice's own pace on this text at 100 %, from its profile,
:mod:`emotion_dynamics.voices`), clamped and with a dead band around 100 %;
``volume = level - reference``, clamped, with a dead band around 0 dB. The duration fit only
ever raises the rate. How and why: ``docs/design/prosody.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from emotion_dynamics.config import ProsodySettings
from emotion_dynamics.languages import norm_for, primary_language
from emotion_dynamics.models import DurationFit, RateResult, VolumeResult
from emotion_dynamics.syllables import count_syllables
from emotion_dynamics.voices import VoiceProfile, rate_factor

__all__ = ["KEYWORD_RATE_FACTORS", "Prosody", "choose_prosody"]

#: Speed of each rate keyword relative to the voice's default (espeak-ng, measured; Polly
#: documents none): used to predict a duration in classes mode.
KEYWORD_RATE_FACTORS: Final = {
    "x-slow": 0.59,
    "slow": 0.80,
    "medium": 1.0,
    "fast": 1.26,
    "x-fast": 1.62,
}
#: Engines whose ``<prosody>`` takes Polly's ``amazon:max-duration`` (Polly: standard only).
MAX_DURATION_ENGINES: Final = frozenset({"standard"})


@dataclass(frozen=True, slots=True)
class Prosody:
    """The values to emit (``None``: leave the attribute out), and a note per dimension.

    A note says why a dimension that passed the confidence gate emits nothing (a dead band)
    or why its value is not the measured one (raised to fit a duration).
    """

    volume: str | None
    rate: str | None
    max_duration_ms: int | None = None
    duration: DurationFit | None = None
    volume_note: str | None = None
    rate_note: str | None = None


def _relative_rate(
    relative: float, settings: ProsodySettings, factor: float
) -> tuple[float, str | None]:
    """(speed factor, emitted value) of the relative mode; ``None`` inside the dead band."""
    percent = relative * factor * 100.0
    percent = min(max(percent, settings.rate_percent_min), settings.rate_percent_max)
    value = round(percent)
    if abs(percent - 100.0) < settings.rate_dead_band_percent or value == 100:
        return 1.0, None
    return value / 100.0, f"{value}%"


def _relative_volume(volume: VolumeResult, settings: ProsodySettings) -> str | None:
    assert volume.level_dbfs is not None  # gated by the caller
    offset = volume.level_dbfs - settings.volume_reference_dbfs
    limit = settings.volume_offset_limit_db
    offset = min(max(offset, -limit), limit)
    if abs(offset) < settings.volume_dead_band_db or round(offset, 1) == 0.0:
        return None
    return f"{offset:+.1f}dB"


def _voice_seconds(text: str, profile: VoiceProfile | None) -> tuple[float, int, float]:
    """(seconds the voice takes for ``text`` at 100 %, the text's syllables, the voice's pace)."""
    language = primary_language(profile.language) if profile else "en"
    syllables = max(1, count_syllables(text, language))
    if profile is None:
        pace = norm_for(language)[1].exact_syllables_per_s
        return syllables / pace, syllables, pace
    return profile.seconds_at_100(text, syllables), syllables, profile.syllables_per_s


def _fit(
    voice: tuple[float, int, float],
    *,
    speed: float,
    limit_s: float | None,
    settings: ProsodySettings,
) -> tuple[float, DurationFit]:
    """The speed (x the voice's default) that fits ``limit_s``, never below ``speed``.

    ``voice`` is :func:`_voice_seconds` of the text.
    """
    seconds, syllables, pace = voice
    if limit_s is not None:
        needed = seconds / limit_s
        if needed > speed:
            speed = min(math.ceil(needed * 100.0) / 100.0, settings.rate_percent_max / 100.0)
    return speed, DurationFit(
        predicted_s=seconds / speed,
        limit_s=limit_s,
        voice_syllables_per_s=pace,
        text_syllables=syllables,
    )


def choose_prosody(
    text: str,
    *,
    volume: VolumeResult | None,
    rate: RateResult | None,
    settings: ProsodySettings,
    profile: VoiceProfile | None,
    engine: str,
    max_duration_s: float | None = None,
    fit_to_source: bool = False,
    speaker_speech_s: float | None = None,
) -> Prosody:
    """Prosody values for the dimensions that passed the confidence gate (others ``None``)."""
    volume_note = rate_note = None
    relative_mode = settings.mode == "relative"
    volume_value: str | None = None
    if volume is not None:
        volume_value = (
            _relative_volume(volume, settings) if relative_mode else volume.volume_class.value
        )
        if volume_value is None:
            volume_note = "within the dead band around the reference level: the voice's own"
    rate_value: str | None = None
    speed = 1.0
    voice = _voice_seconds(text, profile)
    if relative_mode:
        # A rate that did not pass the gate (or was not measured) is the typical speaker's:
        # the voice at its language's typical pace (relative 1.0), not at its own default.
        relative = rate.relative if rate is not None and rate.relative is not None else 1.0
        factor = rate_factor(profile, text, voice[1])
        speed, rate_value = _relative_rate(relative, settings, factor)
        if rate_value is None and rate is not None and rate.relative is not None:
            rate_note = "within the dead band around 100 %: the voice's own"
    elif rate is not None:
        rate_value = rate.rate_class.value
        speed = KEYWORD_RATE_FACTORS[rate_value]
    limits = [v for v in (max_duration_s, speaker_speech_s if fit_to_source else None) if v]
    limit_s = min(limits) if limits else None
    fitted, duration = _fit(voice, speed=speed, limit_s=limit_s, settings=settings)
    if fitted > speed:
        rate_note = f"raised to fit {limit_s:.2f} s"
        rate_value = f"{round(fitted * 100)}%"
    use_max_duration = limit_s is not None and engine in MAX_DURATION_ENGINES
    return Prosody(
        volume=volume_value,
        rate=rate_value,
        max_duration_ms=round(limit_s * 1000) if use_max_duration and limit_s else None,
        duration=duration,
        volume_note=volume_note,
        rate_note=rate_note,
    )
