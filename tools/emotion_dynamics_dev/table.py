"""The command line's result table: one row per input file, printed and written as JSON or CSV.

Each row says what the Lambda answered for one file: status, level and rate with their
classes and confidences, the pace relative to the speaker's language, what each dimension
emitted (a relative-mode value is shown after its class), why one stayed neutral (the
short reason from ``fallback.reasons``), what happened to the audio (clipped, trimmed), and
the files written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from emotion_dynamics.contract import MIN_STABILITY_THRESHOLD

__all__ = ["TABLE_SUFFIXES", "Row", "format_table", "render_table_file"]

#: The formats ``--table-out`` writes, by file suffix.
TABLE_SUFFIXES: Final = (".json", ".csv")


@dataclass(slots=True)
class Row:
    """One input file's result (``status`` 0: never sent, a problem with the file itself)."""

    file: str
    result: str
    status: int
    error_code: str | None = None
    error: str | None = None
    level_dbfs: float | None = None
    volume_class: str | None = None
    volume_confidence: float | None = None
    volume_applied: str | None = None
    wpm: float | None = None
    rate_class: str | None = None
    rate_confidence: float | None = None
    rate_applied: str | None = None
    rate_method: str | None = None
    rate_relative: float | None = None
    notes: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the Lambda answered 200."""
        return self.status == 200

    @classmethod
    def problem(cls, file: str, result: str, message: str) -> Row:
        """A file that was not sent to the handler: unreadable, unrecognised, no text."""
        return cls(file=file, result=result, status=0, error_code="INPUT", error=message)

    @classmethod
    def from_response(
        cls, file: str, result: str, response: Mapping[str, Any], *, path: str | None = None
    ) -> Row:
        """The row of one handler response (its error, if any, worded for the file at ``path``)."""
        volume, rate = response.get("volume") or {}, response.get("rate") or {}
        error = response.get("error") or {}
        row = cls(
            file=file,
            result=result,
            status=int(response["statusCode"]),
            error_code=error.get("code"),
            error=_about_the_file(path or file, error) if error else None,
            level_dbfs=volume.get("level_dbfs"),
            volume_class=volume.get("class"),
            volume_confidence=volume.get("confidence"),
            volume_applied=volume.get("applied"),
            wpm=rate.get("wpm"),
            rate_class=rate.get("class"),
            # The confidence the gate compared: relative mode gates on the relative rate's.
            rate_confidence=rate.get(
                "relative_confidence"
                if response.get("prosody_mode") == "relative"
                else "confidence"
            ),
            rate_applied=rate.get("applied"),
            rate_method=rate.get("method"),
            rate_relative=rate.get("relative"),
        )
        row.notes = _notes(response)
        return row


def _about_the_file(file: str, error: Mapping[str, Any]) -> str:
    """The error message, with the event field the file became replaced by the file."""
    message = str(error.get("message", ""))
    if error.get("field") == "audio_base64":
        return f"{file}: {message.removeprefix('audio_base64: ')}"
    return message


def _short_reason(reason: str) -> str:
    """A fallback reason up to its first ``;``, the stability threshold's name as ``<``."""
    return reason.split(";", maxsplit=1)[0].replace(f" below {MIN_STABILITY_THRESHOLD.env} ", " < ")


def _notes(response: Mapping[str, Any]) -> list[str]:
    notes = [_short_reason(r) for r in (response.get("fallback") or {}).get("reasons", [])]
    for name in ("volume", "rate"):
        note = (response.get(name) or {}).get("note")
        if note:
            notes.append(f"{name}: {note}")
    audio = response.get("audio") or {}
    if audio.get("clipped_samples"):
        notes.append(f"audio: {audio['clipped_samples']} samples clipped to full scale")
    if audio.get("trimmed_from_s") is not None:
        notes.append(
            f"audio: {audio['kept']} {audio['duration_s']:g} s of {audio['trimmed_from_s']:g} s"
        )
    return notes


def _number(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _dimension(klass: str | None, applied: str | None) -> str:
    """The class, and what was emitted when it is not the class's keyword (relative mode)."""
    if klass is None:
        return "-"
    if not applied:
        return f"{klass} (neutral)"
    return klass if applied == klass else f"{klass} -> {applied}"


def _outputs(outputs: Sequence[str]) -> str:
    """``out/clip.json``, ``out/clip.ssml`` -> ``out/clip.{json,ssml}``."""
    if not outputs:
        return "-"
    stem = str(Path(outputs[0]).with_suffix(""))
    if all(str(Path(o).with_suffix("")) == stem for o in outputs):
        suffixes = ",".join(Path(o).suffix.lstrip(".") for o in outputs)
        return f"{stem}.{{{suffixes}}}" if len(outputs) > 1 else outputs[0]
    return " ".join(outputs)


_HEADER: Final = (
    "file", "status", "level dBFS", "volume", "conf", "WPM", "rate", "conf", "relative",
    "method", "written", "notes",
)  # fmt: skip


def _cells(row: Row) -> list[str]:
    status = str(row.status) if row.status else "-"
    if row.error_code:
        status = f"{status} {row.error_code}" if row.status else row.error_code
    notes = [row.error] if row.error else row.notes
    return [
        row.file,
        status,
        _number(row.level_dbfs, 1),
        _dimension(row.volume_class, row.volume_applied),
        _number(row.volume_confidence, 2),
        _number(row.wpm, 0),
        _dimension(row.rate_class, row.rate_applied),
        _number(row.rate_confidence, 2),
        _number(row.rate_relative, 2),
        row.rate_method or "-",
        _outputs(row.outputs),
        "; ".join(n for n in notes if n) or "-",
    ]


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a plain-text table with a header (what the command prints)."""
    table = [list(_HEADER), *(_cells(r) for r in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(_HEADER))]
    lines = []
    for i, cells in enumerate(table):
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_table_file(rows: Sequence[Row], suffix: str) -> str:
    """The rows as ``--table-out`` writes them: a JSON list of objects, or CSV with a header."""
    records = [asdict(r) for r in rows]
    if suffix == ".json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]) if records else ["file"])
    writer.writeheader()
    for record in records:
        writer.writerow({k: " | ".join(v) if isinstance(v, list) else v for k, v in record.items()})
    return buffer.getvalue()
