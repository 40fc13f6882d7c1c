"""``python -m emotion_dynamics_dev``: the local command line (see :mod:`.cli`)."""

import sys

from emotion_dynamics_dev.cli import main

sys.exit(main())
