"""Value objects passed between the pipeline's stages (the seed's model roles).

All are frozen dataclasses; units are in the field names (``_dbfs``, ``_wpm``, ``_s``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from emotion_dynamics.errors import SynthesisError

__all__ = [
    "AudioDynamics",
    "DurationFit",
    "Fallback",
    "LanguagePace",
    "ProcessingOptions",
    "ProcessingResult",
    "RateClass",
    "RateMethod",
    "RateResult",
    "SynthesizedAudio",
    "VolumeClass",
    "VolumeResult",
]


class VolumeClass(StrEnum):
    """Volume class; the value is the Polly ``<prosody volume>`` keyword it maps to."""

    X_SOFT = "x-soft"
    SOFT = "soft"
    MEDIUM = "medium"
    LOUD = "loud"


class RateClass(StrEnum):
    """Speaking-rate class; the value is the Polly ``<prosody rate>`` keyword it maps to."""

    X_SLOW = "x-slow"
    SLOW = "slow"
    MEDIUM = "medium"
    FAST = "fast"
    X_FAST = "x-fast"


class RateMethod(StrEnum):
    """How the speaking rate was measured."""

    WORD_TIMINGS = "word_timings"
    TRANSCRIPT = "transcript"
    ACOUSTIC = "acoustic"


@dataclass(frozen=True, slots=True)
class VolumeResult:
    """Output of the volume detector.

    ``level_dbfs`` is the active-speech RMS level relative to full scale (a full-scale
    square wave is 0 dBFS, a full-scale sine -3.01 dBFS); ``None`` when no speech was found.
    """

    level_dbfs: float | None
    volume_class: VolumeClass
    confidence: float
    active_speech_s: float


@dataclass(frozen=True, slots=True)
class LanguagePace:
    """The language a rate was judged in and its typical pace (syllables per speech-second).

    ``known`` is false when no norm of this language is known and English's was used;
    ``given`` is false when the language is the stack's default, not the event's.
    """

    language: str
    norm_syllables_per_s: float
    known: bool
    given: bool


@dataclass(frozen=True, slots=True)
class RateResult:
    """Output of the speaking-rate detector (``wpm`` is ``None`` when no speech was found).

    ``syllables_per_s`` is over the speech span (word timings: first start to last end);
    ``relative`` is it over the language's typical pace (``pace``); ``wpm`` is words per minute
    where words are known (acoustic: the word reading's nuclei over English's syllables per
    word, times the acoustic scale). ``confidence`` is the probability that ``rate_class`` is
    right; ``relative_confidence`` that ``relative`` is within 15 % of the speaker's (the
    relative mode's gate; ``None``: the same as ``confidence``, as for counted rates).
    """

    wpm: float | None
    rate_class: RateClass
    method: RateMethod
    confidence: float
    speech_s: float
    syllables: int | None = None
    words: int | None = None
    syllables_per_s: float | None = None
    relative: float | None = None
    pace: LanguagePace | None = None
    articulation_wpm: float | None = None
    #: Why the method is not the one the event asked for (e.g. an implausible transcript).
    notes: tuple[str, ...] = ()
    relative_confidence: float | None = None

    def gate_confidence(self, mode: str) -> float:
        """The confidence the prosody mode's gate compares (``relative`` or ``classes``)."""
        if mode == "relative" and self.relative_confidence is not None:
            return self.relative_confidence
        return self.confidence


@dataclass(frozen=True, slots=True)
class AudioDynamics:
    """What the detectors measured; a dimension is ``None`` when its detection is disabled.

    The audio fields describe the input as decoded (``duration_s`` is what was analysed;
    see :class:`emotion_dynamics.audio.DecodedAudio`).
    """

    volume: VolumeResult | None
    rate: RateResult | None
    duration_s: float
    sample_rate: int
    source_format: str = ""
    codec: str = ""
    channels: int = 1
    clipped_samples: int = 0
    trimmed_from_s: float | None = None
    kept: str | None = None


@dataclass(frozen=True, slots=True)
class ProcessingOptions:
    """Per-request switches, after event overrides have been applied to the config's flags."""

    enable_ssml: bool = True
    enable_volume_detection: bool = True
    enable_rate_detection: bool = True
    synthesize: bool = True
    #: Speak no longer than this (s); the rate is raised, never lowered, to fit.
    max_duration_s: float | None = None
    #: Fit the speech into the speaker's own speech span.
    fit_to_source: bool = False


@dataclass(frozen=True, slots=True)
class Fallback:
    """Whether, and why, plain text or neutral prosody was used instead of measured prosody."""

    used: bool = False
    reasons: tuple[str, ...] = ()

    def plus(self, reason: str) -> Fallback:
        """Return a copy with ``reason`` added."""
        return Fallback(used=True, reasons=(*self.reasons, reason))


@dataclass(frozen=True, slots=True)
class DurationFit:
    """The text's predicted speech duration at the emitted rate, and the limit it had to fit.

    ``actual_s`` is the synthesized audio's speech span where the backend measures it (espeak).
    """

    predicted_s: float
    limit_s: float | None
    voice_syllables_per_s: float
    text_syllables: int
    actual_s: float | None = None


@dataclass(frozen=True, slots=True)
class SynthesizedAudio:
    """Audio returned by a synthesis backend."""

    audio: bytes
    content_type: str
    attempts: int = 1
    cached: bool = False
    plain_text_fallback: bool = False
    #: Speech span of the audio (s), where the backend can measure it cheaply (espeak).
    speech_s: float | None = None


@dataclass(frozen=True, slots=True)
class ProcessingResult:
    """Everything the orchestrator produced for one request."""

    ssml: str
    text_type: str  # "ssml" or "text": what was (or would be) sent to Polly
    dynamics: AudioDynamics
    voice_id: str
    engine: str
    applied_volume: str | None  # prosody volume value actually emitted, None if neutral
    applied_rate: str | None  # prosody rate value actually emitted, None if neutral
    prosody_mode: str = "classes"
    duration: DurationFit | None = None
    volume_note: str | None = None  # why a dimension past the gate emits nothing (dead band)
    rate_note: str | None = None
    synthesis: SynthesizedAudio | None = None
    fallback: Fallback = field(default_factory=Fallback)
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: Set when synthesis failed after the analysis and SSML succeeded (nothing is lost:
    #: the response still carries the SSML and the measurements).
    synthesis_error: SynthesisError | None = None
