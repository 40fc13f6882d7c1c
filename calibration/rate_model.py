"""Fit and check the acoustic rate estimator: structure, scales and calibrated confidence.

``python -m calibration.rate_model`` measures speech-dev under every degradation of
:mod:`calibration.degrade` with a small grid of structural alternatives (envelope front,
syllable reading, word reading; :data:`FRONTS`, :data:`SYLLABLE_READINGS`,
:data:`WORD_READINGS`), then:

1. picks the front and syllable reading with the best mean syllable-rate Pearson r over the
   conditions, and the word reading with the lowest clean WPM MAE;
2. fits ``SYLLABLE_RATE_SCALE`` and ``CALIBRATION_SCALE`` (least squares, clean audio);
3. fits the confidence model (:mod:`emotion_dynamics.detectors.rate_confidence`): a logistic
   regression of "the 5-class rate class is right" on the estimator's features, over every
   condition.

Everything is done twice: on all talkers (the committed constants) and leave-one-talker-out
(each talker's figures come from a fit, choices included, made without that talker). The
``extra/`` clips (``--extra``) are never fitted on: they are an out-of-sample check.
``--doc`` writes ``docs/design/rate-confidence.md``. Measurements are cached in
``build/rate-model/``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import os
import pickle
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from calibration import degrade
from calibration.features import ClipFeatures
from calibration.parallel import process_pool
from calibration.stackfile import REPO_ROOT
from emotion_dynamics.config import RateThresholds, default_config
from emotion_dynamics.detectors import nuclei, rate, rate_confidence
from emotion_dynamics.detectors.framing import speech_span_s
from emotion_dynamics.detectors.nuclei import Front, Reading

__all__ = [
    "FRONTS",
    "MODELS",
    "STEPS",
    "SYLLABLE_READINGS",
    "WORD_READINGS",
    "Choice",
    "Figures",
    "Logistic",
    "Predictions",
    "Table",
    "Tradeoff",
    "by_condition",
    "clip_tradeoff",
    "committed_choice",
    "estimator_ratio",
    "figures",
    "fit",
    "fit_logistic",
    "leave_one_talker_out",
    "load_table",
    "main",
    "model_rows",
    "pearson",
    "predict",
    "raw_rates",
    "relative_rows",
    "relative_within",
    "reliability",
    "same_fit",
    "step_rows",
    "tradeoff",
    "tradeoff_curve",
    "word_rows",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

CACHE_DIR: Final = REPO_ROOT / "build" / "rate-model"
DOC_PATH: Final = REPO_ROOT / "docs" / "design" / "rate-confidence.md"
#: The rate classes the confidence predicts: the contract's default thresholds (the stacks').
THRESHOLDS: Final = default_config().rate
#: The stacks' minimum stability threshold (Pulumi.dev.yaml, Pulumi.prod.yaml).
STACK_THRESHOLD: Final = 0.45
#: L2 penalty of the logistic regression on standardised features.
L2_PENALTY: Final = 1.0
#: Thresholds of the trade-off curve.
CURVE_THRESHOLDS: Final = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.85)
#: Reliability bins (upper edges) and the fewest samples a bin needs to be judged.
BIN_EDGES: Final = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
MIN_BIN_SAMPLES: Final = 20

#: Envelope fronts compared (the first is the estimator before this fit's changes).
FRONTS: Final = {
    "300-3000 Hz": Front(300.0, 3000.0, sub_bands=1, noise_subtraction=0.0),
    "250-4000 Hz": Front(250.0, 4000.0, sub_bands=1, noise_subtraction=0.0),
    "250-4000 Hz, noise subtracted": Front(250.0, 4000.0, sub_bands=4, noise_subtraction=1.0),
    "250-4000 Hz, voicing on the denoised spectrum below 4 kHz": Front(
        250.0, 4000.0, sub_bands=1, noise_subtraction=0.0, voicing_denoise=True,
        voicing_limit_hz=4000.0,
    ),
    "250-4000 Hz, noise subtracted, voicing on the denoised spectrum below 4 kHz": Front(
        250.0, 4000.0, sub_bands=4, noise_subtraction=1.0, voicing_denoise=True,
        voicing_limit_hz=4000.0,
    ),
}  # fmt: skip


def _syllable_readings() -> dict[str, Reading]:
    out = {}
    for smoothing in (3, 4):
        for floor, soft in ((20.0, 10.0), (25.0, 5.0)):
            for low, high in ((0.0, 4.0), (0.5, 3.0)):
                for shrink in (False, True):
                    name = (f"smooth {smoothing}, floor {floor:g}+-{soft:g} dB, prominence "
                            f"{low:g}-{high:g} dB{', voicing x snr/(1+snr)' if shrink else ''}")  # fmt: skip
                    out[name] = Reading(smoothing, floor, soft, low, high, 0.3, 0.5, shrink)
    out["before: smooth 5, floor 30 dB, dip 1.5 dB, voicing 0.4 (hard)"] = Reading(
        5, 30.0, 0.0, 1.5, 1.5, 0.4, 0.4
    )
    return out


def _word_readings() -> dict[str, Reading]:
    out = {}
    for low, high in ((0.5, 2.0), (1.0, 1.5), (1.5, 1.5)):
        name = f"smooth 4, floor 30 dB, prominence {low:g}-{high:g} dB, voicing 0.4"
        out[name] = Reading(4, 30.0, 0.0, low, high, 0.4, 0.4)
    return out


SYLLABLE_READINGS: Final = _syllable_readings()
WORD_READINGS: Final = _word_readings()
_BASE: Final = ("log_speech_s", "snr_db", "boundary_margin", "open_class")
#: Confidence models compared: inputs (names of ``rate_confidence.FEATURES``) and L2 penalty.
MODELS: Final = {
    "margin, open class": (("boundary_margin", "open_class"), 10.0),
    "duration, SNR, margin, open class": (_BASE, 10.0),
    "duration, SNR, margin, open class (L2 3)": (_BASE, 3.0),
    "duration, SNR, margin, open class (L2 30)": (_BASE, 30.0),
    "duration, SNR, range, margin, open class": (
        ("log_speech_s", "snr_db", "range_db", "boundary_margin", "open_class"), 10.0),
    "every feature": (rate_confidence.FEATURES, 10.0),
}  # fmt: skip
#: The word reading and the confidence model the fit uses (fixed, see :func:`fit`).
WORD_READING: Final = "smooth 4, floor 30 dB, prominence 0.5-2 dB, voicing 0.4"
CONFIDENCE_MODEL: Final = "margin, open class"


# --- measuring --------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """One clip under one condition, with its reference values."""

    clip: str
    speaker: str
    condition: str
    syllables_per_s: float
    wpm: float
    language: str
    style: str


@dataclass
class Table:
    """Every signal's estimates under every structural alternative.

    ``estimates[front][syllable_reading][i]`` is signal ``i``'s estimate with the first word
    reading; ``word_nuclei[front][word_reading][i]`` its word-reading count.
    """

    signals: list[Signal]
    estimates: dict[str, dict[str, list[rate.SyllableEstimate]]] = field(default_factory=dict)
    word_nuclei: dict[str, dict[str, FloatArray]] = field(default_factory=dict)

    def subset(self, condition: str | None = None) -> npt.NDArray[np.intp]:
        """Indices of the signals under ``condition`` (all of them for ``None``)."""
        return np.array(
            [i for i, s in enumerate(self.signals) if condition in (None, s.condition)], np.intp
        )

    def estimate(self, i: int, front: str, syllable: str, word: str) -> rate.SyllableEstimate:
        """Signal ``i``'s estimate under one front, syllable reading and word reading."""
        base = self.estimates[front][syllable][i]
        return replace(base, word_nuclei=float(self.word_nuclei[front][word][i]))


@cache
def _clips(manifest: str) -> tuple[degrade.DevClip, ...]:
    return tuple(degrade.load_dev_clips(Path(manifest)))


def _measure(
    task: tuple[str, int, str],
) -> tuple[dict[str, dict[str, rate.SyllableEstimate]], dict[str, dict[str, float]]]:
    manifest, index, condition = task
    clips = _clips(manifest)
    x = degrade.lambda_view(degrade.degraded_bytes(clips[index], condition, clips)).astype(
        np.float64
    )
    sr = degrade.SAMPLE_RATE
    speech_s = speech_span_s(x, sr)
    first_word = next(iter(WORD_READINGS.values()))
    estimates: dict[str, dict[str, rate.SyllableEstimate]] = {}
    words: dict[str, dict[str, float]] = {}
    for front_name, front in FRONTS.items():
        estimates[front_name], words[front_name] = {}, {}
        if speech_s < rate.MIN_ACOUSTIC_SPEECH_S:
            empty = rate.SyllableEstimate(syllables=0, speech_s=speech_s)
            estimates[front_name] = dict.fromkeys(SYLLABLE_READINGS, empty)
            words[front_name] = dict.fromkeys(WORD_READINGS, 0.0)
            continue
        envelope = nuclei.analyse(x, sr, front)
        for name, reading in SYLLABLE_READINGS.items():
            estimates[front_name][name] = rate.summarise_nuclei(
                envelope, speech_s, syllable_reading=reading, word_reading=first_word
            )
        for name, reading in WORD_READINGS.items():
            words[front_name][name] = nuclei.read_nuclei(envelope, reading).count
    return estimates, words


def _cache_key(manifest: Path, conditions: Sequence[str]) -> str:
    sources = [Path(m.__file__ or "") for m in (nuclei, rate, degrade)] + [Path(__file__)]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources))
    digest.update(f"{manifest.resolve()}|{','.join(conditions)}".encode())
    return digest.hexdigest()[:16]


def load_table(
    manifest: Path | None = None,
    *,
    conditions: Sequence[str] = degrade.CONDITIONS,
    n_jobs: int = 2,
    use_cache: bool = True,
) -> Table:
    """Measure (or load from ``build/rate-model/``) every clip of ``manifest`` x condition."""
    path = (manifest or degrade.SPEECH_DEV_DIR / "manifest.csv").resolve()
    cached = CACHE_DIR / f"table-{_cache_key(path, conditions)}.pickle"
    if use_cache and cached.is_file():
        with cached.open("rb") as handle:
            table: Table = pickle.load(handle)  # our own build cache
        return table
    clips = degrade.load_dev_clips(path)
    tasks = [(str(path), i, c) for c in conditions for i in range(len(clips))]
    signals = [
        Signal(clips[i].name, clips[i].speaker, c, clips[i].syllables_per_s, clips[i].wpm,
               clips[i].language, clips[i].style)
        for _, i, c in tasks
    ]  # fmt: skip
    table = Table(signals=signals)
    if n_jobs > 1:
        with process_pool(n_jobs) as pool:
            results = list(pool.map(_measure, tasks, chunksize=8))
    else:
        results = [_measure(t) for t in tasks]
    for front in FRONTS:
        table.estimates[front] = {s: [r[0][front][s] for r in results] for s in SYLLABLE_READINGS}
        table.word_nuclei[front] = {
            w: np.array([r[1][front][w] for r in results]) for w in WORD_READINGS
        }
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".tmp{os.getpid()}")
    with tmp.open("wb") as handle:
        pickle.dump(table, handle)
    tmp.replace(cached)
    return table


# --- fitting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Logistic:
    """A logistic regression on standardised features."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float

    def probability(self, features: FloatArray) -> FloatArray:
        """Probability of each row of ``features`` (columns in the fitted order)."""
        standard = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        z = self.intercept + standard @ np.asarray(self.weights)
        result: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
        return result


def fit_logistic(features: FloatArray, y: BoolArray, *, l2: float = L2_PENALTY) -> Logistic:
    """Penalised maximum likelihood by Newton's method (deterministic; the intercept is free)."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    design = np.column_stack([np.ones(len(features)), (features - mean) / scale])
    target = y.astype(np.float64)
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -40.0, 40.0)))
        gradient = design.T @ (target - p) - penalty * beta
        weighted = design * (p * (1 - p))[:, None]
        hessian = weighted.T @ design + np.diag(penalty) + 1e-9 * np.eye(design.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return Logistic(
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        weights=tuple(float(v) for v in beta[1:]),
        intercept=float(beta[0]),
    )


@dataclass(frozen=True)
class Choice:
    """Everything fitted: structure, the WPM scale and the confidence model."""

    front: str
    syllable: str
    word: str
    wpm_scale: float
    confidence: str
    model: Logistic
    min_speech_s: float
    min_snr_db: float
    #: Share of the signals whose acoustic syllable rate is within
    #: ``rate_confidence.RELATIVE_TOLERANCE`` of the speaker's (relative mode's confidence).
    relative_probability: float = float("nan")


def pearson(a: FloatArray, b: FloatArray) -> float:
    """Pearson r (NaN for fewer than 3 values or a constant)."""
    if a.size < 3 or float(np.std(a)) == 0.0 or float(np.std(b)) == 0.0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def raw_rates(table: Table, idx: npt.NDArray[np.intp], front: str, syllable: str) -> FloatArray:
    """Nuclei per second of speech span of the signals ``idx`` under one front and reading."""
    est = table.estimates[front][syllable]
    return np.array([est[i].count / est[i].speech_s if est[i].count > 0 else 0.0 for i in idx])


def _raw_wpm(table: Table, idx: npt.NDArray[np.intp], front: str, word: str) -> FloatArray:
    est = table.estimates[front][next(iter(SYLLABLE_READINGS))]
    counts = table.word_nuclei[front][word]
    return np.array(
        [counts[i] / est[i].speech_s * 60.0 / rate.SYLLABLES_PER_WORD if est[i].speech_s > 0
         else 0.0 for i in idx]
    )  # fmt: skip


def _truth(table: Table, idx: npt.NDArray[np.intp], key: str) -> FloatArray:
    return np.array([getattr(table.signals[i], key) for i in idx], dtype=np.float64)


def _scale(est: FloatArray, ref: FloatArray) -> float:
    return float(est @ ref / max(float(est @ est), 1e-12))


def by_condition(table: Table, idx: npt.NDArray[np.intp]) -> dict[str, npt.NDArray[np.intp]]:
    """The signals ``idx`` grouped by condition (in the order they first appear)."""
    out: dict[str, list[int]] = {}
    for i in idx:
        out.setdefault(table.signals[i].condition, []).append(int(i))
    return {c: np.array(v, np.intp) for c, v in out.items()}


def _by_speaker(table: Table, idx: npt.NDArray[np.intp]) -> dict[str, npt.NDArray[np.intp]]:
    out: dict[str, list[int]] = {}
    for i in idx:
        out.setdefault(table.signals[i].speaker, []).append(int(i))
    return {k: np.array(v, np.intp) for k, v in sorted(out.items())}


def _all_features(
    table: Table, idx: npt.NDArray[np.intp], structure: tuple[str, str, str], wpm: FloatArray
) -> FloatArray:
    rows = []
    for i, w in zip(idx, wpm, strict=True):
        est = table.estimate(int(i), *structure)
        rows.append(rate.confidence_features(est, float(w), THRESHOLDS) if w > 0 else
                    (0.0,) * len(rate_confidence.FEATURES))  # fmt: skip
    return np.array(rows, dtype=np.float64).reshape(-1, len(rate_confidence.FEATURES))


_SPEECH: Final = rate_confidence.FEATURES.index("log_speech_s")
_SNR: Final = rate_confidence.FEATURES.index("snr_db")


def _columns(names: Sequence[str]) -> list[int]:
    return [rate_confidence.FEATURES.index(n) for n in names]


def _class_right(wpm: FloatArray, ref: FloatArray, thresholds: RateThresholds) -> BoolArray:
    return np.array(
        [w > 0 and rate.classify_rate(w, thresholds) == rate.classify_rate(r, thresholds)
         for w, r in zip(wpm, ref, strict=True)], dtype=bool
    )  # fmt: skip


def _log_loss(p: FloatArray, y: BoolArray) -> float:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(np.where(y, np.log(q), np.log(1 - q))))


def _choose_syllable(table: Table, train: npt.NDArray[np.intp]) -> tuple[str, str]:
    """The front and syllable reading with the best mean syllable-rate r over the conditions."""
    groups = list(by_condition(table, train).values())
    truths = [_truth(table, g, "syllables_per_s") for g in groups]
    best: tuple[float, str, str] | None = None
    for front in FRONTS:
        for syllable in SYLLABLE_READINGS:
            rs = [
                pearson(raw_rates(table, g, front, syllable), t)
                for g, t in zip(groups, truths, strict=True)
            ]
            score = float(np.mean(rs))
            if best is None or score > best[0]:
                best = (score, front, syllable)
    assert best is not None
    return best[1], best[2]


def fit(
    table: Table,
    train: npt.NDArray[np.intp],
    *,
    word: str = WORD_READING,
    model: str = CONFIDENCE_MODEL,
) -> Choice:
    """Choose the syllable structure, fit the WPM scale and the confidence model on ``train``.

    The front and syllable reading maximise the mean syllable-rate r over the conditions (a
    scale-free figure: nothing else is fitted there). The word reading and the confidence
    model's form are fixed (their alternatives' figures are reported, see :func:`report`).
    """
    front, syllable = _choose_syllable(table, train)
    clean = by_condition(table, train)["clean"]
    wpm_scale = _scale(_raw_wpm(table, clean, front, word), _truth(table, clean, "wpm"))
    wpm = wpm_scale * _raw_wpm(table, train, front, word)
    features = _all_features(table, train, (front, syllable, word), wpm)
    y = _class_right(wpm, _truth(table, train, "wpm"), THRESHOLDS)
    names, l2 = MODELS[model]
    have = wpm > 0
    within = relative_within(
        table, train, front, syllable, estimator_ratio(table, clean, front, syllable)
    )
    return Choice(front, syllable, word, wpm_scale, model,
                  fit_logistic(features[:, _columns(names)], y, l2=l2),
                  min_speech_s=float(np.min(np.exp(features[have, _SPEECH]))),
                  min_snr_db=float(np.min(features[have, _SNR])),
                  relative_probability=float(np.mean(within[have])))  # fmt: skip


def estimator_ratio(table: Table, clean: npt.NDArray[np.intp], front: str, syllable: str) -> float:
    """Median acoustic over true syllable rate on clean signals (the estimator's own norm)."""
    syl = raw_rates(table, clean, front, syllable)
    true = _truth(table, clean, "syllables_per_s")
    return float(np.median(syl[syl > 0] / true[syl > 0]))


def relative_within(
    table: Table, idx: npt.NDArray[np.intp], front: str, syllable: str, ratio: float
) -> BoolArray:
    """Whether each signal's relative rate is within the relative mode's tolerance.

    The relative rate is the acoustic one over the estimator's norm (``ratio`` x the true
    norm); the tolerance is ``rate_confidence.RELATIVE_TOLERANCE`` of the true relative rate.
    """
    syl = raw_rates(table, idx, front, syllable)
    true = _truth(table, idx, "syllables_per_s")
    return (syl > 0) & (np.abs(syl / (ratio * true) - 1.0) <= rate_confidence.RELATIVE_TOLERANCE)


@dataclass(frozen=True)
class Predictions:
    """Per-signal outputs of a fit (or of the leave-one-talker-out folds).

    ``relative_confidence`` is the relative mode's confidence and ``within`` whether the
    relative rate was within the tolerance (what it predicts).
    """

    syllables_per_s: FloatArray
    wpm: FloatArray
    confidence: FloatArray
    correct: BoolArray
    relative_confidence: FloatArray
    within: BoolArray


def predict(table: Table, choice: Choice, idx: npt.NDArray[np.intp]) -> Predictions:
    """Syllable rate, WPM, confidence and class correctness of the signals ``idx``."""
    wpm = choice.wpm_scale * _raw_wpm(table, idx, choice.front, choice.word)
    features = _all_features(table, idx, (choice.front, choice.syllable, choice.word), wpm)
    cols = _columns(MODELS[choice.confidence][0])
    inside = np.array([rate_confidence.support(row, min_speech_s=choice.min_speech_s,
                                               min_snr_db=choice.min_snr_db) for row in features])  # fmt: skip
    confidence = np.where(wpm > 0, choice.model.probability(features[:, cols]) * inside, 0.0)
    syl = raw_rates(table, idx, choice.front, choice.syllable)
    ratio = estimator_ratio(table, table.subset("clean"), choice.front, choice.syllable)
    return Predictions(
        syllables_per_s=syl,
        wpm=wpm,
        confidence=confidence,
        correct=_class_right(wpm, _truth(table, idx, "wpm"), THRESHOLDS),
        relative_confidence=np.where(syl > 0, choice.relative_probability * inside, 0.0),
        within=relative_within(table, idx, choice.front, choice.syllable, ratio),
    )


def leave_one_talker_out(
    table: Table, *, word: str = WORD_READING, model: str = CONFIDENCE_MODEL
) -> tuple[Predictions, dict[str, Choice]]:
    """Each talker's predictions from a fit (choices included) made without that talker."""
    n = len(table.signals)
    out = {k: np.zeros(n) for k in ("syllables_per_s", "wpm", "confidence", "relative")}
    correct, within = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    choices = {}
    for speaker, held in _by_speaker(table, table.subset()).items():
        train = np.setdiff1d(table.subset(), held)
        choice = fit(table, train, word=word, model=model)
        choices[speaker] = choice
        p = predict(table, choice, held)
        out["syllables_per_s"][held], out["wpm"][held] = p.syllables_per_s, p.wpm
        out["confidence"][held], correct[held] = p.confidence, p.correct
        out["relative"][held] = p.relative_confidence
        # The held-out talker's relative rate is judged against the training talkers' norm.
        ratio = estimator_ratio(
            table, np.intersect1d(train, table.subset("clean")), choice.front, choice.syllable
        )
        within[held] = relative_within(table, held, choice.front, choice.syllable, ratio)
    return Predictions(out["syllables_per_s"], out["wpm"], out["confidence"], correct,
                       out["relative"], within), choices  # fmt: skip


# --- figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tradeoff:
    """What a confidence threshold does: share applied, and class accuracy applied vs gated."""

    threshold: float
    n: int
    share_applied: float
    accuracy_applied: float
    accuracy_gated: float

    @property
    def gap(self) -> float:
        """Accuracy when applied minus accuracy when gated (points of share)."""
        return self.accuracy_applied - self.accuracy_gated


def tradeoff(confidence: npt.ArrayLike, correct: npt.ArrayLike, threshold: float) -> Tradeoff:
    """Apply where ``confidence >= threshold`` (as the Lambda does); NaN for an empty side."""
    conf = np.asarray(confidence, dtype=np.float64)
    right = np.asarray(correct, dtype=bool)
    applied = conf >= threshold

    def accuracy(mask: BoolArray) -> float:
        return float(np.mean(right[mask])) if np.any(mask) else float("nan")

    return Tradeoff(threshold, int(conf.size), float(np.mean(applied)) if conf.size else 0.0,
                    accuracy(applied), accuracy(~applied))  # fmt: skip


def tradeoff_curve(
    confidence: npt.ArrayLike, correct: npt.ArrayLike, thresholds: Sequence[float] | None = None
) -> list[Tradeoff]:
    """:func:`tradeoff` at each threshold (default :data:`CURVE_THRESHOLDS`)."""
    steps = thresholds or CURVE_THRESHOLDS
    return [tradeoff(confidence, correct, t) for t in steps]


def clip_tradeoff(
    features: Sequence[ClipFeatures], threshold: float, thresholds: RateThresholds = THRESHOLDS
) -> Tradeoff:
    """:func:`tradeoff` of the acoustic rate over extracted clip features (the notebook's).

    A clip's class is right when its acoustic WPM falls in the class of its reference WPM
    under ``thresholds``; a clip without an acoustic rate (confidence 0) counts as gated.
    """
    confidence = [f.rate_confidence if math.isfinite(f.wpm) else 0.0 for f in features]
    correct = [
        math.isfinite(f.wpm)
        and rate.classify_rate(f.wpm, thresholds) == rate.classify_rate(f.ref_wpm, thresholds)
        for f in features
    ]
    return tradeoff(confidence, correct, threshold)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    n: int
    mean_confidence: float
    accuracy: float


def reliability(confidence: FloatArray, correct: BoolArray) -> list[Bin]:
    """Confidence bins (:data:`BIN_EDGES`) with their mean confidence and observed accuracy."""
    bins = []
    for low, high in itertools.pairwise(BIN_EDGES):
        mask = (confidence >= low) & ((confidence < high) if high < 1.0 else (confidence <= high))
        n = int(np.count_nonzero(mask))
        bins.append(Bin(low, high, n, float(np.mean(confidence[mask])) if n else float("nan"),
                        float(np.mean(correct[mask])) if n else float("nan")))  # fmt: skip
    return bins


def condition_rows(
    table: Table, pred: Predictions, threshold: float = STACK_THRESHOLD
) -> dict[str, dict[str, float]]:
    """Per condition: syllable-rate r, WPM MAE and bias, exact class, applied vs gated."""
    rows = {}
    for condition, idx in by_condition(table, table.subset()).items():
        ref_wpm = _truth(table, idx, "wpm")
        t = tradeoff(pred.confidence[idx], pred.correct[idx], threshold)
        rows[condition] = {
            "r": pearson(pred.syllables_per_s[idx], _truth(table, idx, "syllables_per_s")),
            "mae": float(np.mean(np.abs(pred.wpm[idx] - ref_wpm))),
            "bias": float(np.mean(pred.wpm[idx] - ref_wpm)),
            "exact": float(np.mean(pred.correct[idx])),
            "applied": t.share_applied,
            "accuracy_applied": t.accuracy_applied,
            "accuracy_gated": t.accuracy_gated,
        }
    return rows


def committed_choice() -> Choice:
    """The constants the runtime uses, as a :class:`Choice` (names from the grids)."""
    front = next(k for k, v in FRONTS.items() if v == nuclei.DEFAULT_FRONT)
    syllable = next(k for k, v in SYLLABLE_READINGS.items() if v == nuclei.SYLLABLE_READING)
    word = next(k for k, v in WORD_READINGS.items() if v == nuclei.WORD_READING)
    confidence = next(k for k, v in MODELS.items() if v[0] == rate_confidence.USED)
    model = Logistic(rate_confidence.MEAN, rate_confidence.SCALE, rate_confidence.WEIGHTS,
                     rate_confidence.INTERCEPT)  # fmt: skip
    return Choice(front, syllable, word, rate.CALIBRATION_SCALE, confidence, model,
                  rate_confidence.SUPPORT_MIN_SPEECH_S, rate_confidence.SUPPORT_MIN_SNR_DB,
                  rate_confidence.RELATIVE_PROBABILITY)  # fmt: skip


def same_fit(a: Choice, b: Choice, *, tolerance: float = 5e-4) -> bool:
    """Whether two fits agree: the same choices and constants equal to printed precision."""
    if (a.front, a.syllable, a.word, MODELS[a.confidence][0]) != (
        b.front, b.syllable, b.word, MODELS[b.confidence][0]
    ):  # fmt: skip
        return False
    numbers_a = (a.wpm_scale, a.min_speech_s, a.min_snr_db, a.model.intercept, *a.model.mean,
                 *a.model.scale, *a.model.weights, a.relative_probability)  # fmt: skip
    numbers_b = (b.wpm_scale, b.min_speech_s, b.min_snr_db, b.model.intercept, *b.model.mean,
                 *b.model.scale, *b.model.weights, b.relative_probability)  # fmt: skip
    return len(numbers_a) == len(numbers_b) and all(
        abs(x - y) <= tolerance * max(1.0, abs(x))
        for x, y in zip(numbers_a, numbers_b, strict=True)
    )


def constants_snippet(choice: Choice) -> str:
    """The fitted constants as Python, to paste into the runtime modules."""

    def tup(values: Sequence[float]) -> str:
        return "(" + ", ".join(f"{v:.6g}" for v in values) + ("," if len(values) == 1 else "") + ")"

    m = choice.model
    return "\n".join([
        f"# nuclei.DEFAULT_FRONT = FRONTS[{choice.front!r}]",
        f"# nuclei.SYLLABLE_READING = SYLLABLE_READINGS[{choice.syllable!r}]",
        f"# nuclei.WORD_READING = WORD_READINGS[{choice.word!r}]",
        f"rateAcousticScale default: \"{choice.wpm_scale:.4f}\"  # contract.py (rate.CALIBRATION_SCALE)",
        f"# rate_confidence.py: MODELS[{choice.confidence!r}]",
        f"USED: Final = {MODELS[choice.confidence][0]!r}",
        f"MEAN: Final = {tup(m.mean)}",
        f"SCALE: Final = {tup(m.scale)}",
        f"WEIGHTS: Final = {tup(m.weights)}",
        f"INTERCEPT: Final = {m.intercept:.6g}",
        f"SUPPORT_MIN_SPEECH_S: Final = {choice.min_speech_s:.4g}",
        f"SUPPORT_MIN_SNR_DB: Final = {choice.min_snr_db:.4g}",
        f"RELATIVE_PROBABILITY: Final = {choice.relative_probability:.4g}",
    ])  # fmt: skip


@dataclass(frozen=True)
class Figures:
    """Every figure of the committed fit: in sample, and leave-one-talker-out (``loto``)."""

    fitted: Choice
    committed: Choice
    in_sample: Predictions
    loto: Predictions
    loto_choices: dict[str, Choice]
    rows_in: dict[str, dict[str, float]]
    rows_loto: dict[str, dict[str, float]]
    curve_in: list[Tradeoff]
    curve_loto: list[Tradeoff]
    bins_in: list[Bin]
    bins_loto: list[Bin]
    wpm_mae_clean: dict[str, float]
    threshold: float
    relative_in: dict[str, dict[str, float]] = field(default_factory=dict)
    relative_loto: dict[str, dict[str, float]] = field(default_factory=dict)

    def at_threshold(self, curve: Sequence[Tradeoff]) -> Tradeoff:
        """The curve's point at the stacks' threshold."""
        return next(t for t in curve if t.threshold == self.threshold)

    def worst_bin(self, bins: Sequence[Bin]) -> float:
        """Largest |accuracy - mean confidence| over bins with at least MIN_BIN_SAMPLES."""
        return max(abs(b.accuracy - b.mean_confidence) for b in bins if b.n >= MIN_BIN_SAMPLES)


def _leave_one_clip_out_mae(table: Table, choice: Choice) -> float:
    clean = table.subset("clean")
    raw = _raw_wpm(table, clean, choice.front, choice.word)
    ref = _truth(table, clean, "wpm")
    errors = [abs(_scale(np.delete(raw, k), np.delete(ref, k)) * raw[k] - ref[k])
              for k in range(raw.size)]  # fmt: skip
    return float(np.mean(errors))


def figures(table: Table, *, threshold: float = STACK_THRESHOLD) -> Figures:
    """Fit on everything and leave-one-talker-out, and compute every figure of the report."""
    everyone = table.subset()
    committed = committed_choice()
    in_sample = predict(table, committed, everyone)
    loto, choices = leave_one_talker_out(table)
    clean = table.subset("clean")
    ref = _truth(table, clean, "wpm")
    steps = sorted({*CURVE_THRESHOLDS, threshold})
    return Figures(
        fitted=fit(table, everyone),
        committed=committed,
        in_sample=in_sample,
        loto=loto,
        loto_choices=choices,
        rows_in=condition_rows(table, in_sample, threshold),
        rows_loto=condition_rows(table, loto, threshold),
        curve_in=tradeoff_curve(in_sample.confidence, in_sample.correct, steps),
        curve_loto=tradeoff_curve(loto.confidence, loto.correct, steps),
        bins_in=reliability(in_sample.confidence, in_sample.correct),
        bins_loto=reliability(loto.confidence, loto.correct),
        wpm_mae_clean={
            "in sample": float(np.mean(np.abs(in_sample.wpm[clean] - ref))),
            "leave one talker out": float(np.mean(np.abs(loto.wpm[clean] - ref))),
            "leave one clip out": _leave_one_clip_out_mae(table, committed),
        },
        threshold=threshold,
        relative_in=relative_rows(table, in_sample, threshold),
        relative_loto=relative_rows(table, loto, threshold),
    )


def relative_rows(
    table: Table, pred: Predictions, threshold: float = STACK_THRESHOLD
) -> dict[str, dict[str, float]]:
    """Per condition (and ``all``): the relative confidence against the observed share.

    The mean relative confidence, the observed share within the tolerance, and what a gate at
    ``threshold`` and at 0.85 lets through (share passed, and the observed share among them).
    """
    groups = {**by_condition(table, table.subset()), "all": table.subset()}
    rows = {}
    for condition, idx in groups.items():
        conf, within = pred.relative_confidence[idx], pred.within[idx]
        row = {"mean_confidence": float(np.mean(conf)), "observed": float(np.mean(within))}
        for name, gate in (("stack", threshold), ("default", 0.85)):
            passed = conf >= gate
            row[f"passed_{name}"] = float(np.mean(passed))
            row[f"within_passed_{name}"] = (
                float(np.mean(within[passed])) if passed.any() else float("nan")
            )
        rows[condition] = row
    return rows


#: The estimator's changes, one at a time (front, syllable reading), for the report.
STEPS: Final = (
    ("before: 300-3000 Hz, dip test 1.5 dB, smoothing 5, voicing > 0.4 (hard count)",
     "300-3000 Hz", "before: smooth 5, floor 30 dB, dip 1.5 dB, voicing 0.4 (hard)"),
    ("+ soft count (prominence 0-4 dB, floor 20+-10 dB, voicing 0.3-0.5), smoothing 3",
     "300-3000 Hz", "smooth 3, floor 20+-10 dB, prominence 0-4 dB"),
    ("+ band 250-4000 Hz", "250-4000 Hz", "smooth 3, floor 20+-10 dB, prominence 0-4 dB"),
    ("+ noise floor subtracted in 4 sub-bands", "250-4000 Hz, noise subtracted",
     "smooth 3, floor 20+-10 dB, prominence 0-4 dB"),
    ("+ voicing thresholds x snr/(1+snr) (committed)", "250-4000 Hz, noise subtracted",
     "smooth 3, floor 20+-10 dB, prominence 0-4 dB, voicing x snr/(1+snr)"),
    ("(alternative) voicing on the denoised spectrum below 4 kHz",
     "250-4000 Hz, noise subtracted, voicing on the denoised spectrum below 4 kHz",
     "smooth 3, floor 20+-10 dB, prominence 0-4 dB"),
)  # fmt: skip


def step_rows(table: Table) -> list[tuple[str, dict[str, float]]]:
    """Syllable-rate r per condition after each of :data:`STEPS` (in sample, scale-free)."""
    groups = by_condition(table, table.subset())
    return [
        (label, {c: pearson(raw_rates(table, g, front, syllable),
                             _truth(table, g, "syllables_per_s")) for c, g in groups.items()})
        for label, front, syllable in STEPS
    ]  # fmt: skip


def word_rows(table: Table) -> list[tuple[str, float, float]]:
    """Clean WPM MAE of each word reading: in sample and leave-one-talker-out (scale refit)."""
    out = []
    for word in WORD_READINGS:
        loto, _ = leave_one_talker_out(table, word=word)
        choice = replace(committed_choice(), word=word)
        clean = table.subset("clean")
        ref = _truth(table, clean, "wpm")
        raw = _raw_wpm(table, clean, choice.front, word)
        mae_in = float(np.mean(np.abs(_scale(raw, ref) * raw - ref)))
        out.append((word, mae_in, float(np.mean(np.abs(loto.wpm[clean] - ref)))))
    return out


def model_rows(
    table: Table, threshold: float = STACK_THRESHOLD
) -> list[tuple[str, float, float, float]]:
    """Each confidence model's leave-one-talker-out log loss, worst judged bin and gap."""
    out = []
    for model in MODELS:
        loto, _ = leave_one_talker_out(table, model=model)
        bins = [b for b in reliability(loto.confidence, loto.correct) if b.n >= MIN_BIN_SAMPLES]
        worst = max(abs(b.accuracy - b.mean_confidence) for b in bins)
        gap = tradeoff(loto.confidence, loto.correct, threshold).gap
        out.append((model, _log_loss(loto.confidence, loto.correct), worst, gap))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Refit and print the figures (``--doc``: write them to ``docs/design/rate-confidence.md``)."""
    from calibration.rate_report import report

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--extra", action="store_true", help="add the out-of-sample extra/ clips")
    parser.add_argument(
        "--doc", action="store_true", help=f"write {DOC_PATH.relative_to(REPO_ROOT)}"
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args(argv)
    table = load_table(n_jobs=args.jobs)
    extra = (
        load_table(degrade.SPEECH_DEV_DIR / "extra" / "manifest.csv", n_jobs=args.jobs)
        if args.extra
        else None
    )
    text = report(table, extra)
    print(text)
    if args.doc:
        DOC_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {DOC_PATH.relative_to(REPO_ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    # Run the imported module's main, so that the cache pickles calibration.rate_model.Table
    # rather than __main__.Table.
    from calibration.rate_model import main as _main

    sys.exit(_main())
