"""Confidence of an acoustic rate: fitted probabilities that it is right.

Two of them: that its rate class is right (classes mode) and that its relative rate is within
:data:`RELATIVE_TOLERANCE` of the speaker's (relative mode; a constant, since no feature
predicts it better held out). A logistic regression over features the estimator computes anyway, fitted offline on
speech-dev and its degraded copies with leave-one-talker-out checks
(``python -m calibration.rate_model``; reliability table in
``docs/design/rate-confidence.md``). Outside the fitting data's range (shorter speech,
lower SNR) the probability is scaled down in proportion. The constants are that fit's output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

__all__ = [
    "FEATURES",
    "RELATIVE_TOLERANCE",
    "USED",
    "class_probability",
    "relative_probability",
    "support",
]

#: What the estimator hands over, in order (``rate.confidence_features``).
FEATURES: Final = (
    "log_speech_s",
    "log1p_nuclei",
    "clarity_db",
    "range_db",
    "snr_db",
    "voiced_share",
    "boundary_margin",
    "open_class",
    "log_word_to_syllable",
)
#: Relative mode: how far (share of the speaker's rate) the estimate may be and count as right.
RELATIVE_TOLERANCE: Final = 0.15
# --- fitted (python -m calibration.rate_model) ---
#: The model's inputs (a subset of FEATURES), their training mean and standard deviation.
USED: Final = ("boundary_margin", "open_class")
MEAN: Final = (0.0546743, 0.532164)
SCALE: Final = (0.0258132, 0.498964)
WEIGHTS: Final = (-0.00271187, 0.381654)
INTERCEPT: Final = -0.134137
#: Shortest speech span (s) and lowest envelope SNR (dB) in the fitting data.
SUPPORT_MIN_SPEECH_S: Final = 1.345
SUPPORT_MIN_SNR_DB: Final = 19.14
#: Share of the fitting signals (every condition) whose relative rate is within the tolerance;
#: no feature predicts it better held out (docs/design/rate-confidence.md).
RELATIVE_PROBABILITY: Final = 0.9006
# --- end fitted ---
_INDEX: Final = tuple(FEATURES.index(name) for name in USED)
_SPEECH: Final = FEATURES.index("log_speech_s")
_SNR: Final = FEATURES.index("snr_db")


def support(
    features: Sequence[float],
    *,
    min_speech_s: float = SUPPORT_MIN_SPEECH_S,
    min_snr_db: float = SUPPORT_MIN_SNR_DB,
) -> float:
    """1.0 inside the fitting data's range; below it, the shortfall's ratio (in (0, 1))."""
    speech = min(1.0, math.exp(features[_SPEECH]) / min_speech_s)
    snr = min(1.0, max(0.0, features[_SNR]) / min_snr_db)
    return speech * snr


def class_probability(features: Sequence[float]) -> float:
    """Probability in [0, 1) that the rate class of an estimate with ``features`` is right."""
    used = [features[i] for i in _INDEX]
    z = INTERCEPT + sum(
        w * (x - m) / s for w, x, m, s in zip(WEIGHTS, used, MEAN, SCALE, strict=True)
    )
    return support(features) / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def relative_probability(features: Sequence[float]) -> float:
    """Probability that a relative rate with ``features`` is within :data:`RELATIVE_TOLERANCE`."""
    return support(features) * RELATIVE_PROBABILITY
