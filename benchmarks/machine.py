"""The machine the run was made on: CPU, cores, Python, numpy and its BLAS, date, commit."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from typing import Any

from benchmarks.common import REPO_ROOT


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas() -> str:
    import numpy as np

    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception as exc:  # older numpy: no dict mode
        return f"unknown ({type(exc).__name__})"


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
            text=True, check=True,
        ).stdout.strip()  # fmt: skip
        # rstrip, not strip: the first line's leading space is part of its status code
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.rstrip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    if not dirty:
        return head
    paths = sorted(
        {line[3:].split("/")[0] + ("/" if "/" in line[3:] else "") for line in dirty.splitlines()}
    )
    return (
        f"{head} + uncommitted changes in {', '.join(paths[:8])}{' ...' if len(paths) > 8 else ''}"
    )


def describe() -> dict[str, Any]:
    import numpy as np

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": f"{os.cpu_count()} logical ({affinity} usable)",
        "os": f"{platform.system()} {platform.release()} ({platform.libc_ver()[0]} {platform.libc_ver()[1]})",
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "numpy": f"{np.__version__}, BLAS {_blas()}",
        "commit": _git(),
        "load average at start (1/5/15 min)": load_average(),
    }


def load_average() -> str:
    """The load average: other work on the machine inflates every timing in the report."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"
