"""The one manifest format of every calibration corpus: schema, CSV I/O, validation, labels.

A manifest is a CSV file with one row per clip. Its first eleven columns are those of
``../shared/speech-dev/manifest.csv`` (so that file is a valid manifest as it stands); two
label columns and the generator's parameters follow. See ``datasets/README.md`` for the
meaning of every column and for how to describe your own recordings.

Reference measurements (:func:`reference_measurements`) follow the speech-dev definition and
are deliberately independent of the production detectors, so calibration is not circular:

- 25 ms frames, 10 ms hop, whole frames only; frame power = mean of ``x ** 2``;
- the gate is (loudest frame - 40 dB); ``speech_s`` runs from the first to the last frame
  above it: ``(last - first) * hop + frame``;
- ``rms_dbfs`` = ``10 log10`` of the mean power of the frames above the gate (full-scale
  square wave = 0 dBFS, full-scale sine = -3.01 dBFS);
- ``wpm`` = ``words / speech_s * 60``.

Labels. ``volume_label`` and ``rate_label`` are the classes a clip *should* get. When a
row leaves them blank (speech-dev has no such columns) they are derived:

- rate: the class of the reference ``wpm`` under the product's target bands
  (:data:`TARGET_RATE_BANDS`, 100/130/160/190 WPM). Fitting the rate thresholds therefore
  corrects the bias of the WPM *estimator*, it does not redefine what "fast" means.
- volume: rule ``"medium"`` (default) labels the clip ``medium``, i.e. read at normal
  vocal effort, which is true of speech-dev; rule ``"reference"`` uses the class of
  ``rms_dbfs`` under :data:`REFERENCE_LEVEL_BANDS` (the generator's microphone chain).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import soundfile as sf

from calibration.errors import ManifestError
from emotion_dynamics.config import RateThresholds, VolumeThresholds, default_config
from emotion_dynamics.models import RateClass, VolumeClass

__all__ = [
    "BASE_COLUMNS",
    "GENERATOR_COLUMNS",
    "LABEL_COLUMNS",
    "MANIFEST_COLUMNS",
    "REFERENCE_LEVEL_BANDS",
    "REQUIRED_COLUMNS",
    "TARGET_RATE_BANDS",
    "Clip",
    "VolumeRule",
    "complete_row",
    "rate_band",
    "read_manifest",
    "reference_measurements",
    "volume_band",
    "write_manifest",
]

#: The speech-dev manifest's columns, in its order.
BASE_COLUMNS: Final = (
    "file",
    "source",
    "license",
    "speaker",
    "transcript",
    "words",
    "syllables",
    "duration_s",
    "speech_s",
    "wpm",
    "rms_dbfs",
)
#: The classes a clip should get (blank: derived, see the module docstring).
LABEL_COLUMNS: Final = ("volume_label", "rate_label")
#: The generator's parameters (blank for recorded clips).
GENERATOR_COLUMNS: Final = (
    "gen_engine",
    "gen_voice",
    "gen_rate_setting",
    "gen_target_wpm",
    "gen_level_dbfs",
    "gen_pause_s",
    "gen_noise",
    "gen_snr_db",
    "gen_seed",
)
MANIFEST_COLUMNS: Final = BASE_COLUMNS + LABEL_COLUMNS + GENERATOR_COLUMNS
#: Columns a manifest must have (the reference measurements may be blank: they are then
#: measured from the audio when the manifest is read).
REQUIRED_COLUMNS: Final = ("file", "transcript")

#: The product's definition of the rate classes (WPM): the contract's default thresholds,
#: used to label clips by reference WPM.
TARGET_RATE_BANDS: Final = default_config().rate
#: Level bands of the generator's simulated microphone chain (normal effort at -20 dBFS,
#: 7 dB per class, cuts halfway between the steps); used only by the ``"reference"`` rule.
REFERENCE_LEVEL_BANDS: Final = VolumeThresholds(loud_dbfs=-16.5, medium_dbfs=-23.5, soft_dbfs=-30.5)

FRAME_S: Final = 0.025
HOP_S: Final = 0.010
GATE_DB: Final = 40.0

VolumeRule = Literal["medium", "reference"]
E = TypeVar("E", VolumeClass, RateClass)
_VOLUME_RULES: Final = ("medium", "reference")


@dataclass(frozen=True, slots=True)
class Clip:
    """One validated manifest row with its labels resolved and its audio path absolute."""

    path: Path
    file: str
    corpus: str
    transcript: str
    words: int
    speech_s: float
    wpm: float
    rms_dbfs: float
    volume_label: VolumeClass
    rate_label: RateClass
    volume_label_derived: bool
    rate_label_derived: bool
    extra: Mapping[str, str] = field(default_factory=dict)


def reference_measurements(samples: npt.ArrayLike, sample_rate: int) -> tuple[float, float]:
    """Return ``(speech_s, rms_dbfs)`` of a mono clip, as defined in the module docstring.

    Returns ``(0.0, -inf)`` for digital silence.
    """
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    frame = round(FRAME_S * sample_rate)
    hop = round(HOP_S * sample_rate)
    if x.size < frame:
        power = np.array([float(np.mean(x * x))]) if x.size else np.zeros(1)
    else:
        n = 1 + (x.size - frame) // hop
        cumsum = np.concatenate(([0.0], np.cumsum(x * x)))
        starts = np.arange(n) * hop
        power = np.maximum((cumsum[starts + frame] - cumsum[starts]) / frame, 0.0)
    if float(power.max()) <= 0.0:
        return 0.0, -math.inf
    level_db = 10.0 * np.log10(np.maximum(power, 1e-30))
    active = np.flatnonzero(level_db > level_db.max() - GATE_DB)
    first, last = int(active[0]), int(active[-1])
    speech_s = (
        ((last - first) * hop + frame) / sample_rate if x.size >= frame else x.size / sample_rate
    )
    rms_dbfs = 10.0 * math.log10(float(np.mean(power[active])))
    return speech_s, rms_dbfs


def _band_index(value: float, thresholds: Sequence[float]) -> int:
    return sum(1 for t in thresholds if value >= t)


def rate_band(wpm: float, bands: RateThresholds = TARGET_RATE_BANDS) -> RateClass:
    """Class of a reference WPM under ``bands`` (below very-slow: x-slow; at or above fast: x-fast)."""
    cuts = (bands.very_slow_wpm, bands.slow_wpm, bands.medium_wpm, bands.fast_wpm)
    return list(RateClass)[_band_index(wpm, cuts)]


def volume_band(level_dbfs: float, bands: VolumeThresholds = REFERENCE_LEVEL_BANDS) -> VolumeClass:
    """Class of a reference level under ``bands`` (at or above loud: loud; below soft: x-soft)."""
    cuts = (bands.soft_dbfs, bands.medium_dbfs, bands.loud_dbfs)
    return list(VolumeClass)[_band_index(level_dbfs, cuts)]


def _read_audio(path: Path) -> tuple[npt.NDArray[np.float64], int]:
    samples, sample_rate = sf.read(str(path), dtype="float64", always_2d=True)
    return samples.mean(axis=1), int(sample_rate)


def complete_row(row: Mapping[str, str], audio_path: Path) -> dict[str, str]:
    """Fill blank ``words``, ``duration_s``, ``speech_s``, ``wpm``, ``rms_dbfs`` from the audio."""
    out = {column: (row.get(column) or "").strip() for column in MANIFEST_COLUMNS}
    out.update({k: v for k, v in row.items() if k not in out and v is not None})
    if not out["words"]:
        out["words"] = str(len(out["transcript"].split()))
    if any(not out[c] for c in ("duration_s", "speech_s", "wpm", "rms_dbfs")):
        samples, sample_rate = _read_audio(audio_path)
        speech_s, rms_dbfs = reference_measurements(samples, sample_rate)
        out["duration_s"] = out["duration_s"] or f"{samples.size / sample_rate:.3f}"
        out["speech_s"] = out["speech_s"] or f"{speech_s:.3f}"
        out["rms_dbfs"] = out["rms_dbfs"] or f"{rms_dbfs:.2f}"
        if not out["wpm"] and out["words"].isdigit() and speech_s > 0:
            out["wpm"] = f"{int(out['words']) / speech_s * 60.0:.1f}"
    return out


def _number(path: str, index: int, column: str, text: str, *, positive: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ManifestError(
            path, f"expected a number, given {text!r}", row=index, column=column
        ) from None
    if not math.isfinite(value) or (positive and value <= 0):
        kind = "a positive finite number" if positive else "a finite number"
        raise ManifestError(path, f"expected {kind}, given {text!r}", row=index, column=column)
    return value


def _label(path: str, index: int, column: str, text: str, enum: type[E]) -> E | None:
    if not text:
        return None
    try:
        return enum(text.strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ManifestError(
            path, f"expected one of {allowed}, given {text!r}", row=index, column=column
        ) from None


def read_manifest(
    path: str | Path,
    *,
    corpus: str | None = None,
    volume_rule: VolumeRule = "medium",
    check_files: bool = True,
) -> list[Clip]:
    """Read and validate a manifest; blank reference measurements are measured from the audio.

    Parameters
    ----------
    path
        The CSV file; ``file`` paths in it are relative to its folder.
    corpus
        Name given to its clips (default: the name of the manifest's folder).
    volume_rule
        How a blank ``volume_label`` is derived: ``"medium"`` or ``"reference"``.
    check_files
        Fail when an audio file does not exist.

    Raises
    ------
    ManifestError
        Naming the file, the row (1 = first data row) and the column of the first bad value.

    """
    manifest = Path(path)
    where = str(manifest)
    if volume_rule not in _VOLUME_RULES:
        raise ManifestError(
            where, f"volume_rule must be one of {_VOLUME_RULES}, given {volume_rule!r}"
        )
    if not manifest.is_file():
        raise ManifestError(where, "no such manifest file")
    name = corpus or manifest.parent.name
    with manifest.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for column in REQUIRED_COLUMNS:
            if column not in header:
                raise ManifestError(
                    where, f"missing required column (header is {header})", column=column
                )
        raw_rows = list(reader)
    if not raw_rows:
        raise ManifestError(where, "manifest has no rows")
    clips = []
    for index, raw in enumerate(raw_rows, start=1):
        file = (raw.get("file") or "").strip()
        if not file:
            raise ManifestError(where, "empty file path", row=index, column="file")
        audio = (manifest.parent / file).resolve()
        if check_files and not audio.is_file():
            raise ManifestError(where, f"audio file not found: {audio}", row=index, column="file")
        if not (raw.get("transcript") or "").strip():
            raise ManifestError(where, "empty transcript", row=index, column="transcript")
        row = complete_row(raw, audio)
        words = _number(where, index, "words", row["words"], positive=True)
        if words != int(words):
            raise ManifestError(
                where, f"expected a whole number, given {row['words']!r}", row=index, column="words"
            )
        speech_s = _number(where, index, "speech_s", row["speech_s"], positive=True)
        wpm = _number(where, index, "wpm", row["wpm"], positive=True)
        rms_dbfs = _number(where, index, "rms_dbfs", row["rms_dbfs"], positive=False)
        volume = _label(where, index, "volume_label", row["volume_label"], VolumeClass)
        rate = _label(where, index, "rate_label", row["rate_label"], RateClass)
        if volume is None:
            volume = VolumeClass.MEDIUM if volume_rule == "medium" else volume_band(rms_dbfs)
        clips.append(
            Clip(
                path=audio,
                file=file,
                corpus=name,
                transcript=row["transcript"],
                words=int(words),
                speech_s=speech_s,
                wpm=wpm,
                rms_dbfs=rms_dbfs,
                volume_label=volume,
                rate_label=rate if rate is not None else rate_band(wpm),
                volume_label_derived=not row["volume_label"],
                rate_label_derived=rate is None,
                extra={k: v for k, v in row.items() if k.startswith("gen_") and v},
            )
        )
    return clips


def write_manifest(path: str | Path, rows: Iterable[Mapping[str, object]]) -> Path:
    """Write rows as a manifest with :data:`MANIFEST_COLUMNS` (missing keys left blank)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=list(MANIFEST_COLUMNS), extrasaction="raise", lineterminator="\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    column: "" if row.get(column) is None else row.get(column)
                    for column in MANIFEST_COLUMNS
                }
            )
    return out
