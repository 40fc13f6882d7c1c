"""``python -m emotion_dynamics``: the command line (see :mod:`emotion_dynamics.cli`)."""

import sys

from emotion_dynamics.cli import main

sys.exit(main())
