"""Run the real handler on Lambda event files and compare each answer with its expectation.

``python -m emotion_dynamics_dev events tests/events --defaults`` (``make events``) hands
every ``*.json`` event of the folder to :class:`~emotion_dynamics.app.App` with the local
espeak-ng backend (no AWS) and prints one line per event: the status and error code (or the
prosody applied) next to what ``expected.json`` in the same folder says. An expectation
lists ``status``; an error's ``code`` and ``field``; a success's ``fallback``, ``applied``
and optionally ``rate_method`` (default acoustic), ``text_type`` (default ssml) and ``audio``
(default true: the response carries synthesized audio).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from emotion_dynamics.app import App

__all__ = ["EXPECTED_FILE", "EventResult", "compare", "format_results", "load_events", "run_events"]

EXPECTED_FILE: Final = "expected.json"


@dataclass(frozen=True, slots=True)
class EventResult:
    """One event's answer, and how it differs from the expectation (``None``: none given)."""

    name: str
    status: int
    answer: str
    mismatches: tuple[str, ...] | None

    @property
    def ok(self) -> bool:
        """Whether the answer matches its expectation (or there is none to match)."""
        return not self.mismatches


def load_events(paths: Sequence[Path]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Events by name from files and folders, and the expectations found beside them.

    Raises ``ValueError`` (a file that is not JSON) or ``OSError``, naming the file.
    """
    events: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        folder = path if path.is_dir() else path.parent
        if (folder / EXPECTED_FILE).is_file():
            expected.update(_json(folder / EXPECTED_FILE))
        for file in files:
            if file.name != EXPECTED_FILE:
                events[file.stem] = _json(file)
    return events, expected


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None


def _answer(response: Mapping[str, Any]) -> str:
    error = response.get("error")
    if error:
        return f"{error.get('code')} {error.get('field', '-')}"
    volume, rate = response.get("volume") or {}, response.get("rate") or {}
    return f"volume={volume.get('applied')} rate={rate.get('applied')}"


def compare(response: Mapping[str, Any], expected: Mapping[str, Any]) -> tuple[str, ...]:
    """What in ``response`` differs from ``expected`` (empty: it matches)."""
    got: dict[str, Any] = {"status": response.get("statusCode")}
    error = response.get("error") or {}
    if "code" in expected or "field" in expected:
        got.update(code=error.get("code"), field=error.get("field"))
    else:
        volume, rate = response.get("volume") or {}, response.get("rate") or {}
        got.update(
            fallback=(response.get("fallback") or {}).get("used"),
            applied={"volume": volume.get("applied"), "rate": rate.get("applied")},
            rate_method=rate.get("method"),
            text_type=response.get("text_type"),
            audio="audio_base64" in response,
        )
        expected = {"rate_method": "acoustic", "text_type": "ssml", "audio": True, **expected}
    return tuple(
        f"{key}: expected {expected[key]!r}, got {got.get(key)!r}"
        for key in expected
        if key in got and got[key] != expected[key]
    )


def run_events(
    app: App, events: Mapping[str, Any], expected: Mapping[str, Any]
) -> list[EventResult]:
    """Handle every event with ``app`` and compare it with its expectation, if any."""
    results = []
    for name, event in events.items():
        response = app.handle(event)
        mismatches = compare(response, expected[name]) if name in expected else None
        results.append(
            EventResult(name, int(response["statusCode"]), _answer(response), mismatches)
        )
    return results


def format_results(results: Sequence[EventResult]) -> str:
    """One line per event: name, status, answer, and OK / MISMATCH (with what differs)."""
    width = max((len(r.name) for r in results), default=5)
    lines = []
    for r in results:
        verdict = "-" if r.mismatches is None else "OK" if r.ok else "MISMATCH"
        line = f"{r.name.ljust(width)}  {r.status}  {r.answer:<34}  {verdict}"
        if r.mismatches:
            line += ": " + "; ".join(r.mismatches)
        lines.append(line.rstrip())
    matched = sum(r.mismatches is not None and r.ok for r in results)
    compared = sum(r.mismatches is not None for r in results)
    lines.append(f"{len(results)} events, {matched} of {compared} as expected")
    return "\n".join(lines)
