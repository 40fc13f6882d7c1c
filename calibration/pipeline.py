"""Calibrate both dimensions from extracted features and report agreement before and after.

Predicted classes come from the production classifiers (``classify_volume``,
``classify_rate``) applied with the current and with the proposed thresholds. Clips whose
detector found no speech (NaN feature) are left out of fitting and scoring and counted in
``n_missing``.

The "after" agreement is measured on the clips the thresholds were fitted to, so it is
optimistic; ``after_cv`` is the honest estimate: stratified k-fold cross-validation (each
clip predicted by thresholds fitted without it; folds assigned round-robin within each
labelled class, so the result is deterministic).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from calibration.errors import FitError
from calibration.features import ClipFeatures
from calibration.fit import (
    RATE_CLASSES,
    VOLUME_CLASSES,
    Agreement,
    agreement,
    fit_rate,
    fit_volume,
)
from emotion_dynamics.config import RateThresholds, VolumeThresholds
from emotion_dynamics.models import RateClass, VolumeClass

__all__ = [
    "Calibration",
    "DimensionReport",
    "calibrate",
    "predict_rate",
    "predict_volume",
    "summary_rows",
]

RateFeature = Literal["wpm", "wpm_transcript"]
Thresholds = VolumeThresholds | RateThresholds
#: Folds of the cross-validated agreement.
CV_FOLDS = 5


@dataclass(frozen=True, slots=True)
class DimensionReport:
    """Current and proposed thresholds of one dimension with agreement overall and per corpus."""

    name: str
    current: VolumeThresholds | RateThresholds
    proposed: VolumeThresholds | RateThresholds
    before: Agreement
    after: Agreement
    after_cv: Agreement
    per_corpus: dict[str, tuple[Agreement, Agreement]]
    n_missing: int


@dataclass(frozen=True, slots=True)
class Calibration:
    """The result of :func:`calibrate`."""

    volume: DimensionReport
    rate: DimensionReport
    rate_feature: str

    @property
    def proposed_volume(self) -> VolumeThresholds:
        """The fitted volume thresholds."""
        assert isinstance(self.volume.proposed, VolumeThresholds)
        return self.volume.proposed

    @property
    def proposed_rate(self) -> RateThresholds:
        """The fitted rate thresholds."""
        assert isinstance(self.rate.proposed, RateThresholds)
        return self.rate.proposed


def predict_volume(levels_dbfs: Sequence[float], thresholds: VolumeThresholds) -> list[VolumeClass]:
    """Classes the production ``classify_volume`` gives to measured levels."""
    from emotion_dynamics.detectors.volume import classify_volume

    return [classify_volume(level, thresholds) for level in levels_dbfs]


def predict_rate(wpm: Sequence[float], thresholds: RateThresholds) -> list[RateClass]:
    """Classes the production ``classify_rate`` gives to estimated WPM."""
    from emotion_dynamics.detectors.rate import classify_rate

    return [classify_rate(value, thresholds) for value in wpm]


def _score(labels: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> Agreement:
    index = {c: i for i, c in enumerate(classes)}
    return agreement([index[c] for c in labels], [index[str(c)] for c in predicted], classes)


def _report(
    name: str,
    features: Sequence[ClipFeatures],
    *,
    values: list[float],
    labels: list[str],
    classes: Sequence[str],
    current: Thresholds,
    proposed: Thresholds,
    refit: Callable[[list[int]], Thresholds],
) -> DimensionReport:
    keep = [i for i, v in enumerate(values) if not math.isnan(v)]

    def predict(thresholds: VolumeThresholds | RateThresholds, idx: list[int]) -> list[str]:
        chosen = [values[i] for i in idx]
        if isinstance(thresholds, VolumeThresholds):
            return [c.value for c in predict_volume(chosen, thresholds)]
        return [c.value for c in predict_rate(chosen, thresholds)]

    def both(idx: list[int]) -> tuple[Agreement, Agreement]:
        y = [labels[i] for i in idx]
        return _score(y, predict(current, idx), classes), _score(y, predict(proposed, idx), classes)

    before, after = both(keep)
    fold_of: dict[int, int] = {}
    for cls in classes:
        members = [i for i in keep if labels[i] == cls]
        fold_of.update({i: rank % CV_FOLDS for rank, i in enumerate(members)})
    cv_predicted: dict[int, str] = {}
    for fold in range(CV_FOLDS):
        held_out = [i for i in keep if fold_of[i] == fold]
        if not held_out:
            continue
        try:
            thresholds = refit([i for i in keep if fold_of[i] != fold])
        except FitError:  # too few clips left to fit: the current thresholds stand
            thresholds = current
        cv_predicted.update(zip(held_out, predict(thresholds, held_out), strict=True))
    after_cv = _score([labels[i] for i in keep], [cv_predicted[i] for i in keep], classes)
    corpora = sorted({features[i].corpus for i in keep})
    per_corpus = {c: both([i for i in keep if features[i].corpus == c]) for c in corpora}
    return DimensionReport(
        name, current, proposed, before, after, after_cv, per_corpus, len(values) - len(keep)
    )


def calibrate(
    features: Sequence[ClipFeatures],
    current_volume: VolumeThresholds,
    current_rate: RateThresholds,
    *,
    rate_feature: RateFeature = "wpm",
    min_class_size: int = 3,
) -> Calibration:
    """Fit both dimensions' thresholds to ``features`` and score them against the current ones."""
    levels = [f.level_dbfs for f in features]
    volume_labels = [f.volume_label for f in features]
    rates = [float(getattr(f, rate_feature)) for f in features]
    rate_labels = [f.rate_label for f in features]
    volume_array = np.array(levels)
    rate_array = np.array(rates)
    volume_enum = [VolumeClass(v) for v in volume_labels]
    rate_enum = [RateClass(r) for r in rate_labels]

    def refit_volume(idx: list[int]) -> VolumeThresholds:
        return fit_volume(
            volume_array[idx],
            [volume_enum[i] for i in idx],
            current_volume,
            min_class_size=min_class_size,
        )

    def refit_rate(idx: list[int]) -> RateThresholds:
        return fit_rate(
            rate_array[idx],
            [rate_enum[i] for i in idx],
            current_rate,
            min_class_size=min_class_size,
        )

    everything = list(range(len(features)))
    proposed_volume = refit_volume(everything)
    proposed_rate = refit_rate(everything)
    volume_classes = [c.value for c in VOLUME_CLASSES]
    rate_classes = [c.value for c in RATE_CLASSES]
    return Calibration(
        volume=_report(
            "volume",
            features,
            values=levels,
            labels=volume_labels,
            classes=volume_classes,
            current=current_volume,
            proposed=proposed_volume,
            refit=refit_volume,
        ),
        rate=_report(
            "rate",
            features,
            values=rates,
            labels=rate_labels,
            classes=rate_classes,
            current=current_rate,
            proposed=proposed_rate,
            refit=refit_rate,
        ),
        rate_feature=rate_feature,
    )


def summary_rows(result: Calibration) -> list[dict[str, object]]:
    """One row per (dimension, corpus): exact and balanced agreement before and after.

    The ``*_cv`` columns (cross-validated "after") are filled for the ``all`` rows only.
    """
    rows: list[dict[str, object]] = []
    for report in (result.volume, result.rate):
        scopes: list[tuple[str, Agreement, Agreement, Agreement | None]] = [
            ("all", report.before, report.after, report.after_cv),
            *((c, b, a, None) for c, (b, a) in report.per_corpus.items()),
        ]
        for scope, before, after, cv in scopes:
            rows.append(
                {
                    "dimension": report.name,
                    "corpus": scope,
                    "clips": before.n,
                    "exact_before": round(before.exact, 3),
                    "exact_after": round(after.exact, 3),
                    "exact_after_cv": "" if cv is None else round(cv.exact, 3),
                    "balanced_before": round(before.balanced, 3),
                    "balanced_after": round(after.balanced, 3),
                    "balanced_after_cv": "" if cv is None else round(cv.balanced, 3),
                    "within_one_before": round(before.within_one, 3),
                    "within_one_after": round(after.within_one, 3),
                }
            )
    return rows
