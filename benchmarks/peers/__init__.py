"""Independent peer implementations that benchmarks compare the detectors against.

Peers may use benchmark-only dependencies (praat-parselmouth); they never run in the Lambda.
"""

from __future__ import annotations

__all__: list[str] = []
