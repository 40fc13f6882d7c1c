"""Active-speech level of a speech segment, and its volume class.

Level in dBFS (``10 * log10(mean(x ** 2))``: a full-scale square wave is 0 dBFS) over the
25 ms frames that pass an absolute gate (-70 dBFS) and a gate 30 dB below their power mean,
so pauses and added silence barely move it. Method, confidence and measured figures:
``docs/design/volume.md``.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from emotion_dynamics.config import VolumeThresholds
from emotion_dynamics.detectors.framing import (
    HOP_S,
    frame_power,
    percentile,
    power_to_dbfs,
)
from emotion_dynamics.models import VolumeClass, VolumeResult

__all__ = [
    "ABSOLUTE_GATE_DBFS",
    "RELATIVE_GATE_DB",
    "classify_volume",
    "detect_volume",
]

#: Frames at or below this level never count as speech (dBFS).
ABSOLUTE_GATE_DBFS: Final = -70.0
#: Frames more than this far below the power mean of the absolutely gated frames are pauses (dB).
RELATIVE_GATE_DB: Final = 30.0
#: Active speech at which the duration term of the confidence saturates (s).
FULL_CONFIDENCE_SPEECH_S: Final = 0.6
#: SNR at or below which the SNR term is 0, and the span over which it rises to 1 (dB).
MIN_SNR_DB: Final = 5.0
SNR_SPAN_DB: Final = 10.0
#: Percentile of the frame levels taken as the noise floor.
NOISE_FLOOR_PERCENTILE: Final = 5.0
#: Lowest noise floor used in the SNR (dBFS); digital silence counts as this.
NOISE_FLOOR_MIN_DBFS: Final = -120.0


def _gated_frames(power: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Mask of the frames passing the absolute and then the relative gate."""
    level_db = power_to_dbfs(power)
    above_abs = level_db > ABSOLUTE_GATE_DBFS
    if not np.any(above_abs):
        return above_abs
    stage1_db = float(power_to_dbfs(np.mean(power[above_abs])))
    return above_abs & (level_db > stage1_db - RELATIVE_GATE_DB)


def classify_volume(level_dbfs: float, thresholds: VolumeThresholds) -> VolumeClass:
    """Volume class of a level: ``>= loud`` LOUD, ``>= medium`` MEDIUM, ``>= soft`` SOFT, else X_SOFT."""
    if level_dbfs >= thresholds.loud_dbfs:
        return VolumeClass.LOUD
    if level_dbfs >= thresholds.medium_dbfs:
        return VolumeClass.MEDIUM
    if level_dbfs >= thresholds.soft_dbfs:
        return VolumeClass.SOFT
    return VolumeClass.X_SOFT


def _confidence(level_dbfs: float, active_s: float, power: npt.NDArray[np.float64]) -> float:
    duration_term = min(1.0, active_s / FULL_CONFIDENCE_SPEECH_S)
    floor_db = percentile(power_to_dbfs(power), NOISE_FLOOR_PERCENTILE)
    floor_db = max(floor_db, NOISE_FLOOR_MIN_DBFS)
    snr_db = level_dbfs - floor_db
    snr_term = min(1.0, max(0.0, (snr_db - MIN_SNR_DB) / SNR_SPAN_DB))
    return float(min(1.0, max(0.0, duration_term * snr_term)))


def detect_volume(
    samples: np.ndarray, sample_rate: int, *, thresholds: VolumeThresholds
) -> VolumeResult:
    """Measure the active-speech level and classify it (``docs/design/volume.md``).

    Never raises on finite input of at least one sample; silent or sub-gate audio gives
    ``level_dbfs=None``, class MEDIUM and confidence 0.0.
    """
    power = frame_power(samples, sample_rate)
    mask = _gated_frames(power)
    if not np.any(mask):
        return VolumeResult(
            level_dbfs=None, volume_class=VolumeClass.MEDIUM, confidence=0.0, active_speech_s=0.0
        )
    level = float(power_to_dbfs(np.mean(power[mask])))
    n_samples = int(np.asarray(samples).size)
    active_s = min(float(np.count_nonzero(mask)) * HOP_S, n_samples / sample_rate)
    return VolumeResult(
        level_dbfs=level,
        volume_class=classify_volume(level, thresholds),
        confidence=_confidence(level, active_s, power),
        active_speech_s=active_s,
    )
