"""The orchestrator: request -> detectors -> prosody decision -> SSML -> synthesis.

It holds no AWS or DSP code of its own: it calls the detectors, the SSML generator and a
:class:`~emotion_dynamics.synthesis.Synthesizer` (Polly in Lambda, espeak-ng locally),
times each stage and records why it fell back to neutral prosody or plain text.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from emotion_dynamics.audio import resample
from emotion_dynamics.config import Config
from emotion_dynamics.contract import ENABLE_SSML, MIN_STABILITY_THRESHOLD
from emotion_dynamics.detectors.rate import detect_rate
from emotion_dynamics.detectors.volume import detect_volume
from emotion_dynamics.errors import SynthesisError
from emotion_dynamics.event import Request
from emotion_dynamics.models import (
    AudioDynamics,
    DurationFit,
    Fallback,
    ProcessingResult,
    RateResult,
    SynthesizedAudio,
    VolumeResult,
)
from emotion_dynamics.prosody import Prosody, choose_prosody
from emotion_dynamics.ssml import build_ssml
from emotion_dynamics.synthesis import SynthesisRequest, Synthesizer
from emotion_dynamics.voices import VoiceProfile, profile_for

__all__ = ["Orchestrator", "VoiceLookup"]

#: The measured profile of a voice on an engine, if any (config's profiles by default).
VoiceLookup = Callable[[str, str], VoiceProfile | None]


class Orchestrator:
    """Runs one request through the pipeline; create once per container."""

    def __init__(
        self,
        config: Config,
        synthesizer: Synthesizer,
        *,
        voices: VoiceLookup | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._config = config
        self._synthesizer = synthesizer
        self._voices: VoiceLookup = voices or (
            lambda voice, engine: profile_for(config.prosody.voice_profiles, voice, engine)
        )
        self._clock = clock

    def _timed(self, timings: dict[str, float], key: str, start: float) -> float:
        now = self._clock()
        timings[key] = round((now - start) * 1000.0, 3)
        return now

    def analyse(self, request: Request, timings: dict[str, float]) -> AudioDynamics:
        """Run the enabled detectors on the request's audio."""
        config, options = self._config, request.options
        audio = request.audio
        start = self._clock()
        samples = resample(audio.samples, audio.sample_rate, config.audio_sample_rate)
        start = self._timed(timings, "resample", start)
        volume: VolumeResult | None = None
        rate: RateResult | None = None
        if options.enable_volume_detection:
            volume = detect_volume(samples, config.audio_sample_rate, thresholds=config.volume)
            start = self._timed(timings, "volume_detection", start)
        if options.enable_rate_detection:
            rate = detect_rate(
                samples,
                config.audio_sample_rate,
                thresholds=config.rate,
                transcript=request.source_transcript,
                words=request.source_words,
                language=request.source_language,
                language_given=request.language_given,
                acoustic_scale=config.rate_acoustic_scale,
            )
            self._timed(timings, "rate_detection", start)
        return AudioDynamics(
            volume=volume,
            rate=rate,
            duration_s=audio.duration_s,
            sample_rate=audio.sample_rate,
            source_format=audio.source_format,
            codec=audio.codec,
            channels=audio.channels,
            clipped_samples=audio.clipped_samples,
            trimmed_from_s=audio.trimmed_from_s,
            kept=audio.kept,
        )

    def gate(self, dynamics: AudioDynamics) -> tuple[bool, bool, Fallback]:
        """Which dimensions may shape the voice; one below the stability threshold stays neutral."""
        fallback = Fallback()
        volume_ok = rate_ok = False
        if dynamics.volume is not None:
            volume_ok, fallback = self._gate(
                "volume", dynamics.volume.level_dbfs, dynamics.volume.confidence, fallback
            )
        if dynamics.rate is not None:
            for note in dynamics.rate.notes:
                fallback = fallback.plus(note)
            mode = self._config.prosody.mode
            rate_ok, fallback = self._gate(
                "rate",
                dynamics.rate.wpm,
                dynamics.rate.gate_confidence(mode),
                fallback,
                kind="relative confidence" if mode == "relative" else "confidence",
            )
        return volume_ok, rate_ok, fallback

    def _gate(
        self,
        name: str,
        measured: float | None,
        confidence: float,
        fallback: Fallback,
        *,
        kind: str = "confidence",
    ) -> tuple[bool, Fallback]:
        """Whether one dimension passes, or ``False`` and the reason it stays neutral."""
        minimum = self._config.min_stability
        if measured is None:
            return False, fallback.plus(f"{name}: no speech detected; neutral {name}")
        if confidence < minimum:
            return False, fallback.plus(
                f"{name}: {kind} {confidence:.2f} below {MIN_STABILITY_THRESHOLD.env} "
                f"{minimum:g}; neutral {name}"
            )
        return True, fallback

    def choose(self, request: Request, dynamics: AudioDynamics) -> tuple[Prosody, Fallback]:
        """The prosody values of the dimensions that pass the gate."""
        volume_ok, rate_ok, fallback = self.gate(dynamics)
        prosody = choose_prosody(
            request.text,
            volume=dynamics.volume if volume_ok else None,
            rate=dynamics.rate if rate_ok else None,
            settings=self._config.prosody,
            profile=self._voices(request.voice_id, request.engine),
            engine=request.engine,
            max_duration_s=request.options.max_duration_s,
            fit_to_source=request.options.fit_to_source,
            speaker_speech_s=dynamics.rate.speech_s if dynamics.rate else None,
        )
        return prosody, fallback

    def process(
        self, request: Request, *, remaining_ms: Callable[[], int] | None = None
    ) -> ProcessingResult:
        """Analyse, build the SSML and (unless ``options.synthesize`` is false) synthesize."""
        timings: dict[str, float] = {}
        begin = self._clock()
        dynamics = self.analyse(request, timings)
        start = self._clock()
        prosody, fallback = self.choose(request, dynamics)
        use_ssml = request.options.enable_ssml
        ssml = build_ssml(
            request.text,
            volume=prosody.volume,
            rate=prosody.rate,
            max_duration_ms=prosody.max_duration_ms,
        )
        if not use_ssml:
            fallback = fallback.plus(
                f"ssml: disabled ({ENABLE_SSML.env} or options.enable_ssml); plain text"
            )
        start = self._timed(timings, "ssml_generation", start)
        synthesis = None
        synthesis_error: SynthesisError | None = None
        if request.options.synthesize:
            try:
                synthesis = self._synthesize(request, ssml if use_ssml else None, remaining_ms)
            except SynthesisError as exc:
                synthesis_error = exc
            self._timed(timings, "synthesis", start)
            if synthesis is not None and synthesis.plain_text_fallback:
                fallback = fallback.plus(
                    "ssml: Polly rejected the SSML (InvalidSsml); plain text sent"
                )
        self._timed(timings, "total", begin)
        return ProcessingResult(
            ssml=ssml,
            text_type="ssml"
            if use_ssml and not (synthesis and synthesis.plain_text_fallback)
            else "text",
            dynamics=dynamics,
            voice_id=request.voice_id,
            engine=request.engine,
            applied_volume=prosody.volume if use_ssml else None,
            applied_rate=prosody.rate if use_ssml else None,
            prosody_mode=self._config.prosody.mode,
            duration=_with_actual(prosody.duration, synthesis),
            volume_note=prosody.volume_note,
            rate_note=prosody.rate_note,
            synthesis=synthesis,
            fallback=fallback,
            timings_ms=timings,
            synthesis_error=synthesis_error,
        )

    def _synthesize(
        self, request: Request, ssml: str | None, remaining_ms: Callable[[], int] | None
    ) -> SynthesizedAudio:
        return self._synthesizer.synthesize(
            SynthesisRequest(
                text=request.text,
                ssml=ssml,
                voice_id=request.voice_id,
                engine=request.engine,
                output_format=self._config.polly_output_format,
                sample_rate=self._config.polly_sample_rate,
            ),
            remaining_ms=remaining_ms,
        )


def _with_actual(
    duration: DurationFit | None, synthesis: SynthesizedAudio | None
) -> DurationFit | None:
    """The predicted duration, with the synthesized speech span where the backend gave one."""
    if duration is None or synthesis is None or synthesis.speech_s is None:
        return duration
    return dataclasses.replace(duration, actual_s=synthesis.speech_s)
