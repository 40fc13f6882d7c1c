"""Locate and load the shared speech-dev clips (real read speech, see its README).

The clips live outside the project at ``../shared/speech-dev`` relative to the repository
root; they are not part of the product and are absent on a user's machine, in which case the
tests that need them are skipped with a reason saying so.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEECH_DEV_DIR = REPO_ROOT.parent / "shared" / "speech-dev"
MANIFEST = SPEECH_DEV_DIR / "manifest.csv"
SKIP_REASON = (
    f"speech-dev clips not found at {SPEECH_DEV_DIR} (shared development data kept outside "
    "the project; absent outside the development machines)"
)


@dataclass(frozen=True, slots=True)
class Clip:
    """One manifest row with its audio."""

    name: str
    samples: npt.NDArray[np.float64]
    sample_rate: int
    transcript: str
    words: int
    syllables: int
    speech_s: float
    wpm: float
    rms_dbfs: float


def available() -> bool:
    """Whether the speech-dev manifest is present."""
    return MANIFEST.is_file()


def skip_unless_available() -> None:
    """Skip the calling test (or fixture) when speech-dev is absent."""
    if not available():
        pytest.skip(SKIP_REASON)


@cache
def load_clips() -> tuple[Clip, ...]:
    """All manifest clips, decoded as float64 (cached per process)."""
    import soundfile as sf

    clips = []
    with MANIFEST.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            samples, sample_rate = sf.read(SPEECH_DEV_DIR / row["file"], dtype="float64")
            if samples.ndim > 1:
                samples = samples.mean(axis=1)
            clips.append(
                Clip(
                    name=Path(row["file"]).stem,
                    samples=samples,
                    sample_rate=int(sample_rate),
                    transcript=row["transcript"],
                    words=int(row["words"]),
                    syllables=int(row["syllables"]),
                    speech_s=float(row["speech_s"]),
                    wpm=float(row["wpm"]),
                    rms_dbfs=float(row["rms_dbfs"]),
                )
            )
    return tuple(clips)
