"""Worker processes for the calibration's measurements.

They are started by a fork server, not by forking the caller: the notebook's Jupyter kernel
runs several threads, and forking a threaded process can deadlock the child on a lock some
other thread held at the fork.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

__all__ = ["process_pool", "worker_count"]


def worker_count(n_jobs: int | None, tasks: int) -> int:
    """Processes for ``tasks`` items: ``n_jobs`` (default: all cores), never more than items."""
    return max(1, min(n_jobs or os.cpu_count() or 1, tasks or 1))


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes started by a fork server."""
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("forkserver")
    )
