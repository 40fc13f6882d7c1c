"""Calibrate a stack from its own unlabelled sample audio.

- **Volume**: the sample's level distribution sets the thresholds at quantiles of a class mix
  (default :data:`DEFAULT_MIX`: 10 % x-soft, 15 % soft, the middle half medium, 25 % loud),
  kept at least :data:`MIN_GAP_DB` apart; the relative mode's reference level is the median.
- **Rate**: where clips have a transcript or word timings, the acoustic estimator's scale
  (``rateAcousticScale``) is fitted so its WPM matches the exact WPM of this population
  (least squares through the origin), reported in sample and cross-validated by speaker.
  Without them the rate settings stay, and the report says why.

Features come from the production detectors, in parallel over the cores.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
import soundfile as sf

from calibration.errors import FitError
from calibration.fit import VOLUME_NAMES
from calibration.parallel import process_pool, worker_count
from calibration.sample import SampleClip
from emotion_dynamics.config import VolumeThresholds

__all__ = [
    "DEFAULT_MIX",
    "MIN_GAP_DB",
    "SampleCalibration",
    "SampleFeatures",
    "ScaleFit",
    "calibrate_sample",
    "fit_acoustic_scale",
    "fit_volume_quantiles",
    "format_sample_report",
    "measure_sample",
]

#: Share of the sample in x-soft, soft, medium and loud (they sum to 1).
DEFAULT_MIX: Final = (0.10, 0.15, 0.50, 0.25)
MIN_GAP_DB: Final = 2.0
#: Fewer clips than this make the quantiles rough: the report warns.
FEW_CLIPS: Final = 20
ANALYSIS_RATE: Final = 16000

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SampleFeatures:
    """What the production detectors measure on one clip (NaN: not measured)."""

    name: str
    path: str
    corpus: str
    speaker: str
    synthetic: bool
    level_dbfs: float
    volume_confidence: float
    acoustic_syllables_per_s: float
    raw_acoustic_wpm: float  # before the scale: word nuclei / speech span x 60 / 1.45
    rate_confidence: float
    exact_wpm: float  # from the transcript or the word timings
    speech_s: float
    duration_s: float
    volume_label: str | None = None
    rate_label: str | None = None


def _measure(clip: SampleClip) -> SampleFeatures:
    from emotion_dynamics.audio import resample
    from emotion_dynamics.config import default_config
    from emotion_dynamics.detectors.rate import (
        acoustic_syllables_per_s,
        acoustic_wpm,
        detect_rate,
        estimate_syllables,
    )
    from emotion_dynamics.detectors.volume import detect_volume
    from emotion_dynamics.timings import parse_word_timings

    data = clip.path.read_bytes()
    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    mono = np.clip(samples.mean(axis=1), -1.0, 1.0).astype(np.float32)
    x = resample(mono, int(rate), ANALYSIS_RATE)
    defaults = default_config()
    volume = detect_volume(x, ANALYSIS_RATE, thresholds=defaults.volume)
    estimate = estimate_syllables(x, ANALYSIS_RATE)
    acoustic = acoustic_syllables_per_s(estimate)
    raw_wpm = acoustic_wpm(estimate, scale=1.0)
    judged = detect_rate(x, ANALYSIS_RATE, thresholds=defaults.rate)
    exact = math.nan
    words = (
        None
        if clip.words is None
        else parse_word_timings(clip.words, audio_s=x.size / ANALYSIS_RATE)
    )
    if words is not None or clip.transcript:
        counted = detect_rate(
            x, ANALYSIS_RATE, thresholds=defaults.rate, transcript=clip.transcript, words=words
        )
        if counted.method.value != "acoustic" and counted.wpm is not None:
            exact = counted.wpm
    return SampleFeatures(
        name=clip.name,
        path=str(clip.path),
        corpus=clip.corpus,
        speaker=clip.speaker or clip.name,
        synthetic=clip.synthetic,
        level_dbfs=math.nan if volume.level_dbfs is None else volume.level_dbfs,
        volume_confidence=volume.confidence,
        acoustic_syllables_per_s=math.nan if acoustic is None else acoustic,
        raw_acoustic_wpm=math.nan if raw_wpm is None else raw_wpm,
        rate_confidence=judged.confidence,
        exact_wpm=exact,
        speech_s=estimate.speech_s,
        duration_s=x.size / ANALYSIS_RATE,
        volume_label=clip.volume_label,
        rate_label=clip.rate_label,
    )


def measure_sample(
    clips: Sequence[SampleClip], *, n_jobs: int | None = None
) -> list[SampleFeatures]:
    """Features of every clip, in order, on ``n_jobs`` processes (default: all cores)."""
    workers = worker_count(n_jobs, len(clips))
    if workers == 1:
        return [_measure(c) for c in clips]
    with process_pool(workers) as pool:
        return list(pool.map(_measure, clips, chunksize=4))


def fit_volume_quantiles(
    levels_dbfs: npt.ArrayLike,
    *,
    mix: Sequence[float] = DEFAULT_MIX,
    min_gap_db: float = MIN_GAP_DB,
) -> tuple[VolumeThresholds, float]:
    """Thresholds at the quantiles of ``mix`` (x-soft, soft, medium, loud) and the median.

    The medium band keeps its quantiles when it is at least ``min_gap_db`` wide, and is widened
    around the median otherwise; soft sits at least ``min_gap_db`` below medium.

    Raises
    ------
    FitError
        No measured level, or a mix that is not four non-negative shares summing to 1.

    """
    x = np.asarray(levels_dbfs, dtype=np.float64).reshape(-1)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise FitError("no clip has a measured level (all silent?)")
    if len(mix) != 4 or min(mix) < 0 or not math.isclose(sum(mix), 1.0, abs_tol=1e-6):
        raise FitError(f"the class mix must be four shares summing to 1, given {list(mix)}")
    cumulative = np.cumsum(mix)[:3]
    soft, medium, loud = (float(np.quantile(x, q)) for q in cumulative)
    median = float(np.median(x))
    if loud - medium < min_gap_db:
        half = max(min_gap_db / 2.0, (loud - medium) / 2.0)
        medium, loud = min(medium, median - half), max(loud, median + half)
        if loud - medium < min_gap_db:  # the median sat off-centre
            medium, loud = median - min_gap_db / 2.0, median + min_gap_db / 2.0
    soft = min(soft, medium - min_gap_db)
    return (
        VolumeThresholds(
            loud_dbfs=round(loud, 1), medium_dbfs=round(medium, 1), soft_dbfs=round(soft, 1)
        ),
        round(median, 1),
    )


@dataclass(frozen=True, slots=True)
class ScaleFit:
    """The acoustic WPM scale fitted to a population, with in-sample and held-out errors."""

    scale: float
    current: float
    clips: int
    groups: int
    mae_current: float
    mae_in_sample: float
    mae_held_out: float
    held_out_by: str


def _lsq_scale(raw: FloatArray, exact: FloatArray) -> float:
    return float(raw @ exact / (raw @ raw))


def fit_acoustic_scale(
    raw_wpm: npt.ArrayLike,
    exact_wpm: npt.ArrayLike,
    groups: Sequence[str],
    *,
    current: float,
    bounds: tuple[float, float] = (0.5, 2.0),
) -> ScaleFit:
    """Least-squares scale from raw acoustic WPM to exact WPM; held out by group (speaker).

    Raises
    ------
    FitError
        Fewer than 3 clips with both rates.

    """
    raw, exact = np.asarray(raw_wpm, float), np.asarray(exact_wpm, float)
    keep = np.isfinite(raw) & np.isfinite(exact) & (raw > 0)
    raw, exact = raw[keep], exact[keep]
    labels = np.asarray(groups, dtype=object)[keep]
    if raw.size < 3:
        raise FitError(f"{raw.size} clips have both an acoustic and an exact rate; 3 are needed")
    low, high = bounds
    scale = min(max(_lsq_scale(raw, exact), low), high)
    unique = sorted(set(labels))
    by = "speaker" if len(unique) >= 3 else "clip"
    folds = unique if by == "speaker" else list(range(raw.size))
    held = np.empty_like(raw)
    for fold in folds:
        test = labels == fold if by == "speaker" else np.arange(raw.size) == fold
        train = ~test
        fold_scale = (
            scale if not train.any() else min(max(_lsq_scale(raw[train], exact[train]), low), high)
        )
        held[test] = raw[test] * fold_scale
    return ScaleFit(
        scale=round(scale, 3),
        current=current,
        clips=int(raw.size),
        groups=len(unique),
        mae_current=float(np.mean(np.abs(raw * current - exact))),
        mae_in_sample=float(np.mean(np.abs(raw * scale - exact))),
        mae_held_out=float(np.mean(np.abs(held - exact))),
        held_out_by=by,
    )


@dataclass(frozen=True, slots=True)
class SampleCalibration:
    """What the sample proposes, how the classes share it, and what the report must warn about."""

    volume: VolumeThresholds
    reference_dbfs: float
    shares: dict[str, float]
    clips: int
    measured: int
    rate: ScaleFit | None
    rate_reason: str
    warnings: list[str] = field(default_factory=list)


def _shares(levels: FloatArray, thresholds: VolumeThresholds) -> dict[str, float]:
    from emotion_dynamics.detectors.volume import classify_volume

    classes = [classify_volume(float(v), thresholds).value for v in levels]
    return {name: classes.count(name) / len(classes) for name in VOLUME_NAMES}


def calibrate_sample(
    features: Sequence[SampleFeatures],
    *,
    current_scale: float,
    mix: Sequence[float] = DEFAULT_MIX,
) -> SampleCalibration:
    """Propose the volume thresholds, the reference level and (with transcripts) the scale."""
    levels = np.asarray([f.level_dbfs for f in features], float)
    measured = levels[np.isfinite(levels)]
    volume, reference = fit_volume_quantiles(measured, mix=mix)
    warnings: list[str] = []
    if len(features) < FEW_CLIPS:
        warnings.append(f"only {len(features)} clips: quantiles of so few are rough")
    if measured.size < len(features):
        warnings.append(f"{len(features) - measured.size} clips have no speech and are left out")
    synthetic = sum(f.synthetic for f in features)
    if synthetic:
        warnings.append(f"{synthetic} of {len(features)} clips are synthetic speech")
    shares = _shares(measured, volume)
    warnings += [f"class {name} is empty" for name, share in shares.items() if share == 0.0]
    exact = [f for f in features if math.isfinite(f.exact_wpm)]
    rate: ScaleFit | None = None
    if len(exact) >= 3:
        rate = fit_acoustic_scale(
            [f.raw_acoustic_wpm for f in exact],
            [f.exact_wpm for f in exact],
            [f.speaker for f in exact],
            current=current_scale,
        )
        reason = (
            f"scale fitted on {rate.clips} clips with transcripts or word timings "
            f"({rate.groups} {rate.held_out_by}s held out in turn)"
        )
    else:
        reason = (
            f"{len(exact)} clips have a transcript or word timings (3 needed): the rate "
            "settings stay as they are"
        )
    return SampleCalibration(
        volume=volume,
        reference_dbfs=reference,
        shares=shares,
        clips=len(features),
        measured=int(measured.size),
        rate=rate,
        rate_reason=reason,
        warnings=warnings,
    )


def format_sample_report(result: SampleCalibration, current: VolumeThresholds) -> str:
    """The report printed by ``python -m calibration calibrate --audio``."""
    lines = [
        f"sample: {result.clips} clips, {result.measured} with speech",
        "volume thresholds [dBFS] (quantiles of the sample's levels)",
    ]
    for name in ("loud_dbfs", "medium_dbfs", "soft_dbfs"):
        lines.append(
            f"  {name:>12}: {getattr(current, name):8.1f} -> {getattr(result.volume, name):8.1f}"
        )
    lines.append(f"  reference (median level): {result.reference_dbfs:.1f} dBFS")
    lines.append(
        "  class shares: " + ", ".join(f"{k} {100 * v:.0f} %" for k, v in result.shares.items())
    )
    lines.append(f"rate: {result.rate_reason}")
    if result.rate is not None:
        r = result.rate
        lines.append(
            f"  rateAcousticScale: {r.current:.3f} -> {r.scale:.3f}; WPM MAE {r.mae_current:.1f} "
            f"(current) -> {r.mae_in_sample:.1f} (in sample), {r.mae_held_out:.1f} "
            f"(held out by {r.held_out_by})"
        )
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)
