"""Real audio files made by ffmpeg and sox (the encoders users have), for decoding tests.

The tools are Debian packages that ``scripts/bootstrap.sh --system`` installs; a test that
needs one is skipped, naming the tool, only where it is genuinely absent.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf


def tool(name: str) -> str:
    """The path of ``name`` (ffmpeg, sox), or skip the calling test saying it is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(
            f"{name} is not installed (Debian package {name}; scripts/bootstrap.sh --system "
            "installs it)"
        )
    return path


def ffmpeg(source: Path, target: Path, *args: str) -> Path:
    """``ffmpeg -i source [args] target``; returns ``target``."""
    subprocess.run(
        [tool("ffmpeg"), "-nostdin", "-v", "error", "-y", "-i", str(source), *args, str(target)],
        check=True,
        timeout=120,
    )
    return target


def ffmpeg_many(source: Path, targets: Sequence[tuple[Path, Sequence[str]]]) -> None:
    """One ffmpeg process writing several outputs: ``-i source args1 target1 args2 target2``."""
    outputs = [part for target, args in targets for part in (*args, str(target))]
    subprocess.run(
        [tool("ffmpeg"), "-nostdin", "-v", "error", "-y", "-i", str(source), *outputs],
        check=True,
        timeout=120,
    )


def sox(source: Path, target: Path, *args: str) -> Path:
    """``sox source [args] target`` (output options before the target, effects after)."""
    subprocess.run([tool("sox"), str(source), *args, str(target)], check=True, timeout=120)
    return target


def buzz(
    seconds: float, sample_rate: int, *, level: float = 0.3, syllables_per_s: float = 4.0
) -> npt.NDArray[np.float32]:
    """Speech-like test signal: a 120 Hz harmonic buzz, amplitude-modulated like syllables."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    voice = sum(np.sin(2 * np.pi * 120 * k * t) / k for k in range(1, 20))
    envelope = np.clip(np.sin(np.pi * syllables_per_s * t), 0, None) ** 2
    peak = float(np.max(np.abs(voice))) or 1.0
    return np.asarray(level * voice / peak * envelope, dtype=np.float32)


def encoded(
    samples: npt.NDArray[np.floating], sample_rate: int, fmt: str, subtype: str | None = None
) -> bytes:
    """``samples`` written by libsndfile into memory as ``fmt``/``subtype``."""
    buffer = io.BytesIO()
    sf.write(buffer, samples, sample_rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def write_wav(path: Path, samples: npt.NDArray[np.floating], sample_rate: int) -> Path:
    """A PCM16 WAV at ``path``."""
    sf.write(path, samples, sample_rate, subtype="PCM_16")
    return path
