"""Fit ordered class thresholds to labelled features by maximising balanced agreement.

The classes of both dimensions are ordered bands of one number (level in dBFS, rate in WPM):
with ascending thresholds ``t_0 < ... < t_{K-2}``, a value ``x`` gets class index
``#{j : x >= t_j}``. This matches the production classifiers (``>= loud`` is loud;
``< very_slow`` is x-slow). The fitter chooses the thresholds that maximise the *balanced
agreement* (mean per-class recall over the labelled classes) of predicted and labelled
classes, subject to

- bounds: every threshold in ``[low, high]`` (dB in [-60, 0], WPM in [40, 400]);
- order with a minimum gap: ``t_j - t_{j-1} >= min_gap``;
- classes with fewer than ``min_class_size`` labelled clips (and absent classes) do not
  steer the fit; their thresholds stay at the current values where the data allow it.

The search is exact over a finite candidate set (midpoints between consecutive distinct
feature values, the current thresholds and the bounds, rounded to ``resolution``):
balanced agreement is a sum of per-sample weights ``1 / n_class`` over correctly classified
samples, so it decomposes over the class intervals and a dynamic programme over
(threshold index, candidate) finds the optimum in ``O(K * n)``. Ties are broken towards the
smallest total move from the current thresholds (a penalty far below one sample's weight).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from calibration.errors import FitError
from emotion_dynamics.config import RateThresholds, VolumeThresholds
from emotion_dynamics.models import RateClass, VolumeClass

__all__ = [
    "RATE_BOUNDS_WPM",
    "RATE_CLASSES",
    "RATE_NAMES",
    "VOLUME_BOUNDS_DBFS",
    "VOLUME_CLASSES",
    "VOLUME_NAMES",
    "Agreement",
    "agreement",
    "band_indices",
    "empty_classes",
    "fit_ordered_thresholds",
    "fit_rate",
    "fit_volume",
    "rate_cuts",
    "volume_cuts",
]

VOLUME_CLASSES: Final = tuple(VolumeClass)  # x-soft, soft, medium, loud (ascending level)
RATE_CLASSES: Final = tuple(RateClass)  # x-slow, slow, medium, fast, x-fast (ascending WPM)
VOLUME_NAMES: Final = tuple(c.value for c in VOLUME_CLASSES)
RATE_NAMES: Final = tuple(c.value for c in RATE_CLASSES)
VOLUME_BOUNDS_DBFS: Final = (-60.0, 0.0)
RATE_BOUNDS_WPM: Final = (40.0, 400.0)
MIN_GAP_DB: Final = 2.0
MIN_GAP_WPM: Final = 10.0
_TIE_PENALTY: Final = 1e-9

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def empty_classes(features: Iterable[Any]) -> dict[str, list[str]]:
    """Per dimension (``volume``, ``rate``), the classes no clip of ``features`` is labelled.

    ``features`` have ``volume_label`` and ``rate_label`` (labelled clips' features).
    """
    clips = list(features)
    empty = {}
    for dimension, names in (("volume", VOLUME_NAMES), ("rate", RATE_NAMES)):
        labels = {getattr(f, f"{dimension}_label") for f in clips}
        empty[dimension] = [name for name in names if name not in labels]
    return empty


def volume_cuts(thresholds: VolumeThresholds) -> tuple[float, float, float]:
    """Ascending cut points ``(soft, medium, loud)`` in dBFS."""
    return (thresholds.soft_dbfs, thresholds.medium_dbfs, thresholds.loud_dbfs)


def rate_cuts(thresholds: RateThresholds) -> tuple[float, float, float, float]:
    """Ascending cut points ``(very_slow, slow, medium, fast)`` in WPM."""
    return (
        thresholds.very_slow_wpm,
        thresholds.slow_wpm,
        thresholds.medium_wpm,
        thresholds.fast_wpm,
    )


def band_indices(values: npt.ArrayLike, cuts: Sequence[float]) -> IntArray:
    """Class index of each value: the number of cuts at or below it."""
    x = np.asarray(values, dtype=np.float64)
    return np.searchsorted(np.asarray(cuts, dtype=np.float64), x, side="right").astype(np.int64)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement of predicted with labelled classes.

    ``confusion[i, j]`` counts clips labelled ``classes[i]`` predicted ``classes[j]``;
    ``balanced`` is the mean recall over the labelled classes present; ``within_one`` the
    share predicted at most one class away.
    """

    classes: tuple[str, ...]
    confusion: IntArray
    n: int
    exact: float
    balanced: float
    within_one: float
    recall: dict[str, float]


def agreement(labels: npt.ArrayLike, predicted: npt.ArrayLike, classes: Sequence[str]) -> Agreement:
    """Score predicted class indices against labelled class indices."""
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(predicted, dtype=np.int64)
    k = len(classes)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (y, p), 1)
    n = int(y.size)
    counts = confusion.sum(axis=1)
    recall = {classes[i]: float(confusion[i, i] / counts[i]) for i in range(k) if counts[i] > 0}
    return Agreement(
        classes=tuple(classes),
        confusion=confusion,
        n=n,
        exact=float(np.trace(confusion) / n) if n else float("nan"),
        balanced=float(np.mean(list(recall.values()))) if recall else float("nan"),
        within_one=float(np.mean(np.abs(y - p) <= 1)) if n else float("nan"),
        recall=recall,
    )


def _candidates(
    x: FloatArray, current: FloatArray, low: float, high: float, resolution: float
) -> FloatArray:
    distinct = np.unique(x)
    mids = (distinct[:-1] + distinct[1:]) / 2.0
    below = distinct[:1] - resolution  # everything at or above
    above = distinct[-1:] + resolution  # everything below
    pool = np.concatenate((mids, below, above, current, [low, high]))
    pool = np.round(np.clip(pool, low, high) / resolution) * resolution
    return np.unique(np.clip(pool, low, high))


def fit_ordered_thresholds(
    values: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    n_classes: int,
    current: Sequence[float],
    bounds: tuple[float, float],
    min_gap: float,
    min_class_size: int = 3,
    resolution: float = 0.1,
) -> tuple[float, ...]:
    """Return ascending thresholds maximising balanced agreement (see the module docstring).

    Parameters
    ----------
    values, labels
        Feature values and class indices (``0 .. n_classes - 1``), same length; NaN values
        are ignored.
    n_classes
        Number of ordered classes (one more than the number of thresholds).
    current
        The ``n_classes - 1`` current thresholds, ascending: kept where the data allow.
    bounds
        ``(low, high)`` for every threshold.
    min_gap
        Smallest allowed distance between consecutive thresholds.
    min_class_size
        Classes with fewer labelled values do not steer the fit.
    resolution
        Thresholds are multiples of it.

    Raises
    ------
    FitError
        When the inputs are inconsistent or the bounds cannot hold the gaps.

    """
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    y = np.asarray(labels, dtype=np.int64).reshape(-1)
    cur = np.asarray(current, dtype=np.float64).reshape(-1)
    low, high = bounds
    n_cuts = n_classes - 1
    if x.size != y.size:
        raise FitError(f"values and labels differ in length: given {x.size} and {y.size}")
    if cur.size != n_cuts:
        raise FitError(f"expected {n_cuts} current thresholds, given {cur.size}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise FitError(f"labels must lie in 0..{n_classes - 1}, given {y.min()}..{y.max()}")
    if not high - low >= (n_cuts - 1) * min_gap:
        raise FitError(f"bounds {bounds} cannot hold {n_cuts} thresholds {min_gap:g} apart")
    keep = np.isfinite(x)
    x, y = x[keep], y[keep]
    counts = np.bincount(y, minlength=n_classes)
    steering = counts >= max(1, min_class_size)
    if not steering.any():
        raise FitError(
            f"no class has at least {min_class_size} labelled values (counts {counts.tolist()})"
        )
    # The current thresholds, made feasible (inside the bounds, in order, gaps kept).
    anchor = np.clip(np.sort(cur), low, high)
    for j in range(1, n_cuts):
        anchor[j] = max(anchor[j], anchor[j - 1] + min_gap)
    anchor = np.minimum(anchor, high - min_gap * np.arange(n_cuts - 1, -1, -1))

    weights = np.where(steering[y], 1.0 / np.maximum(counts[y], 1), 0.0) / int(steering.sum())
    cand = _candidates(x, anchor, low, high, resolution)
    order = np.argsort(x, kind="stable")
    xs, ys, ws = x[order], y[order], weights[order]
    # below[k, c] = weight of class k strictly below candidate c (x < c predicts a lower class).
    position = np.searchsorted(xs, cand, side="left")
    below = np.zeros((n_classes, cand.size))
    total = np.zeros(n_classes)
    for k in range(n_classes):
        cumulative = np.concatenate(([0.0], np.cumsum(np.where(ys == k, ws, 0.0))))
        below[k] = cumulative[position]
        total[k] = cumulative[-1]
    span = max(high - low, 1e-12)
    # Predecessor index allowed for each candidate: the last candidate at most c - min_gap.
    allowed = np.searchsorted(cand, cand - min_gap + 1e-9 * span, side="right") - 1

    score = below[0] - _TIE_PENALTY * np.abs(cand - anchor[0]) / span - below[1]
    back = np.zeros((n_cuts, cand.size), dtype=np.int64)
    for j in range(1, n_cuts):
        best = np.maximum.accumulate(score)
        best_at = _running_argmax(score)
        prev_best = np.where(allowed >= 0, best[np.maximum(allowed, 0)], -np.inf)
        back[j] = np.where(allowed >= 0, best_at[np.maximum(allowed, 0)], -1)
        score = prev_best + below[j] - _TIE_PENALTY * np.abs(cand - anchor[j]) / span - below[j + 1]
    final = score + total[n_cuts]
    if not np.isfinite(final).any():
        raise FitError(f"no thresholds fit in {bounds} with gaps of {min_gap:g}")
    index = int(np.argmax(final))
    chosen = [index]
    for j in range(n_cuts - 1, 0, -1):
        index = int(back[j, index])
        chosen.append(index)
    return tuple(
        round(float(np.round(cand[i] / resolution) * resolution), 6) for i in reversed(chosen)
    )


def _running_argmax(score: FloatArray) -> IntArray:
    """Index of the first maximum of ``score[: i + 1]`` for every ``i``."""
    out = np.zeros(score.size, dtype=np.int64)
    best_index = 0
    for i in range(1, score.size):
        if score[i] > score[best_index]:
            best_index = i
        out[i] = best_index
    return out


def fit_volume(
    levels_dbfs: npt.ArrayLike,
    labels: Sequence[VolumeClass | str],
    current: VolumeThresholds,
    *,
    bounds: tuple[float, float] = VOLUME_BOUNDS_DBFS,
    min_gap_db: float = MIN_GAP_DB,
    min_class_size: int = 3,
    resolution_db: float = 0.1,
) -> VolumeThresholds:
    """Fit the volume thresholds to measured levels (NaN: no speech) and labelled classes."""
    y = [VOLUME_CLASSES.index(VolumeClass(label)) for label in labels]
    soft, medium, loud = fit_ordered_thresholds(
        levels_dbfs,
        y,
        n_classes=len(VOLUME_CLASSES),
        current=volume_cuts(current),
        bounds=bounds,
        min_gap=min_gap_db,
        min_class_size=min_class_size,
        resolution=resolution_db,
    )
    return VolumeThresholds(loud_dbfs=loud, medium_dbfs=medium, soft_dbfs=soft)


def fit_rate(
    wpm: npt.ArrayLike,
    labels: Sequence[RateClass | str],
    current: RateThresholds,
    *,
    bounds: tuple[float, float] = RATE_BOUNDS_WPM,
    min_gap_wpm: float = MIN_GAP_WPM,
    min_class_size: int = 3,
    resolution_wpm: float = 0.5,
) -> RateThresholds:
    """Fit the rate thresholds to estimated WPM (NaN: no estimate) and labelled classes."""
    y = [RATE_CLASSES.index(RateClass(label)) for label in labels]
    very_slow, slow, medium, fast = fit_ordered_thresholds(
        wpm,
        y,
        n_classes=len(RATE_CLASSES),
        current=rate_cuts(current),
        bounds=bounds,
        min_gap=min_gap_wpm,
        min_class_size=min_class_size,
        resolution=resolution_wpm,
    )
    return RateThresholds(very_slow_wpm=very_slow, slow_wpm=slow, medium_wpm=medium, fast_wpm=fast)
