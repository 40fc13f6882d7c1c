"""A deployment's own sample audio: discovered in folders or listed in a label-free manifest.

A folder holds audio files (WAV, FLAC, OGG/Opus, MP3; subfolders included) and, optionally,
beside ``clip.wav``: ``clip.transcript.txt`` or ``clip.txt`` (what the speaker said) and
``clip.words.json`` (word timings, Transcribe or whisper). A subfolder named ``synthetic`` (or a
manifest row with ``gen_engine``) marks generated speech, which the notebook shows apart.
A manifest needs only a ``file`` column; ``transcript``, ``speaker`` and labels are optional.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from calibration.errors import ManifestError

__all__ = ["AUDIO_SUFFIXES", "SampleClip", "discover", "load_sample", "read_sample_manifest"]

AUDIO_SUFFIXES: Final = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3")


@dataclass(frozen=True, slots=True)
class SampleClip:
    """One recording of the sample, with what is known about it."""

    path: Path
    corpus: str
    transcript: str | None = None
    words: Any = None  # raw word timings (validated when the rate is measured)
    speaker: str | None = None
    synthetic: bool = False
    volume_label: str | None = None
    rate_label: str | None = None

    @property
    def name(self) -> str:
        """The file name (unique within its folder)."""
        return self.path.name


def _sidecar_text(audio: Path) -> str | None:
    for candidate in (audio.with_suffix(".transcript.txt"), audio.with_suffix(".txt")):
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8").strip()
            return text or None
    return None


def _sidecar_words(audio: Path) -> Any:
    path = audio.with_suffix(".words.json")
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ManifestError(str(path), f"not valid JSON ({exc})") from None


def discover(folder: Path) -> list[SampleClip]:
    """Every audio file below ``folder`` (sorted), with its sidecar files."""
    if not folder.is_dir():
        raise ManifestError(str(folder), "no such folder of sample audio")
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
    )
    return [
        SampleClip(
            path=p,
            corpus=folder.name,
            transcript=_sidecar_text(p),
            words=_sidecar_words(p),
            speaker=p.parent.name if p.parent != folder else None,
            synthetic="synthetic" in p.relative_to(folder).parts[:-1],
        )
        for p in files
    ]


def read_sample_manifest(path: Path) -> list[SampleClip]:
    """A manifest whose only required column is ``file`` (labels are kept when present)."""
    if not path.is_file():
        raise ManifestError(str(path), "no such manifest file")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if "file" not in (reader.fieldnames or []):
            raise ManifestError(str(path), "missing required column", column="file")
        rows = list(reader)
    clips = []
    for index, row in enumerate(rows, start=1):
        audio = (path.parent / (row.get("file") or "").strip()).resolve()
        if not audio.is_file():
            raise ManifestError(
                str(path), f"audio file not found: {audio}", row=index, column="file"
            )
        clips.append(
            SampleClip(
                path=audio,
                corpus=path.parent.name,
                transcript=(row.get("transcript") or "").strip() or None,
                speaker=(row.get("speaker") or "").strip() or None,
                synthetic=bool((row.get("gen_engine") or "").strip()),
                volume_label=(row.get("volume_label") or "").strip() or None,
                rate_label=(row.get("rate_label") or "").strip() or None,
            )
        )
    return clips


def load_sample(sources: Iterable[str | Path]) -> list[SampleClip]:
    """Clips of every source: a folder of audio or a ``.csv`` manifest."""
    clips: list[SampleClip] = []
    for source in sources:
        path = Path(source)
        clips.extend(read_sample_manifest(path) if path.suffix == ".csv" else discover(path))
    if not clips:
        raise ManifestError(", ".join(map(str, sources)), "no audio files found")
    return clips


def speakers(clips: Sequence[SampleClip]) -> list[str]:
    """Each clip's speaker, or its own name when unknown (for grouped cross-validation)."""
    return [c.speaker or c.name for c in clips]
