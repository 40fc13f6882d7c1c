"""Warm latency per 3 s 16 kHz segment: the project's stages beside a numpy floor and the seed.

Every timing is ``repeats`` calls in this process after ``warmup`` calls; medians and p95 are
reported. The floor is the least any level + syllable estimate can cost in numpy: one framed
RMS (25 ms frames, 10 ms hop) and one peak pick on that envelope. The seed's approach is
librosa's ``feature.rms`` + ``onset.onset_strength`` + ``onset.onset_detect``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.common import (
    FloatArray,
    NotMeasured,
    Segment,
    null_stream,
    quiet_stdout,
    summary,
    time_calls,
    wav_bytes,
)

TEXT = "Thank you for calling. Your order has shipped and will arrive on Tuesday."


def numpy_floor(x: FloatArray, sr: int) -> tuple[float, int]:
    """One framed RMS and one envelope peak pick (the cheapest possible level + syllable count)."""
    frame, hop = int(0.025 * sr), int(0.010 * sr)
    frames = np.lib.stride_tricks.sliding_window_view(x, frame)[::hop]
    power = np.einsum("ij,ij->i", frames, frames) / frame
    gate = power.max() * 1e-4
    level = 10.0 * np.log10(power[power > gate].mean())
    e = power
    peaks = (e[1:-1] > e[:-2]) & (e[1:-1] >= e[2:]) & (e[1:-1] > gate)
    return float(level), int(np.count_nonzero(peaks))


def _stages(segment: Segment, notes: NotMeasured) -> dict[str, Callable[[], object] | str]:
    x, sr = segment.samples, segment.sample_rate
    stages: dict[str, Callable[[], object] | str] = {}
    stages["numpy floor (framed RMS + envelope peak pick)"] = lambda: numpy_floor(x, sr)
    try:
        from emotion_dynamics.config import default_config
        from emotion_dynamics.detectors.rate import detect_rate
        from emotion_dynamics.detectors.volume import detect_volume
        from emotion_dynamics.ssml import build_ssml

        config = default_config()
        vol, rate = config.volume, config.rate
        stages["volume detector"] = lambda: detect_volume(x, sr, thresholds=vol)
        stages["rate detector (acoustic)"] = lambda: detect_rate(x, sr, thresholds=rate)
        stages["SSML generation"] = lambda: build_ssml(TEXT, volume="loud", rate="fast")

        def detectors_and_ssml() -> object:
            v = detect_volume(x, sr, thresholds=vol)
            r = detect_rate(x, sr, thresholds=rate)
            return build_ssml(TEXT, volume=v.volume_class.value, rate=r.rate_class.value)

        stages["detectors + SSML"] = detectors_and_ssml
        stages.update(_orchestrator_stages(segment, config))
    except ImportError as exc:
        why = notes.add("project latency rows", f"detectors not importable ({exc})")
        for name in (
            "volume detector",
            "rate detector (acoustic)",
            "detectors + SSML",
            "orchestrator",
        ):
            stages[name] = why
    try:
        from benchmarks.peers.librosa_onsets import seed_features

        stages["seed: librosa RMS + onset detection"] = lambda: seed_features(x, sr)
    except ImportError as exc:
        stages["seed: librosa RMS + onset detection"] = notes.add(
            "seed latency", f"librosa missing ({exc})"
        )
    return stages


def _orchestrator_stages(segment: Segment, config: Any) -> dict[str, Callable[[], object]]:
    from emotion_dynamics.app import App
    from emotion_dynamics.event import parse_event
    from emotion_dynamics.observability import Telemetry
    from emotion_dynamics.orchestrator import Orchestrator

    class _NoSynthesizer:
        def synthesize(self, request: object, *, remaining_ms: object = None) -> object:
            raise AssertionError("synthesize=false: no synthesis expected")

    event = {
        "audio_base64": base64.b64encode(wav_bytes(segment.samples, segment.sample_rate)).decode(),
        "text": TEXT,
        "options": {"synthesize": False},
    }
    request = parse_event(event, config)
    orchestrator = Orchestrator(config, _NoSynthesizer())  # type: ignore[arg-type]
    app = App(config, _NoSynthesizer(), Telemetry(config, stream=null_stream()))  # type: ignore[arg-type]

    def handle() -> object:
        response = app.handle(event)
        if response["statusCode"] != 200:
            raise RuntimeError(
                f"App.handle returned {response['statusCode']}: {response.get('error')}"
            )
        return response

    return {
        "orchestrator.process (no Polly)": lambda: orchestrator.process(request),
        "App.handle (parse + WAV decode + orchestrator + response + logs/EMF; no Polly)": handle,
    }


def run(segment: Segment, notes: NotMeasured, *, repeats: int, warmup: int) -> dict[str, Any]:
    """Time every stage, one stage after the other (as ``timeit`` does).

    Interleaving the stages call by call was tried and rejected: librosa's worker threads and
    its memory traffic then slow the numpy stages timed after it by about 3x.
    """
    rows: dict[str, dict[str, float] | str] = {}
    for name, stage in _stages(segment, notes).items():
        if isinstance(stage, str):
            rows[name] = stage
            continue
        try:
            with quiet_stdout():
                wall, cpu = time_calls(stage, repeats=repeats, warmup=warmup)
            rows[name] = {**summary(wall), "cpu_median": summary(cpu)["median"]}
        except Exception as exc:
            rows[name] = notes.add(f"latency: {name}", f"{type(exc).__name__}: {exc}")
    return {"rows": rows, "repeats": repeats, "warmup": warmup, "segment": segment.source}
