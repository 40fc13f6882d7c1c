"""Generate the labelled calibration corpus (espeak-ng + flite); see datasets/README.md.

Usage::

    .venv/bin/python datasets/generate.py --out datasets/generated/small --size small --seed 0
    .venv/bin/python datasets/generate.py --out datasets/generated/large --size large --seed 0

The logic lives in :mod:`calibration.generator`; this script is its command line.
"""

from __future__ import annotations

import sys

from calibration.cli import main

if __name__ == "__main__":
    sys.exit(main(["generate", *sys.argv[1:]]))
