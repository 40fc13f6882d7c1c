"""Figures measured by the hardening tests (counts, attempts, times, memory), kept for the report.

Tests call :func:`record` (set a value) or :func:`bump` (add to a counter). At the end of the
session the tier's ``conftest.py`` writes what this process measured into
``build/hardening/figures.json``, under a file lock so that every pytest-xdist worker of one
run can add its part: counters are summed over the run's processes, other values are
taken as recorded. A new run (a new ``PYTEST_XDIST_TESTRUNUID``, or a new process without
xdist) starts the file afresh. ``docs/reliability.md`` quotes the figures of the last run.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIGURES_FILE = ROOT / "build" / "hardening" / "figures.json"

_lock = threading.Lock()
FIGURES: dict[str, dict[str, Any]] = {}
_COUNTERS: set[tuple[str, str]] = set()
#: One id per test run, shared by the xdist workers of that run.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def record(section: str, **values: Any) -> None:
    """Set figures of ``section`` (a scenario or test name)."""
    with _lock:
        FIGURES.setdefault(section, {}).update(values)


def bump(section: str, key: str, by: int = 1) -> None:
    """Add ``by`` to a counter in ``section``."""
    with _lock:
        entry = FIGURES.setdefault(section, {})
        entry[key] = int(entry.get(key, 0)) + by
        _COUNTERS.add((section, key))


def flush(path: Path = FIGURES_FILE) -> dict[str, dict[str, Any]]:
    """Add this process's figures to ``path`` (see the module docstring); return the run's."""
    with _lock:
        mine = {k: dict(v) for k, v in FIGURES.items()}
        counters = sorted(f"{section}\t{key}" for section, key in _COUNTERS)
    if not mine:
        return mine
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            doc = json.loads(path.read_text()) if path.exists() else {}
        except ValueError:
            doc = {}
        if doc.get("run") != RUN_ID:
            doc = {"run": RUN_ID, "processes": {}, "counters": []}
        doc["processes"][WORKER] = mine
        doc["counters"] = sorted(set(doc["counters"]) | set(counters))
        doc["figures"] = _merge(doc["processes"], {tuple(c.split("\t")) for c in doc["counters"]})
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return dict(doc["figures"])


def _merge(
    processes: dict[str, dict[str, dict[str, Any]]], counters: set[tuple[str, ...]]
) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for figures in processes.values():
        for section, values in figures.items():
            target = merged.setdefault(section, {})
            for key, value in values.items():
                if (section, key) in counters:
                    target[key] = int(target.get(key, 0)) + int(value)
                else:
                    target[key] = value
    return merged
