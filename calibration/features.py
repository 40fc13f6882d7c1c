"""Extract the production detectors' features from every clip of one or more manifests.

The detectors are imported from :mod:`emotion_dynamics` (the code that runs in the Lambda),
never reimplemented. Clips are processed in parallel across cores
(:func:`calibration.parallel.process_pool`) with a tqdm progress bar. Each clip is decoded
with soundfile and mixed down to mono; the detectors get the file's own sample rate (every
corpus here is 16 kHz, the Lambda's analysis rate).

Per clip two rate estimates are kept: ``wpm`` from the acoustic estimator (no transcript:
what the Lambda does when the event carries none) and ``wpm_transcript`` (words of the
transcript over the detected speech time). The rate thresholds are fitted to ``wpm`` by
default: the transcript path is nearly exact and needs no calibration.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Final

import numpy as np
import soundfile as sf

from calibration.manifest import Clip
from calibration.parallel import process_pool, worker_count
from emotion_dynamics.config import default_config

__all__ = [
    "FEATURE_COLUMNS",
    "ClipFeatures",
    "extract_clip",
    "extract_features",
    "read_features",
    "write_features",
]


@dataclass(frozen=True, slots=True)
class ClipFeatures:
    """The labels, reference values and detector outputs of one clip (NaN: not measured)."""

    file: str
    corpus: str
    volume_label: str
    rate_label: str
    ref_level_dbfs: float
    ref_wpm: float
    level_dbfs: float
    volume_confidence: float
    active_speech_s: float
    wpm: float
    rate_confidence: float
    speech_s: float
    syllables: float
    wpm_transcript: float
    duration_s: float
    sample_rate: int


FEATURE_COLUMNS: Final = tuple(f.name for f in fields(ClipFeatures))
_STRINGS: Final = {"file", "corpus", "volume_label", "rate_label"}


def _nan_if_none(value: float | int | None) -> float:
    return math.nan if value is None else float(value)


def extract_clip(clip: Clip) -> ClipFeatures:
    """Run the production detectors on one clip (the classes they return are not used)."""
    from emotion_dynamics.detectors.rate import detect_rate
    from emotion_dynamics.detectors.volume import detect_volume

    samples, sample_rate = sf.read(str(clip.path), dtype="float64", always_2d=True)
    mono = np.ascontiguousarray(samples.mean(axis=1))
    defaults = default_config()
    volume = detect_volume(mono, sample_rate, thresholds=defaults.volume)
    rate_thresholds = defaults.rate
    acoustic = detect_rate(mono, sample_rate, thresholds=rate_thresholds, transcript=None)
    textual = detect_rate(mono, sample_rate, thresholds=rate_thresholds, transcript=clip.transcript)
    return ClipFeatures(
        file=str(clip.path),
        corpus=clip.corpus,
        volume_label=clip.volume_label.value,
        rate_label=clip.rate_label.value,
        ref_level_dbfs=clip.rms_dbfs,
        ref_wpm=clip.wpm,
        level_dbfs=_nan_if_none(volume.level_dbfs),
        volume_confidence=float(volume.confidence),
        active_speech_s=float(volume.active_speech_s),
        wpm=_nan_if_none(acoustic.wpm),
        rate_confidence=float(acoustic.confidence),
        speech_s=float(acoustic.speech_s),
        syllables=_nan_if_none(acoustic.syllables),
        wpm_transcript=_nan_if_none(textual.wpm),
        duration_s=mono.size / sample_rate,
        sample_rate=int(sample_rate),
    )


def extract_features(
    clips: Sequence[Clip],
    *,
    n_jobs: int | None = None,
    progress: bool = True,
    chunksize: int = 8,
) -> list[ClipFeatures]:
    """Extract features of all clips, in input order, on ``n_jobs`` processes (default: all cores)."""
    from tqdm.auto import tqdm

    workers = worker_count(n_jobs, len(clips))
    bar = tqdm(total=len(clips), desc="features", disable=not progress)
    try:
        if workers == 1:
            out = []
            for clip in clips:
                out.append(extract_clip(clip))
                bar.update()
            return out
        with process_pool(workers) as pool:
            results = []
            for result in pool.map(extract_clip, clips, chunksize=chunksize):
                results.append(result)
                bar.update()
            return results
    finally:
        bar.close()


def write_features(path: str | Path, features: Iterable[ClipFeatures]) -> Path:
    """Write features as CSV (NaN written as an empty cell)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(FEATURE_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for item in features:
            row = asdict(item)
            writer.writerow(
                {k: "" if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
            )
    return out


def read_features(path: str | Path) -> list[ClipFeatures]:
    """Read features written by :func:`write_features`."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        values: dict[str, object] = {}
        for name in FEATURE_COLUMNS:
            text = row.get(name, "")
            if name in _STRINGS:
                values[name] = text
            elif name == "sample_rate":
                values[name] = int(text)
            else:
                values[name] = float(text) if text else math.nan
        out.append(ClipFeatures(**values))  # type: ignore[arg-type]
    return out
