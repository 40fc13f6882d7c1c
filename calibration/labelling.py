"""Label clips by ear: one clip at a time, its volume and rate class, saved as a manifest.

:class:`LabelSession` is the state behind the notebook's labelling widget. It writes the
manifest format (:data:`calibration.manifest.MANIFEST_COLUMNS`, ``file`` relative to the
CSV's folder) with the clips that got at least one label; such a file is sample audio with
labels for the notebook (``sample_audio=[it]``), and a labelled corpus for ``--manifest``
when its clips have transcripts. An existing file is never replaced unless asked.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from calibration.errors import CalibrationError
from calibration.fit import RATE_NAMES, VOLUME_NAMES
from calibration.manifest import write_manifest
from calibration.sample import SampleClip

__all__ = ["LabelFileExistsError", "LabelSession"]


class LabelFileExistsError(CalibrationError):
    """The labels file exists and overwriting it was not asked for."""


@dataclass
class LabelSession:
    """Labels given so far, the clip being labelled, and where they are saved."""

    clips: Sequence[SampleClip]
    out: Path
    index: int = 0
    volume: dict[int, str] = field(default_factory=dict)
    rate: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.clips:
            raise CalibrationError("nothing to label: no clips")
        self.out = Path(self.out)
        for i, clip in enumerate(self.clips):  # start from the labels the clips already have
            if clip.volume_label:
                self.volume[i] = clip.volume_label
            if clip.rate_label:
                self.rate[i] = clip.rate_label

    @property
    def current(self) -> SampleClip:
        """The clip being labelled."""
        return self.clips[self.index]

    def move(self, step: int) -> SampleClip:
        """Go ``step`` clips on (negative: back), wrapping around; return the new clip."""
        self.index = (self.index + step) % len(self.clips)
        return self.current

    def label(self, *, volume: str | None = None, rate: str | None = None) -> None:
        """Give the current clip a volume and/or rate class (the Polly keyword)."""
        if volume is not None:
            if volume not in VOLUME_NAMES:
                raise ValueError(f"volume class must be one of {VOLUME_NAMES}, given {volume!r}")
            self.volume[self.index] = volume
        if rate is not None:
            if rate not in RATE_NAMES:
                raise ValueError(f"rate class must be one of {RATE_NAMES}, given {rate!r}")
            self.rate[self.index] = rate

    @property
    def labelled(self) -> int:
        """How many clips have at least one label."""
        return len(self.volume.keys() | self.rate.keys())

    def rows(self, folder: Path) -> list[dict[str, object]]:
        """Manifest rows of the labelled clips, ``file`` relative to ``folder``."""
        rows: list[dict[str, object]] = []
        for i in sorted(self.volume.keys() | self.rate.keys()):
            clip = self.clips[i]
            rows.append(
                {
                    "file": Path(os.path.relpath(clip.path.resolve(), folder.resolve())).as_posix(),
                    "speaker": clip.speaker,
                    "transcript": clip.transcript,
                    "volume_label": self.volume.get(i),
                    "rate_label": self.rate.get(i),
                }
            )
        return rows

    def save(self, path: str | Path | None = None, *, overwrite: bool = False) -> Path:
        """Write the labels as a manifest (default :attr:`out`); return the path written.

        Raises
        ------
        LabelFileExistsError
            The file exists and ``overwrite`` is false (nothing is written).
        CalibrationError
            No clip has a label yet.

        """
        target = Path(path) if path is not None else self.out
        if not self.labelled:
            raise CalibrationError("no clip has a label yet: nothing to save")
        if target.exists() and not overwrite:
            raise LabelFileExistsError(
                f"{target} exists: tick 'overwrite' or choose another file (nothing was written)"
            )
        return write_manifest(target, self.rows(target.parent))
