"""What a command-line run works on: input files, their texts, unique result names, outputs.

Everything here is decided before the first file is processed, so that a run never
overwrites one of its own outputs or inputs: each input gets a result name unique in the
run (its stem, or stem plus extension when stems collide: ``clip.flac`` -> ``clip_flac``),
and the outputs it will write are checked against every input and against ``--table-out``.
Files of the same name left in the output folder by an earlier run are replaced.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from emotion_dynamics.containers import sniff

__all__ = [
    "ACCEPTED_TEXT",
    "AUDIO_SUFFIXES",
    "RAW_SUFFIXES",
    "REFUSED_SUFFIXES",
    "InputError",
    "Job",
    "batch_jobs",
    "check_outputs",
    "file_job",
    "output_paths",
    "prepare_out_dir",
    "result_names",
    "skipped_files",
]

#: Audio files the Lambda decodes, by extension.
AUDIO_SUFFIXES: Final = (".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3")
#: Raw little-endian PCM16, which needs ``--sample-rate`` (and ``--channels`` unless mono).
RAW_SUFFIXES: Final = (".raw", ".pcm")
#: Audio the Lambda refuses (libsndfile cannot decode it): reported as an error row, never
#: skipped silently.
REFUSED_SUFFIXES: Final = (".webm", ".weba", ".mka", ".mkv", ".m4a", ".mp4", ".aac")
ACCEPTED_TEXT: Final = (
    f"accepted: WAV, FLAC, Ogg Vorbis or Opus, MP3 ({' '.join(AUDIO_SUFFIXES)}), "
    f"or raw PCM16 ({' '.join(RAW_SUFFIXES)}) with --sample-rate"
)
TEXT_SUFFIX: Final = ".txt"
TRANSCRIPT_SUFFIX: Final = ".transcript.txt"
WORDS_SUFFIX: Final = ".words.json"


class InputError(Exception):
    """A problem with what the user gave (a path, a folder, a flag): one line, exit code 2."""


@dataclass(frozen=True, slots=True)
class Job:
    """One input file: its bytes and texts, or the problem that keeps it from the handler."""

    path: Path
    name: str
    audio: bytes = b""
    text: str | None = None
    transcript: str | None = None
    raw: bool = False
    problem: str | None = None
    words: Any = None  # word timings (Transcribe or whisper JSON), sent as source_words


def result_names(paths: Sequence[Path]) -> dict[Path, str]:
    """A result name per input, unique in the run (compared case-insensitively)."""
    stems = Counter(p.stem.casefold() for p in paths)
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for path in sorted(paths):
        base = path.stem
        if stems[base.casefold()] > 1:
            base = f"{path.stem}_{path.suffix.lstrip('.').lower()}"
        name, n = base, 2
        while name.casefold() in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name.casefold())
        names[path] = name
    return names


def _read_text(path: Path) -> str | None:
    """The stripped text of ``path``; ``None`` when there is no such file."""
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def _audio_problem(path: Path, data: bytes, *, raw: bool, sample_rate: int | None) -> str | None:
    """What keeps ``data`` from the handler, in words about the file (``None``: nothing)."""
    if not data:
        return f"{path}: is empty"
    if raw:
        return None if sample_rate else f"{path}: raw PCM16 needs --sample-rate (and --channels)"
    container = sniff(data)
    if container is None:
        return (
            f"{path}: not a recognised audio file ({len(data)} bytes, header "
            f"{data[:4].hex(' ')}); {ACCEPTED_TEXT}"
        )
    if not container.accepted:
        return f"{path}: is {container.label} audio, which is not accepted; {ACCEPTED_TEXT}"
    return None


def read_words(path: Path) -> Any:
    """The word timings in a JSON file (``InputError`` naming the file when it is not JSON)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a readable JSON file of word timings ({exc})") from None


def file_job(
    path: Path,
    name: str,
    *,
    text: str | None,
    transcript: str | None,
    sample_rate: int | None,
    words: Any = None,
) -> Job:
    """Read one input file; a file that cannot be used becomes a job with a ``problem``."""
    raw = path.suffix.lower() in RAW_SUFFIXES
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Job(path, name, problem=f"{path}: cannot be read ({exc.strerror or exc})")
    problem = _audio_problem(path, data, raw=raw, sample_rate=sample_rate)
    if problem is None and text is None:
        problem = f"{path}: no text: write {path.with_suffix(TEXT_SUFFIX).name} or pass --text"
    return Job(path, name, data, text, transcript, raw, problem, words)


def batch_jobs(folder: Path, *, default_text: str | None, sample_rate: int | None) -> list[Job]:
    """A job per audio file of ``folder`` (its text from ``<stem>.txt``, else ``default_text``).

    Raises
    ------
    InputError
        ``folder`` is missing, not a folder, or holds no audio file.

    """
    if not folder.exists():
        raise InputError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise InputError(f"{folder} is a file: use `process {folder} --text ...` for one file")
    suffixes = AUDIO_SUFFIXES + RAW_SUFFIXES + REFUSED_SUFFIXES
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
    if not files:
        raise InputError(f"{folder}: no audio files ({' '.join(AUDIO_SUFFIXES + RAW_SUFFIXES)})")
    jobs = []
    for path, name in result_names(files).items():
        try:
            text = _read_text(path.with_suffix(TEXT_SUFFIX)) or default_text
            transcript = _read_text(path.with_suffix(TRANSCRIPT_SUFFIX))
            words_file = path.with_suffix(WORDS_SUFFIX)
            words = read_words(words_file) if words_file.is_file() else None
        except (OSError, UnicodeDecodeError) as exc:
            jobs.append(Job(path, name, problem=f"{path}: its text cannot be read ({exc})"))
            continue
        except InputError as exc:
            jobs.append(Job(path, name, problem=str(exc)))
            continue
        jobs.append(
            file_job(
                path, name, text=text, transcript=transcript, sample_rate=sample_rate, words=words
            )
        )
    return jobs


def skipped_files(folder: Path) -> list[Path]:
    """Files of ``folder`` a batch leaves alone: neither audio by extension nor a text."""
    known = AUDIO_SUFFIXES + RAW_SUFFIXES + REFUSED_SUFFIXES + (TEXT_SUFFIX, ".json")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() not in known)


def prepare_out_dir(out: Path) -> Path:
    """Create the output folder if needed; raise :class:`InputError` if it cannot be used."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out} cannot be created: {exc.strerror or exc}") from None
    try:  # permissions alone do not tell (root, read-only file systems): try it
        with tempfile.TemporaryFile(dir=out, prefix=".emotion-dynamics-"):
            pass
    except OSError as exc:
        raise InputError(f"--out {out} is not writable: {exc.strerror or exc}") from None
    return out


def output_paths(name: str, out: Path, audio_suffix: str | None) -> list[Path]:
    """The files one result may write: the response (JSON), the SSML and the speech."""
    paths = [out / f"{name}.json", out / f"{name}.ssml"]
    if audio_suffix is not None:
        paths.append(out / f"{name}{audio_suffix}")
    return paths


def _inputs(jobs: Iterable[Job]) -> set[Path]:
    found: set[Path] = set()
    for job in jobs:
        found |= {
            job.path.resolve(),
            job.path.with_suffix(TEXT_SUFFIX).resolve(),
            job.path.with_suffix(TRANSCRIPT_SUFFIX).resolve(),
        }
    return found


def check_outputs(
    jobs: Sequence[Job], out: Path, audio_suffix: str | None, table_out: Path | None
) -> None:
    """Refuse a run whose outputs would overwrite one of its inputs or each other.

    Raises
    ------
    InputError
        Naming the first input an output would replace, or ``--table-out`` colliding.

    """
    inputs = _inputs(jobs)
    outputs: set[Path] = set()
    for job in jobs:
        for path in output_paths(job.name, out, audio_suffix):
            resolved = path.resolve()
            if resolved in inputs:
                raise InputError(
                    f"--out {out} would overwrite the input {path}; choose another folder"
                )
            outputs.add(resolved)
    if table_out is not None:
        resolved = table_out.resolve()
        if resolved in inputs or resolved in outputs:
            raise InputError(f"--table-out {table_out} is also an input or result file of this run")
