"""The tuning notebook's state, without widgets: clips + settings -> classes, shares, trade-offs.

One table of clips (:func:`clip_frame`, a pandas DataFrame of the production detectors'
measurements) and one :class:`Settings` (what the sliders hold) give everything the notebook
shows: each clip's classes under the settings (the production classifiers), the class shares
per corpus, the clips nearest each threshold, the confusion of predicted and labelled classes,
and the confidence gate's trade-off (the share of clips whose measurement would be applied,
and how often its class is right, applied vs gated). :func:`propose` fits the starting point
(the unlabelled sample's quantiles first, labelled corpora otherwise), :func:`write_settings`
writes what changed into the stack file.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from calibration.degrade import SPEECH_DEV_DIR
from calibration.errors import CalibrationError
from calibration.features import ClipFeatures
from calibration.fit import (
    RATE_NAMES,
    VOLUME_NAMES,
    agreement,
    empty_classes,
    rate_cuts,
    volume_cuts,
)
from calibration.manifest import VolumeRule, read_manifest
from calibration.pipeline import Calibration, calibrate, summary_rows
from calibration.sample import SampleClip, read_sample_manifest
from calibration.stackfile import (
    RATE_KEYS,
    REPO_ROOT,
    VOLUME_KEYS,
    format_threshold,
    read_numbers,
    read_thresholds,
    write_values,
)
from calibration.unlabelled import DEFAULT_MIX, SampleCalibration, SampleFeatures, calibrate_sample
from emotion_dynamics import contract
from emotion_dynamics.config import RateThresholds, VolumeThresholds
from emotion_dynamics.detectors.pace import classify_rate
from emotion_dynamics.detectors.volume import classify_volume

__all__ = [
    "DEFAULT_LABELLED",
    "DEFAULT_SAMPLE",
    "Confusion",
    "Dimension",
    "Proposal",
    "Settings",
    "Sources",
    "View",
    "class_shares",
    "classify",
    "clip_frame",
    "confusion",
    "corpus_summary",
    "gate_curve",
    "gate_tradeoff",
    "load_labelled",
    "nearest_clips",
    "order_problems",
    "preview_clip",
    "proposal_table",
    "propose",
    "read_settings",
    "resolve_sources",
    "scale_fit_table",
    "setting_changes",
    "stack_values",
    "threshold_lines",
    "view",
    "write_settings",
]

#: Sample audio used when the notebook is given none (real read speech, outside the repository).
DEFAULT_SAMPLE: Final = SPEECH_DEV_DIR / "manifest.csv"
#: The labelled corpus ``make datasets`` generates.
DEFAULT_LABELLED: Final = REPO_ROOT / "datasets" / "generated" / "small" / "manifest.csv"

Dimension = Literal["volume", "rate"]
SAMPLE: Final = "sample"
LABELLED: Final = "labelled"


@dataclass(frozen=True, slots=True)
class Settings:
    """What the sliders set: the thresholds, the reference level, the gate and the scale."""

    volume: VolumeThresholds
    rate: RateThresholds
    reference_dbfs: float
    min_stability: float
    acoustic_scale: float


def read_settings(path: str | Path) -> Settings:
    """The stack file's settings (a key it lacks takes the contract's default)."""
    volume, rate = read_thresholds(path)
    reference, gate, scale = read_numbers(
        path,
        (
            contract.VOLUME_REFERENCE_DBFS,
            contract.MIN_STABILITY_THRESHOLD,
            contract.RATE_ACOUSTIC_SCALE,
        ),
    )
    return Settings(
        volume=volume, rate=rate, reference_dbfs=reference, min_stability=gate, acoustic_scale=scale
    )


# --- where the audio comes from ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sources:
    """The sample audio (primary) and the labelled corpora, and why they were chosen."""

    sample: tuple[Path, ...]
    labelled: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


def resolve_sources(
    sample_audio: Sequence[str | Path] | None,
    manifests: Sequence[str | Path] | None,
    *,
    default_sample: Path = DEFAULT_SAMPLE,
    default_labelled: Path = DEFAULT_LABELLED,
) -> Sources:
    """What was given, or (given nothing) speech-dev as sample audio, with a warning saying so.

    Raises
    ------
    CalibrationError
        Nothing given and neither default exists.

    """
    sample = tuple(Path(p) for p in sample_audio or ())
    labelled = tuple(Path(p) for p in manifests or ())
    if sample or labelled:
        return Sources(sample, labelled)
    if default_sample.is_file():
        warnings = [
            f"no sample_audio given: using {default_sample.parent} as sample audio (read "
            "speech of a few talkers, not your deployment's speakers); pass "
            "sample_audio=['your/folder'] to calibrate for your own"
        ]
        if not default_labelled.is_file():
            warnings.append(
                f"default labelled corpus {default_labelled} is missing (run `make datasets`): "
                "not used"
            )
        return Sources((default_sample,), (), tuple(warnings))
    if default_labelled.is_file():
        return Sources(
            (),
            (default_labelled,),
            (
                f"no sample_audio given and {default_sample} is missing: fitting on the "
                f"generated labelled corpus {default_labelled} only (synthetic speech)",
            ),
        )
    raise CalibrationError(
        f"no audio: give sample_audio=[a folder of your recordings]; neither {default_sample} "
        f"nor {default_labelled} (`make datasets`) exists"
    )


def load_labelled(
    manifests: Sequence[str | Path], *, volume_rule: VolumeRule = "medium"
) -> list[SampleClip]:
    """The clips of labelled manifests, validated, with their labels resolved (blank: derived)."""
    clips: list[SampleClip] = []
    for manifest in manifests:
        resolved = read_manifest(manifest, volume_rule=volume_rule)
        raw = read_sample_manifest(Path(manifest))
        clips += [
            dataclasses.replace(
                clip, volume_label=row.volume_label.value, rate_label=row.rate_label.value
            )
            for clip, row in zip(raw, resolved, strict=True)
        ]
    return clips


# --- the clip table ------------------------------------------------------------------------

FRAME_COLUMNS: Final = (
    "name", "kind", "source", "corpus", "speaker", "level_dbfs", "volume_confidence",
    "raw_wpm", "rate_confidence", "exact_wpm", "volume_label", "rate_label", "path",
)  # fmt: skip


def clip_frame(features: Sequence[SampleFeatures], *, source: str = SAMPLE) -> pd.DataFrame:
    """One row per clip: the detectors' measurements, labels (or None) and ``kind`` real/synthetic.

    ``raw_wpm`` is the acoustic estimate before ``rateAcousticScale``; ``exact_wpm`` the rate
    from the clip's transcript or word timings (NaN without).
    """
    rows = [
        {
            "name": f.name,
            "kind": "synthetic" if f.synthetic else "real",
            "source": source,
            "corpus": f.corpus,
            "speaker": f.speaker,
            "level_dbfs": f.level_dbfs,
            "volume_confidence": f.volume_confidence,
            "raw_wpm": f.raw_acoustic_wpm,
            "rate_confidence": f.rate_confidence,
            "exact_wpm": f.exact_wpm,
            "volume_label": f.volume_label,
            "rate_label": f.rate_label,
            "path": f.path,
        }
        for f in features
    ]
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    for column in ("volume_label", "rate_label"):
        frame[column] = _objects(frame, [_label_or_none(v) for v in frame[column]])
    return frame


def _objects(frame: pd.DataFrame, values: list[str | None]) -> pd.Series:
    """A column of strings and None (pandas would turn None into NaN in a string column)."""
    return pd.Series(values, index=frame.index, dtype=object)


def _label_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def classify(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """``frame`` with each clip's classes under ``settings`` (production classifiers) and gate.

    Adds ``volume_class``, ``volume_applied``, ``volume_offset_db`` (relative mode: level minus
    the reference), ``rate_wpm`` (acoustic, scaled), ``rate_class``, ``rate_applied``,
    ``exact_class`` (class of the exact rate) and ``rate_reference`` (the rate label, else the
    exact rate's class): the class a clip should get.
    """
    out = frame.copy()
    level = out["level_dbfs"].to_numpy(dtype=float)
    wpm = out["raw_wpm"].to_numpy(dtype=float) * settings.acoustic_scale
    exact = out["exact_wpm"].to_numpy(dtype=float)
    out["volume_class"] = _objects(
        out,
        [classify_volume(v, settings.volume).value if math.isfinite(v) else None for v in level],
    )
    out["volume_applied"] = np.isfinite(level) & (
        out["volume_confidence"].to_numpy(dtype=float) >= settings.min_stability
    )
    out["volume_offset_db"] = level - settings.reference_dbfs
    out["rate_wpm"] = wpm
    out["rate_class"] = _objects(
        out, [classify_rate(v, settings.rate).value if math.isfinite(v) else None for v in wpm]
    )
    out["rate_applied"] = np.isfinite(wpm) & (
        out["rate_confidence"].to_numpy(dtype=float) >= settings.min_stability
    )
    out["exact_class"] = _objects(
        out, [classify_rate(v, settings.rate).value if math.isfinite(v) else None for v in exact]
    )
    out["rate_reference"] = _objects(
        out,
        [
            _label_or_none(label) or exact_class
            for label, exact_class in zip(out["rate_label"], out["exact_class"], strict=True)
        ],
    )
    return out


def order_problems(settings: Settings) -> list[str]:
    """What the Lambda's config loader would refuse (thresholds out of order), as sentences."""
    problems = []
    v, r = settings.volume, settings.rate
    if not v.loud_dbfs > v.medium_dbfs > v.soft_dbfs:
        problems.append(
            f"volume thresholds must satisfy loud > medium > soft, given {v.loud_dbfs:g} / "
            f"{v.medium_dbfs:g} / {v.soft_dbfs:g} dBFS"
        )
    if not r.very_slow_wpm < r.slow_wpm < r.medium_wpm < r.fast_wpm:
        problems.append(
            f"rate thresholds must satisfy x-slow < slow < medium < fast, given "
            f"{r.very_slow_wpm:g} / {r.slow_wpm:g} / {r.medium_wpm:g} / {r.fast_wpm:g} WPM"
        )
    return problems


def _classes(dimension: Dimension) -> tuple[str, ...]:
    return VOLUME_NAMES if dimension == "volume" else RATE_NAMES


def class_shares(classified: pd.DataFrame, dimension: Dimension) -> pd.DataFrame:
    """Percent of each corpus's clips in each class (and ``all``); ``clips`` counts them.

    Clips without a measurement (no speech) are counted in ``clips`` but in no class.
    """
    names = _classes(dimension)
    column = f"{dimension}_class"
    rows = {}
    groups = [(str(c), g) for c, g in classified.groupby("corpus", sort=True)]
    if len(groups) != 1:
        groups.append(("all", classified))
    for corpus, group in groups:
        counts = group[column].value_counts()
        n = len(group)
        rows[corpus] = {"clips": n} | {
            name: round(100.0 * int(counts.get(name, 0)) / n, 1) if n else math.nan
            for name in names
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "corpus"
    return table


def threshold_lines(settings: Settings, dimension: Dimension) -> list[tuple[str, str, float]]:
    """``(stack key, "lower | upper" class boundary, value)`` of a dimension, ascending."""
    names = _classes(dimension)
    if dimension == "volume":
        keys = list(reversed(VOLUME_KEYS))  # soft, medium, loud
        values: Sequence[float] = volume_cuts(settings.volume)
    else:
        keys = list(RATE_KEYS)
        values = rate_cuts(settings.rate)
    return [
        (key, f"{names[i]} | {names[i + 1]}", float(value))
        for i, (key, value) in enumerate(zip(keys, values, strict=True))
    ]


def _value_column(dimension: Dimension) -> str:
    return "level_dbfs" if dimension == "volume" else "rate_wpm"


def nearest_clips(
    classified: pd.DataFrame, settings: Settings, dimension: Dimension, *, per_side: int = 1
) -> pd.DataFrame:
    """The ``per_side`` clips just below and at or above each threshold (to listen to).

    Rate thresholds act on the acoustic (scaled) WPM, as in the Lambda without a transcript.
    """
    value_column = _value_column(dimension)
    measured = classified[np.isfinite(classified[value_column].to_numpy(dtype=float))]
    rows = []
    for key, boundary, threshold in threshold_lines(settings, dimension):
        values = measured[value_column].to_numpy(dtype=float)
        below = measured[values < threshold].assign(side="below")
        above = measured[values >= threshold].assign(side="at or above")
        picks = [
            below.iloc[np.argsort(threshold - below[value_column].to_numpy(float))[:per_side]],
            above.iloc[np.argsort(above[value_column].to_numpy(float) - threshold)[:per_side]],
        ]
        for pick in picks:
            for _, clip in pick.iterrows():
                rows.append(
                    {
                        "threshold": key,
                        "boundary": boundary,
                        "at": threshold,
                        "side": clip["side"],
                        "name": clip["name"],
                        "kind": clip["kind"],
                        "value": round(float(clip[value_column]), 1),
                        "class": clip[f"{dimension}_class"],
                        "applied": bool(clip[f"{dimension}_applied"]),
                        "path": clip["path"],
                    }
                )
    columns = ["threshold", "boundary", "at", "side", "name", "kind", "value", "class"]
    return pd.DataFrame(rows, columns=[*columns, "applied", "path"])


@dataclass(frozen=True, slots=True)
class Confusion:
    """Predicted against reference classes: counts (rows reference, columns predicted) and scores."""

    dimension: str
    reference: str  # "label" or "exact rate (transcript)"
    table: pd.DataFrame
    n: int
    exact: float
    balanced: float
    within_one: float


def confusion(classified: pd.DataFrame, dimension: Dimension) -> Confusion | None:
    """Labelled (volume) or reference (rate: label, else exact rate) vs predicted; None without."""
    names = _classes(dimension)
    predicted = classified[f"{dimension}_class"]
    reference_column = "volume_label" if dimension == "volume" else "rate_reference"
    reference = classified[reference_column]
    keep = [
        isinstance(r, str) and isinstance(p, str) for r, p in zip(reference, predicted, strict=True)
    ]
    if not any(keep):
        return None
    index = {name: i for i, name in enumerate(names)}
    y = [index[r] for r, k in zip(reference, keep, strict=True) if k]
    p = [index[c] for c, k in zip(predicted, keep, strict=True) if k]
    scores = agreement(y, p, names)
    table = pd.DataFrame(
        scores.confusion,
        index=pd.Index(names, name="should be"),
        columns=pd.Index(names, name="predicted"),
    )
    has_labels = any(_label_or_none(v) for v in classified[f"{dimension}_label"])
    return Confusion(
        dimension=dimension,
        reference="label" if has_labels else "exact rate (transcript)",
        table=table,
        n=scores.n,
        exact=scores.exact,
        balanced=scores.balanced,
        within_one=scores.within_one,
    )


def _accuracy(predicted: pd.Series, reference: pd.Series, mask: np.ndarray) -> float:
    pairs = [
        (p, r)
        for p, r, m in zip(predicted, reference, mask, strict=True)
        if m and isinstance(p, str) and isinstance(r, str)
    ]
    return 100.0 * sum(p == r for p, r in pairs) / len(pairs) if pairs else math.nan


def gate_tradeoff(classified: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """At the settings' ``min_stability``: per dimension, the share applied and class accuracy.

    ``accuracy_applied`` / ``accuracy_gated``: percent of the clips with a reference class
    (label; for rate also the exact rate) whose predicted class is right, among those the gate
    lets through / keeps neutral. NaN where there is none.
    """
    rows = {}
    for dimension, reference_column in (("volume", "volume_label"), ("rate", "rate_reference")):
        value = classified[_value_column(dimension)].to_numpy(dtype=float)  # type: ignore[arg-type]
        measured = np.isfinite(value)
        applied = classified[f"{dimension}_applied"].to_numpy(dtype=bool)
        predicted = classified[f"{dimension}_class"]
        reference = classified[reference_column]
        with_reference = sum(isinstance(r, str) for r in reference)
        rows[dimension] = {
            "gate": settings.min_stability,
            "clips": len(classified),
            "measured": int(measured.sum()),
            "applied %": round(100.0 * applied.sum() / len(classified), 1)
            if len(classified)
            else math.nan,
            "with reference": with_reference,
            "accuracy applied %": round(_accuracy(predicted, reference, applied), 1),
            "accuracy gated %": round(_accuracy(predicted, reference, measured & ~applied), 1),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "dimension"
    return table


def gate_curve(classified: pd.DataFrame, *, steps: int = 101) -> pd.DataFrame:
    """Share applied (and class accuracy among applied) for every gate value in [0, 1]."""
    grid = np.linspace(0.0, 1.0, steps)
    data: dict[str, list[float]] = {}
    for dimension, reference_column in (("volume", "volume_label"), ("rate", "rate_reference")):
        value = classified[_value_column(dimension)].to_numpy(dtype=float)  # type: ignore[arg-type]
        confidence = classified[f"{dimension}_confidence"].to_numpy(dtype=float)
        predicted = classified[f"{dimension}_class"]
        reference = classified[reference_column]
        shares, accuracies = [], []
        for gate in grid:
            applied = np.isfinite(value) & (confidence >= gate)
            shares.append(100.0 * applied.mean() if applied.size else math.nan)
            accuracies.append(_accuracy(predicted, reference, applied))
        data[f"{dimension} applied %"] = shares
        data[f"{dimension} accuracy applied %"] = accuracies
    return pd.DataFrame(data, index=pd.Index(grid, name="gate"))


# --- the proposal --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proposal:
    """Where the sliders start: fitted settings, what they were fitted on, and warnings."""

    settings: Settings
    basis: str
    sample: SampleCalibration | None = None
    labelled: Calibration | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def labelled_summary(self) -> pd.DataFrame | None:
        """Agreement before/after (and cross-validated) of the labelled fit, or None."""
        if self.labelled is None:
            return None
        return pd.DataFrame(summary_rows(self.labelled)).set_index(["dimension", "corpus"])


def _as_clip_features(features: Sequence[SampleFeatures], scale: float) -> list[ClipFeatures]:
    """The labelled path's feature rows (what :func:`calibrate` reads) from sample features."""
    return [
        ClipFeatures(
            file=f.path,
            corpus=f.corpus,
            volume_label=f.volume_label or "",
            rate_label=f.rate_label or "",
            ref_level_dbfs=math.nan,
            ref_wpm=f.exact_wpm,
            level_dbfs=f.level_dbfs,
            volume_confidence=f.volume_confidence,
            active_speech_s=math.nan,
            wpm=f.raw_acoustic_wpm * scale,
            rate_confidence=f.rate_confidence,
            speech_s=f.speech_s,
            syllables=f.acoustic_syllables_per_s * f.speech_s,
            wpm_transcript=f.exact_wpm,
            duration_s=f.duration_s,
            sample_rate=16000,
        )
        for f in features
    ]


def _labelled_warnings(features: Sequence[SampleFeatures]) -> list[str]:
    warnings = []
    for dimension, empty in empty_classes(features).items():
        if empty:
            warnings.append(
                f"labelled {dimension}: no clip labelled {', '.join(empty)}; those classes do "
                "not steer the fit"
            )
    return warnings


def propose(
    sample: Sequence[SampleFeatures],
    labelled: Sequence[SampleFeatures],
    current: Settings,
    *,
    mix: Sequence[float] = DEFAULT_MIX,
) -> Proposal:
    """Fit the starting settings: from the sample (primary) when there is one, else the labels.

    Sample: volume thresholds at the quantiles of ``mix``, the reference at the median level,
    the acoustic scale on clips with transcripts; the rate thresholds stay. Labelled only:
    thresholds by balanced agreement (:func:`calibration.pipeline.calibrate`). The gate is
    never fitted. With both, the labelled fit is reported beside the sample's proposal.

    Raises
    ------
    CalibrationError
        Neither a sample nor labelled clips.

    """
    if not sample and not labelled:
        raise CalibrationError("nothing to fit: no sample audio and no labelled clips")
    warnings: list[str] = []
    sample_result = labelled_result = None
    settings = current
    if sample:
        sample_result = calibrate_sample(sample, current_scale=current.acoustic_scale, mix=mix)
        settings = dataclasses.replace(
            settings,
            volume=sample_result.volume,
            reference_dbfs=sample_result.reference_dbfs,
            acoustic_scale=(
                sample_result.rate.scale if sample_result.rate else current.acoustic_scale
            ),
        )
        warnings += sample_result.warnings
        if sample_result.rate is None:
            warnings.append(f"rate: {sample_result.rate_reason}")
    if labelled:
        labelled_result = calibrate(
            _as_clip_features(labelled, current.acoustic_scale), current.volume, current.rate
        )
        warnings += _labelled_warnings(labelled)
        if not sample:
            settings = dataclasses.replace(
                settings,
                volume=labelled_result.proposed_volume,
                rate=labelled_result.proposed_rate,
            )
    basis = (
        "sample audio: level quantiles, median reference, acoustic scale from transcripts"
        if sample
        else "labelled corpora: thresholds by balanced agreement"
    )
    return Proposal(settings, basis, sample_result, labelled_result, tuple(warnings))


# --- the stack file ------------------------------------------------------------------------

Only = Literal["volume", "rate"] | None


def stack_values(settings: Settings, *, only: Only = None) -> dict[str, str]:
    """The stack keys ``settings`` sets, as stored (``only``: one dimension; the gate with both)."""
    values: dict[str, str] = {}
    if only != "rate":
        values |= {k: format_threshold(getattr(settings.volume, f)) for k, f in VOLUME_KEYS.items()}
        values[contract.VOLUME_REFERENCE_DBFS.full_key] = format_threshold(settings.reference_dbfs)
    if only != "volume":
        values |= {k: format_threshold(getattr(settings.rate, f)) for k, f in RATE_KEYS.items()}
        values[contract.RATE_ACOUSTIC_SCALE.full_key] = f"{round(settings.acoustic_scale, 3):g}"
    if only is None:
        values[contract.MIN_STABILITY_THRESHOLD.full_key] = f"{round(settings.min_stability, 2):g}"
    return values


def setting_changes(path: str | Path, settings: Settings, *, only: Only = None) -> pd.DataFrame:
    """The keys whose value would change: ``key``, ``stack`` (now) and ``new`` (as stored)."""
    current = stack_values(read_settings(path), only=only)
    rows = [
        {"key": key, "stack": current[key], "new": value}
        for key, value in stack_values(settings, only=only).items()
        if float(value) != float(current[key])
    ]
    return pd.DataFrame(rows, columns=["key", "stack", "new"])


def write_settings(
    path: str | Path, settings: Settings, *, only: Only = None, write: bool = False
) -> tuple[str, str]:
    """Write the changed keys (``write``) or only show them; return ``(message, diff)``.

    The message is ``"wrote <file>"``, ``"would change <file>"`` or ``"no change to <file>"``.
    The stack file's validation (:func:`calibration.stackfile.write_values`) runs either way.
    """
    stack = Path(path)
    problems = order_problems(settings)
    if problems:
        raise CalibrationError("; ".join(problems) + " (nothing was written)")
    changed = setting_changes(stack, settings, only=only)
    values: dict[str, str | list[str]] = dict(zip(changed["key"], changed["new"], strict=True))
    if not values:
        return f"no change to {stack}", ""
    diff = write_values(stack, values, dry_run=not write)
    return (f"wrote {stack}" if write else f"would change {stack}"), diff


# --- everything the notebook shows for one set of slider values ---------------------------


@dataclass(frozen=True, slots=True)
class View:
    """What the notebook shows for one :class:`Settings` (recomputed on every slider move)."""

    settings: Settings
    classified: pd.DataFrame
    volume_shares: pd.DataFrame
    rate_shares: pd.DataFrame
    nearest: pd.DataFrame  # both dimensions, column ``dimension``
    volume_confusion: Confusion | None
    rate_confusion: Confusion | None
    tradeoff: pd.DataFrame
    curve: pd.DataFrame
    problems: tuple[str, ...]


def view(frame: pd.DataFrame, settings: Settings) -> View:
    """Classify ``frame`` under ``settings`` and derive every table of the notebook."""
    classified = classify(frame, settings)
    nearest = pd.concat(
        [
            nearest_clips(classified, settings, dimension).assign(dimension=dimension)
            for dimension in ("volume", "rate")
        ],
        ignore_index=True,
    )
    return View(
        settings=settings,
        classified=classified,
        volume_shares=class_shares(classified, "volume"),
        rate_shares=class_shares(classified, "rate"),
        nearest=nearest,
        volume_confusion=confusion(classified, "volume"),
        rate_confusion=confusion(classified, "rate"),
        tradeoff=gate_tradeoff(classified, settings),
        curve=gate_curve(classified),
        problems=tuple(order_problems(settings)),
    )


# --- small tables of the notebook ----------------------------------------------------------


def corpus_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per corpus: its source, clips (real/synthetic), with an exact rate, labelled, medians."""
    rows = {}
    for corpus, group in frame.groupby("corpus", sort=True):
        rows[str(corpus)] = {
            "source": ", ".join(sorted(set(group["source"]))),
            "clips": len(group),
            "real": int((group["kind"] == "real").sum()),
            "synthetic": int((group["kind"] == "synthetic").sum()),
            "with transcript": int(np.isfinite(group["exact_wpm"].to_numpy(dtype=float)).sum()),
            "volume labels": int(group["volume_label"].map(_label_or_none).notna().sum()),
            "rate labels": int(group["rate_label"].map(_label_or_none).notna().sum()),
            "median level dBFS": round(float(np.nanmedian(group["level_dbfs"])), 1),
            "median raw WPM": round(float(np.nanmedian(group["raw_wpm"])), 1),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "corpus"
    return table


def proposal_table(stack: Settings, proposed: Settings) -> pd.DataFrame:
    """Every tuned key: the stack file's value and the proposal's, and whether it changes."""
    now, new = stack_values(stack), stack_values(proposed)
    table = pd.DataFrame(
        {"stack": now, "proposed": new, "changes": {k: now[k] != new[k] for k in now}}
    )
    table.index.name = "key"
    return table


def scale_fit_table(result: SampleCalibration) -> pd.DataFrame | None:
    """The acoustic scale's fit: WPM error at the current and fitted scale, held out by speaker."""
    fit = result.rate
    if fit is None:
        return None
    rows = {
        "current scale": {"scale": fit.current, "WPM MAE": round(fit.mae_current, 1)},
        "fitted, in sample": {"scale": fit.scale, "WPM MAE": round(fit.mae_in_sample, 1)},
        f"fitted, held out by {fit.held_out_by}": {
            "scale": fit.scale,
            "WPM MAE": round(fit.mae_held_out, 1),
        },
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = f"{fit.clips} clips, {fit.groups} {fit.held_out_by}s"
    return table


def preview_clip(classified: pd.DataFrame) -> str:
    """The clip the preview starts with: farthest from the reference level, both gates passed."""
    both = classified[classified["rate_applied"] & classified["volume_applied"]]
    if both.empty:
        return str(classified["path"].iloc[0])
    farthest = both["volume_offset_db"].abs().to_numpy(dtype=float).argmax()
    return str(both["path"].iloc[int(farthest)])
