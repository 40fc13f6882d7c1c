"""Framing and speech-activity helpers shared by the detectors (pure numpy).

Levels follow the project's dBFS convention: ``dBFS = 10 * log10(mean(x ** 2))`` for
samples ``x`` in [-1, 1], so a full-scale square wave is 0 dBFS and a full-scale sine is
-3.01 dBFS.

The speech span (:func:`speech_span_s`) reproduces the definition used by the speech-dev
manifest: 25 ms frames with a 10 ms hop; the span runs from the first to the last frame whose
RMS is above (loudest frame - 40 dB) and its length is ``(last - first) * hop + frame``.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "FLOOR_DBFS",
    "FRAME_S",
    "HOP_S",
    "SPAN_RELATIVE_GATE_DB",
    "frame_lengths",
    "frame_power",
    "frame_signal",
    "percentile",
    "power_to_dbfs",
    "speech_span_frames",
    "speech_span_s",
]

FloatArray = npt.NDArray[np.float64]

#: Analysis frame length and hop of the level and span measurements (s).
FRAME_S: Final = 0.025
HOP_S: Final = 0.010
#: A frame counts towards the speech span if its level is above the loudest frame minus this.
SPAN_RELATIVE_GATE_DB: Final = 40.0
#: Level reported for digital silence instead of -inf (dBFS).
FLOOR_DBFS: Final = -200.0
_TINY_POWER: Final = 1e-20  # 10 ** (FLOOR_DBFS / 10)


def frame_lengths(
    sample_rate: int, *, frame_s: float = FRAME_S, hop_s: float = HOP_S
) -> tuple[int, int]:
    """Return ``(frame_len, hop_len)`` in samples for a frame and hop given in seconds."""
    frame_len = max(1, round(frame_s * sample_rate))
    hop_len = max(1, round(hop_s * sample_rate))
    return frame_len, hop_len


def frame_signal(samples: npt.ArrayLike, frame_len: int, hop_len: int) -> FloatArray:
    """Cut ``samples`` into frames of ``frame_len`` samples every ``hop_len`` samples.

    Returns a ``(n_frames, frame_len)`` float64 array (a strided view when the input is
    already float64). Only whole frames are kept (the tail shorter than a frame is
    dropped, like the manifest's framing); a signal shorter than one frame gives a single
    frame holding the whole signal, so any input of at least one sample gives one frame.
    """
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if x.size < frame_len:
        return x.reshape(1, -1)
    n_frames = 1 + (x.size - frame_len) // hop_len
    view = np.lib.stride_tricks.sliding_window_view(x, frame_len)[::hop_len]
    return view[:n_frames]


def frame_power(
    samples: npt.ArrayLike,
    sample_rate: int,
    *,
    frame_s: float = FRAME_S,
    hop_s: float = HOP_S,
) -> FloatArray:
    """Mean square (power, full-scale square = 1.0) of each frame; shape ``(n_frames,)``.

    Computed from a cumulative sum of squares, so it costs O(n) whatever the overlap.
    """
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    frame_len, hop_len = frame_lengths(sample_rate, frame_s=frame_s, hop_s=hop_s)
    if x.size == 0:
        return np.zeros(1)
    if x.size < frame_len:
        return np.array([float(np.mean(x * x))])
    cumsum = np.concatenate(([0.0], np.cumsum(x * x)))
    n_frames = 1 + (x.size - frame_len) // hop_len
    starts = np.arange(n_frames) * hop_len
    power = (cumsum[starts + frame_len] - cumsum[starts]) / frame_len
    # The cumulative sum can leave tiny negative rounding residues on silent frames.
    return np.maximum(power, 0.0)


def power_to_dbfs(power: npt.ArrayLike) -> FloatArray:
    """Convert mean-square power to dBFS, flooring digital silence at :data:`FLOOR_DBFS`."""
    p = np.asarray(power, dtype=np.float64)
    return 10.0 * np.log10(np.maximum(p, _TINY_POWER))


def speech_span_frames(
    power: npt.ArrayLike, *, relative_gate_db: float = SPAN_RELATIVE_GATE_DB
) -> tuple[int, int] | None:
    """Return ``(first, last)`` frame indices above ``loudest - relative_gate_db``.

    ``None`` when every frame is digital silence.
    """
    level_db = power_to_dbfs(power)
    loudest = float(np.max(level_db))
    if loudest <= FLOOR_DBFS:
        return None
    active = np.flatnonzero(level_db > loudest - relative_gate_db)
    return int(active[0]), int(active[-1])


def speech_span_s(
    samples: npt.ArrayLike,
    sample_rate: int,
    *,
    relative_gate_db: float = SPAN_RELATIVE_GATE_DB,
) -> float:
    """Speech span in seconds, defined as in the speech-dev manifest (see module docstring).

    Returns 0.0 for digital silence; for a signal shorter than one frame, its length.
    """
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    power = frame_power(x, sample_rate)
    span = speech_span_frames(power, relative_gate_db=relative_gate_db)
    if span is None:
        return 0.0
    frame_len, hop_len = frame_lengths(sample_rate)
    if x.size < frame_len:
        return x.size / sample_rate
    first, last = span
    return ((last - first) * hop_len + frame_len) / sample_rate


def percentile(values: npt.ArrayLike, q: float) -> float:
    """The ``q``-th percentile with numpy's default linear interpolation.

    Same result as ``np.percentile(values, q)``, which in numpy 2.x imports ``numpy.ma`` on
    first use: about 14 ms of every Lambda cold start for a few hundred frame levels.
    """
    ordered = np.sort(np.asarray(values, dtype=np.float64).ravel())
    position = (len(ordered) - 1) * q / 100.0
    low = int(np.floor(position))
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))
