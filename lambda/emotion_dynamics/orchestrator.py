"""The orchestrator: request -> detectors -> prosody decision -> SSML -> synthesis.

It holds no AWS or DSP code of its own: it calls the detectors, the SSML generator and a
:class:`~emotion_dynamics.synthesis.Synthesizer` (Polly in Lambda, espeak-ng locally),
times each stage and records why it fell back to neutral prosody or plain text.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from emotion_dynamics.audio import resample
from emotion_dynamics.config import Config
from emotion_dynamics.contract import ENABLE_SSML, MIN_STABILITY_THRESHOLD
from emotion_dynamics.detectors.rate import MAX_PLAUSIBLE_WPM, MIN_PLAUSIBLE_WPM, detect_rate
from emotion_dynamics.detectors.volume import detect_volume
from emotion_dynamics.errors import SynthesisError
from emotion_dynamics.event import Request
from emotion_dynamics.models import (
    AudioDynamics,
    Fallback,
    ProcessingResult,
    RateResult,
    SynthesizedAudio,
    VolumeResult,
)
from emotion_dynamics.ssml import build_ssml
from emotion_dynamics.synthesis import SynthesisRequest, Synthesizer

__all__ = ["Orchestrator"]


class Orchestrator:
    """Runs one request through the pipeline; create once per container."""

    def __init__(
        self,
        config: Config,
        synthesizer: Synthesizer,
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._config = config
        self._synthesizer = synthesizer
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

    def decide_prosody(self, dynamics: AudioDynamics) -> tuple[str | None, str | None, Fallback]:
        """Pick the prosody keywords; a dimension below the stability threshold stays neutral."""
        fallback = Fallback()
        volume_kw: str | None = None
        rate_kw: str | None = None
        if dynamics.volume is not None:
            volume = dynamics.volume
            volume_kw, fallback = self._gate(
                "volume", volume.level_dbfs, volume.confidence, volume.volume_class.value, fallback
            )
        if dynamics.rate is not None:
            rate = dynamics.rate
            if rate.implausible_transcript_wpm is not None:
                fallback = fallback.plus(
                    f"rate: source_transcript implies {rate.implausible_transcript_wpm:.0f} WPM, "
                    f"outside human speech ({MIN_PLAUSIBLE_WPM:g}..{MAX_PLAUSIBLE_WPM:g} WPM); "
                    "acoustic estimate used"
                )
            rate_kw, fallback = self._gate(
                "rate", rate.wpm, rate.confidence, rate.rate_class.value, fallback
            )
        return volume_kw, rate_kw, fallback

    def _gate(
        self, name: str, measured: float | None, confidence: float, keyword: str, fallback: Fallback
    ) -> tuple[str | None, Fallback]:
        """The keyword of one dimension, or ``None`` and the reason it stays neutral."""
        minimum = self._config.min_stability
        if measured is None:
            return None, fallback.plus(f"{name}: no speech detected; neutral {name}")
        if confidence < minimum:
            return None, fallback.plus(
                f"{name}: confidence {confidence:.2f} below {MIN_STABILITY_THRESHOLD.env} "
                f"{minimum:g}; neutral {name}"
            )
        return keyword, fallback

    def process(
        self, request: Request, *, remaining_ms: Callable[[], int] | None = None
    ) -> ProcessingResult:
        """Analyse, build the SSML and (unless ``options.synthesize`` is false) synthesize."""
        timings: dict[str, float] = {}
        begin = self._clock()
        dynamics = self.analyse(request, timings)
        volume_kw, rate_kw, fallback = self.decide_prosody(dynamics)
        start = self._clock()
        use_ssml = request.options.enable_ssml
        ssml = build_ssml(request.text, volume=volume_kw, rate=rate_kw)
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
            applied_volume=volume_kw if use_ssml else None,
            applied_rate=rate_kw if use_ssml else None,
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
