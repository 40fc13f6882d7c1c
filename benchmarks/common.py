"""Shared helpers of the benchmark suite: paths, statistics, the test segment, "not measured".

Benchmarks are not tests: nothing here asserts a time. Every module returns plain data
(dicts of numbers and notes) that ``run.py`` turns into Markdown.
"""

from __future__ import annotations

import contextlib
import csv
import io
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
SPEECH_DEV: Final = (REPO_ROOT / ".." / "shared" / "speech-dev").resolve()
BUILD_DIR: Final = REPO_ROOT / "build"
CACHE_DIR: Final = BUILD_DIR / "bench-cache"
SEGMENT_RATE: Final = 16000
SEGMENT_S: Final = 3.0
SEED: Final = 0

FloatArray = npt.NDArray[np.float64]


@dataclass
class NotMeasured:
    """What the run could not measure, and why (printed at the end of the report)."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, what: str, why: str) -> str:
        why = " ".join(why.split())  # one line: it goes into a table cell
        if (what, why) not in self.items:
            self.items.append((what, why))
        return f"not measured: {why}"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def summary(values: list[float]) -> dict[str, float]:
    """Median, p95, min, max and count of a list of timings (or sizes)."""
    return {
        "median": float(statistics.median(values)),
        "p95": percentile(values, 95),
        "min": float(min(values)),
        "max": float(max(values)),
        "n": float(len(values)),
    }


def time_calls(
    fn: Callable[[], object], *, repeats: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Wall and CPU time of ``repeats`` calls of ``fn`` after ``warmup`` calls, in milliseconds.

    CPU time (``time.process_time_ns``) is what the call itself used: on a machine shared with
    other work it moves much less than the wall time does.
    """
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    clock, cpu_clock = time.perf_counter_ns, time.process_time_ns
    for _ in range(repeats):
        start, cpu_start = clock(), cpu_clock()
        fn()
        cpu.append((cpu_clock() - cpu_start) / 1e6)
        wall.append((clock() - start) / 1e6)
    return wall, cpu


class _NullWriter(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Swallow ``print`` output (EMF metrics) while timing."""
    with contextlib.redirect_stdout(_NullWriter()):
        yield


def null_stream() -> Any:
    return _NullWriter()


def speech_dev_rows() -> list[dict[str, str]]:
    manifest = SPEECH_DEV / "manifest.csv"
    with manifest.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Segment:
    """The 3 s 16 kHz test segment and where it came from."""

    samples: FloatArray
    sample_rate: int
    source: str
    transcript: str | None


def test_segment() -> Segment:
    """The first speech-dev clip (manifest order) at least 3 s long, cut to exactly 3 s.

    Falls back to espeak-ng speech resampled to 16 kHz when speech-dev is absent.
    """
    import soundfile as sf

    n = int(SEGMENT_S * SEGMENT_RATE)
    if (SPEECH_DEV / "manifest.csv").is_file():
        rows = speech_dev_rows()
        for row in rows:
            if float(row["duration_s"]) >= SEGMENT_S:
                x, sr = sf.read(str(SPEECH_DEV / row["file"]), dtype="float64", always_2d=True)
                if sr == SEGMENT_RATE:
                    mono = np.ascontiguousarray(x.mean(axis=1)[:n])
                    return Segment(mono, sr, f"speech-dev {row['file']} (first 3 s)", None)
    return _espeak_segment(n)


def _espeak_segment(n: int) -> Segment:
    import subprocess
    import tempfile

    import soundfile as sf

    text = "The quick brown fox jumps over the lazy dog while the band plays on."
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-w", str(wav), text], check=True, capture_output=True)
        x, sr = sf.read(str(wav), dtype="float64", always_2d=True)
    mono = x.mean(axis=1)
    # Band-limited FFT resampling to 16 kHz (espeak-ng writes 22.05 kHz).
    m = round(mono.size * SEGMENT_RATE / sr)
    y = np.fft.irfft(np.fft.rfft(mono)[: m // 2 + 1], m) * (m / mono.size)
    out = np.zeros(n)
    out[: min(n, y.size)] = y[:n]
    return Segment(out, SEGMENT_RATE, "espeak-ng (speech-dev absent), padded/cut to 3 s", text)


def wav_bytes(samples: FloatArray, sample_rate: int) -> bytes:
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, samples, sample_rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def fmt_ms(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def fmt_mb(size: float) -> str:
    """Bytes as MiB (KiB below 1 MiB)."""
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"
