"""Measure the pace norms of :mod:`emotion_dynamics.languages` on real read speech.

For every language with read clips in the given manifests (``language`` column, English when
absent; ``style`` other than ``read`` is skipped): the median true syllable rate (manifest
``syllables`` over its ``speech_s``) and the median reading of the production acoustic
estimator (nuclei over the estimator's speech span), and the median per-clip ratio of the two,
with the number of clips and talkers.
``python -m calibration norms`` prints the table the runtime's constants were taken from.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from calibration.degrade import load_dev_clips
from emotion_dynamics.audio import resample
from emotion_dynamics.detectors.rate import acoustic_syllables_per_s, estimate_syllables
from emotion_dynamics.languages import primary_language

__all__ = ["NormRow", "format_norms", "measure_norms"]

ANALYSIS_RATE = 16000


@dataclass(frozen=True, slots=True)
class NormRow:
    """One language's measured norms (syllables per speech-second)."""

    language: str
    clips: int
    talkers: int
    true_median: float
    acoustic_median: float
    #: Median over clips of the estimator's reading over the true rate: how much the nuclei
    #: counter merges (below 1) or splits (above 1) this language's syllables.
    ratio_median: float


def _acoustic_rate(path: Path) -> float | None:
    samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = resample(samples.mean(axis=1).astype(np.float32), int(rate), ANALYSIS_RATE)
    return acoustic_syllables_per_s(estimate_syllables(mono, ANALYSIS_RATE))


def measure_norms(manifests: Iterable[Path]) -> list[NormRow]:
    """The norm table over the read clips of ``manifests``."""
    by_language: dict[str, list[tuple[str, float, float]]] = {}
    for manifest in manifests:
        for clip in load_dev_clips(manifest):
            if clip.style != "read":
                continue
            acoustic = _acoustic_rate(clip.path)
            if acoustic is None:
                continue
            language = primary_language(clip.language)
            by_language.setdefault(language, []).append(
                (clip.speaker, clip.syllables_per_s, acoustic)
            )
    return [
        NormRow(
            language=language,
            clips=len(rows),
            talkers=len({speaker for speaker, _, _ in rows}),
            true_median=statistics.median(r for _, r, _ in rows),
            acoustic_median=statistics.median(a for _, _, a in rows),
            ratio_median=statistics.median(a / r for _, r, a in rows),
        )
        for language, rows in sorted(by_language.items())
    ]


def format_norms(rows: Sequence[NormRow]) -> str:
    """The table as Markdown."""
    lines = [
        "| language | clips | talkers | true syl/s (median) | acoustic estimator syl/s (median) "
        "| estimator / true (median per clip) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.language} | {r.clips} | {r.talkers} | {r.true_median:.2f} | "
        f"{r.acoustic_median:.2f} | {r.ratio_median:.3f} |"
        for r in rows
    ]
    return "\n".join(lines)
