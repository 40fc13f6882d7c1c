"""Long-running stability: 10,000 in-process invocations of one app (one warm container).

GIVEN one app with the caching synthesizer around an in-memory backend, WHEN it handles
10,000 varied valid events (sample events and generated clips, WAV/FLAC/OGG/PCM16/sample
lists, voices, engines, options, with and without transcripts, metrics and logs on and
written to a sink), THEN after a warm-up of 200 invocations peak RSS grows by less than
10 MiB and no file descriptor is left open. Every response must still be a 200.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emotion_dynamics.app import App
from emotion_dynamics.cache import CachingSynthesizer, SynthesisCache
from emotion_dynamics.config import load_config
from emotion_dynamics.observability import Telemetry
from tests.hardening import hostile
from tests.hardening.figures import record
from tests.support import FakeContext, FakeSynthesizer, event_names, load_event

INVOCATIONS = 10_000
WARM_UP = 200
RSS_BUDGET_KIB = 10 * 1024
VOICES = ("Joanna", "Matthew", "Amy", "Brian", "Lupe")
ENGINES = ("neural", "standard", "generative", "long-form")


class Sink(io.TextIOBase):
    """A text stream that counts what is written and keeps nothing."""

    def __init__(self) -> None:
        self.chars = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.chars += len(s)
        return len(s)


def status_kib() -> dict[str, int]:
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":")
            out[name] = int(value.split()[0])
    return out


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if the kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def events() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two pools of valid events: the sample events, and short generated clips."""
    samples = [load_event(name) for name in event_names("valid_")]
    clips: list[dict[str, Any]] = []
    rng = np.random.default_rng(1)
    for i, (rate, fmt, seconds) in enumerate(
        [(8000, "WAV", 0.5), (16000, "FLAC", 0.6), (22050, "OGG", 0.8), (48000, "WAV", 0.3),
         (11025, "FLAC", 1.0), (16000, "WAV", 0.4), (44100, "OGG", 0.4), (24000, "WAV", 0.5)]
    ):  # fmt: skip
        level = float(rng.uniform(0.01, 0.9))
        clip = hostile.buzz(seconds, rate, level=level, syllables_per_s=float(rng.uniform(2, 7)))
        clips.append(
            {
                "audio_base64": hostile.b64(hostile.encode(clip, rate, fmt)),
                "text": f"Clip number {i}, level {level:.2f}.",
            }
        )
    pcm = (hostile.buzz(0.5, 16000) * 32767).astype("<i2").tobytes()
    clips.append(
        {"audio_base64": hostile.b64(pcm), "sample_rate": 16000, "text": "Raw PCM sixteen."}
    )
    clips.append(
        {
            "audio_data": [round(float(x), 4) for x in hostile.buzz(0.3, 8000)],
            "sample_rate": 8000,
            "text": "A list.",
        }
    )
    return samples, clips


def vary(event: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
    varied = dict(event)
    varied["voice_id"] = rng.choice(VOICES)
    varied["engine"] = rng.choice(ENGINES)
    varied["request_id"] = f"soak-{n}"
    varied["options"] = {
        "synthesize": rng.random() < 0.7,
        "enable_ssml": rng.random() < 0.9,
        "enable_volume_detection": rng.random() < 0.9,
        "enable_rate_detection": rng.random() < 0.9,
    }
    if rng.random() < 0.3:
        varied["source_transcript"] = "eins zwei drei vier fünf sechs sieben"
    if rng.random() < 0.5:
        # a new text each time: the synthesis cache keeps filling and evicting (LRU, 64 entries)
        varied["text"] = f"{event['text']} #{n}"
    return varied


@pytest.mark.slow
def test_ten_thousand_invocations_leak_no_memory_and_no_fds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load_config({"LOG_LEVEL": "INFO", "ENABLE_METRICS": "true", "CACHE_MAX_ENTRIES": "64"})
    logs = Sink()
    metrics = Sink()
    synth = CachingSynthesizer(
        FakeSynthesizer(audio=b"ID3" + bytes(2000)), SynthesisCache(ttl_s=300, max_entries=64)
    )
    app = App(config, synth, Telemetry(config, stream=logs))
    # Powertools' logger propagates to the root logger; in Lambda it filters the root
    # handlers (log de-duplication) but deliberately not pytest's LogCaptureHandler, which
    # would keep all 10,000 records in memory for the test report. Keep them out of it.
    stdlib_logger = getattr(app.telemetry.logger, "_logger", app.telemetry.logger)
    monkeypatch.setattr(stdlib_logger, "propagate", False)
    inner = synth.inner
    assert isinstance(inner, FakeSynthesizer)
    samples, clips = events()
    rng = random.Random(20261130)
    context = FakeContext()
    statuses: dict[int, int] = {}
    rss_samples: list[int] = []
    started = time.perf_counter()
    with contextlib.redirect_stdout(metrics):  # Powertools prints EMF documents to stdout
        for n in range(INVOCATIONS):
            if n == WARM_UP:
                fds_before = open_fds()
                rss_before = status_kib()
                peak_reset = reset_peak_rss()
                hwm_before = status_kib()["VmHWM"]
            # a quarter of the sample events (up to 2.5 s), the rest short clips: under a minute
            event = rng.choice(samples) if rng.random() < 0.25 else rng.choice(clips)
            response = app.handle(vary(event, rng, n), context)
            statuses[response["statusCode"]] = statuses.get(response["statusCode"], 0) + 1
            inner.requests.clear()  # the fake keeps every request; a real client does not
            if n % 500 == 0:
                rss_samples.append(status_kib()["VmRSS"])
    wall_s = time.perf_counter() - started
    fds_after = open_fds()
    rss_after = status_kib()
    growth_kib = (
        rss_after["VmHWM"] - hwm_before if peak_reset else max(rss_samples) - rss_before["VmRSS"]
    )
    record(
        "soak",
        invocations=INVOCATIONS,
        warm_up=WARM_UP,
        wall_s=round(wall_s, 1),
        ms_per_invocation=round(wall_s * 1000 / INVOCATIONS, 2),
        statuses={str(k): v for k, v in statuses.items()},
        rss_kib_after_warm_up=rss_before["VmRSS"],
        peak_rss_kib_after_warm_up=hwm_before,
        peak_rss_kib_end=rss_after["VmHWM"],
        rss_kib_end=rss_after["VmRSS"],
        peak_rss_growth_kib=growth_kib,
        peak_measured_by="VmHWM reset via /proc/self/clear_refs"
        if peak_reset
        else "VmRSS sampled every 500",
        fds_before=fds_before,
        fds_after=fds_after,
        cache_entries=len(synth.cache),
        log_chars=logs.chars,
        emf_chars=metrics.chars,
    )
    assert statuses == {200: INVOCATIONS}, statuses
    assert growth_kib < RSS_BUDGET_KIB, f"peak RSS grew by {growth_kib} KiB"
    assert fds_after <= fds_before, (fds_before, fds_after)
    assert len(synth.cache) <= 64
    assert logs.chars > 0 and metrics.chars > 0
